#!/usr/bin/env node
// package.json's "bin" points here, not into dist/, on purpose: npx installs a checkout's own
// package into its cache once and links the bins that exist at that moment. A `npx vaictl get`
// typed while `make run` was still building left that cache without a vaictl link, and every
// later `npx vaictl` answered "vaictl: not found" (issue 21). This file is always there, so the
// link always is; it says how to build when dist/ is not there yet.
import { existsSync } from 'node:fs';

const target = new URL('../dist/src/cli/vaictl.js', import.meta.url);
if (!existsSync(target)) {
  process.stderr.write(`vaictl is not built in this checkout yet (${target.pathname} is missing): run "make build" (make run builds it too), then try again.\n`);
  process.exit(4);
}
await import(target.href);
