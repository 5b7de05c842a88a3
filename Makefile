# vai — the two set-up commands on a fresh machine are `make run` and `make test`;
# each installs what it needs.
SHELL := /bin/bash
NODE_MODULES_STAMP := node_modules/.package-lock.json

.PHONY: install build run test test-unit test-e2e bench bench-quick schemas clean lint

$(NODE_MODULES_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

install: $(NODE_MODULES_STAMP) build

build: $(NODE_MODULES_STAMP)
	npx tsc -p tsconfig.json
	@chmod +x dist/src/cli/vaid.js dist/src/cli/vaictl.js

schemas: $(NODE_MODULES_STAMP)
	npx tsx scripts/write-schemas.ts

# Runs vai on the example manifests with the local executor. Ctrl-C stops it; the demo
# services keep running (as the seed's daemons do) until `make run-clean`.
run: build
	@echo "vaid on manifests/ (state in .vai/). In another terminal: npx vaictl get -w"
	@echo "then kill -9 \$$(cat /tmp/vai-demo/demo-db.pid) and watch demo-db come back. Ctrl-C stops vaid; make run-clean stops the demo."
	node dist/src/cli/vaid.js --manifests manifests --state-dir .vai

run-clean:
	-bash manifests/demo/stop-all.sh

test: build
	bash scripts/test.sh

test-unit: build
	bash scripts/test.sh unit

test-e2e: build
	bash scripts/test.sh e2e

bench: build
	node dist/bench/run.js --full

bench-quick: build
	node dist/bench/run.js --quick

clean:
	rm -rf dist .vai
