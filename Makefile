# vai — the two set-up commands on a fresh machine are `make run` and `make test`;
# each installs what it needs.
SHELL := /bin/bash
NODE_MODULES_STAMP := node_modules/.package-lock.json

.PHONY: install build bench-build typecheck run run-clean test test-unit test-e2e bench bench-quick schemas clean lint lint-imports deb

# A work tree whose node_modules links to another checkout's shares that install: npm ci would
# delete it under everyone using it, so a link is left alone (install in the checkout it points to).
$(NODE_MODULES_STAMP): package.json package-lock.json
	@if [ -L node_modules ]; then \
	  echo "node_modules links to $$(readlink node_modules): not running npm ci through the link" >&2; \
	else \
	  npm ci --no-audit --no-fund && touch $@; \
	fi

install: $(NODE_MODULES_STAMP) build

# Only what ships (src/ → dist/src/): a type error in a test or a benchmark cannot stop `make run`.
# Then the manifest validators compiled by ajv at build time (scripts/compile-validators.ts), and
# the one-file bundles vaictl runs (scripts/bundle-vaictl.ts).
build: $(NODE_MODULES_STAMP)
	npx tsc -p tsconfig.build.json
	npx tsx scripts/compile-validators.ts
	npx tsx scripts/bundle-vaictl.ts
	@chmod +x dist/src/cli/vaid.js dist/src/cli/vaictl.js

bench-build: build
	npx tsc -p tsconfig.bench.json

# src/, scripts/, test/ and bench/ together, emitting nothing: CI fails on a type error in a test.
typecheck: $(NODE_MODULES_STAMP)
	npx tsc --noEmit -p tsconfig.json

schemas: $(NODE_MODULES_STAMP)
	npx tsx scripts/write-schemas.ts

# Runs vai on the example manifests with the local executor. Ctrl-C stops it; the demo
# services keep running (as the seed's daemons do) until `make run-clean`.
run: build
	@echo "vaid on manifests/ (state in .vai/). In another terminal: ./vaictl get -w"
	@echo "then kill -9 \$$(cat /tmp/vai-demo/demo-db.pid) and watch demo-db come back. Ctrl-C stops vaid; make run-clean stops the demo."
	node dist/src/cli/vaid.js --manifests manifests --state-dir .vai

run-clean:
	-bash manifests/demo/stop-all.sh

# The import rules of docs/architecture.md (layers, no cycles): .dependency-cruiser.cjs.
lint-imports: $(NODE_MODULES_STAMP)
	npx depcruise --config .dependency-cruiser.cjs src

test: typecheck build lint-imports
	bash scripts/test.sh

test-unit: typecheck build
	bash scripts/test.sh unit

test-e2e: typecheck build
	bash scripts/test.sh e2e

bench: bench-build
	node dist/bench/run.js --full

bench-quick: bench-build
	node dist/bench/run.js --quick

clean:
	rm -rf dist .vai

# dist/vai_VERSION_all.deb (deploy/deb/build.sh): the npm package plus its production
# dependencies under /usr/lib/vai, wrappers in /usr/bin, the unit, tmpfiles and /etc/vai.
deb: build
	bash deploy/deb/build.sh dist
