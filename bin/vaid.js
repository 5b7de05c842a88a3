#!/usr/bin/env node
// The vaid bin; see bin/vaictl.js for why "bin" points here rather than into dist/.
import { existsSync } from 'node:fs';

const target = new URL('../dist/src/cli/vaid.js', import.meta.url);
if (!existsSync(target)) {
  process.stderr.write(`vaid is not built in this checkout yet (${target.pathname} is missing): run "make build" (make run builds it too), then try again.\n`);
  process.exit(4);
}
await import(target.href);
