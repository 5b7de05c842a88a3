#!/usr/bin/env node
// vaid: the daemon's entry point (wired in the reconcile issue).
process.stderr.write('vaid: not built yet\n');
process.exitCode = 1;
