#!/usr/bin/env bash
# Runs the test suite with node's test runner. `make test` calls it after the build.
# When run as root it also provides a private Docker engine for the Docker executor tests
# (see test/support/docker-engine.sh); under CI a missing engine fails those tests.
set -euo pipefail
cd "$(dirname "$0")/.."

which=${1:-all}
files=()
case "$which" in
  unit) mapfile -t files < <(find test/unit -name '*.test.ts' | sort) ;;
  e2e) mapfile -t files < <(find test/e2e -name '*.test.ts' | sort) ;;
  all) mapfile -t files < <(find test/unit test/e2e test/sim test/fuzz -name '*.test.ts' | sort) ;;
  *) mapfile -t files < <(find "$which" -name '*.test.ts' | sort) ;;
esac

cleanup() { :; }
if [ -x test/support/docker-engine.sh ] && [ "$(id -u)" = 0 ]; then
  # shellcheck source=/dev/null
  source test/support/docker-engine.sh
  if docker_engine_up; then cleanup() { docker_engine_down; }; fi
fi
trap cleanup EXIT

node --import tsx --test --test-concurrency=3 --test-timeout=1200000 --test-reporter=spec "${files[@]}"
