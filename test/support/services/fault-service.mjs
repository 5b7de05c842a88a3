#!/usr/bin/env node
// A small service for fault tests (test/e2e/diagnosis-*.test.ts): an HTTP server (GET anything
// -> 200) or a raw TCP server on 127.0.0.1, with knobs for the faults vai must diagnose.
// usage: node fault-service.mjs --port N [--pid-file F] [--tcp] [--start-delay-ms MS]
//          [--master]          fork a worker that serves; this process (the master) writes the
//                              pid file and idles, as nginx's master does
//          [--fail "TEXT"]     print TEXT to stderr and exit 1 at once (a broken config)
//          [--exit-after-ms MS [--exit-message TEXT]]  write the pid file at once, print TEXT and
//                              exit 3 after MS (with --start-delay-ms longer: dies before serving)
// SIGUSR2: allocate memory until the kernel kills the process (an OOM under a memory limit).
import http from 'node:http';
import net from 'node:net';
import { spawn } from 'node:child_process';
import { writeFileSync, renameSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
const opt = (name) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const has = (name) => args.includes(`--${name}`);
const port = Number(opt('port'));
const pidFile = opt('pid-file');
const writePid = () => {
  if (!pidFile) return;
  writeFileSync(`${pidFile}.tmp`, `${process.pid}\n`);
  renameSync(`${pidFile}.tmp`, pidFile);
};

if (opt('fail') !== undefined) {
  process.stderr.write(`${opt('fail')}\n`);
  process.exit(1);
}

const hog = [];
process.on('SIGUSR2', () => {
  const grow = () => {
    for (let i = 0; i < 16; i++) hog.push(Buffer.alloc(1 << 20, 1));
    setImmediate(grow);
  };
  grow();
});
process.on('SIGTERM', () => process.exit(0));

if (opt('exit-after-ms') !== undefined) {
  writePid();
  setTimeout(() => {
    process.stderr.write(`${opt('exit-message') ?? 'exiting'}\n`);
    process.exit(3);
  }, Number(opt('exit-after-ms')));
}

if (has('master')) {
  const rest = args.filter((a, i) => a !== '--master' && !(args[i - 1] === '--pid-file') && a !== '--pid-file');
  // The worker keeps a pid file of its own beside the master's, so a test's cleanup (killPidFiles)
  // finds the worker too once the master is gone.
  const workerPid = pidFile ? ['--pid-file', pidFile.replace(/(\.pid)?$/, '-worker.pid')] : [];
  const worker = spawn(process.execPath, [fileURLToPath(import.meta.url), ...rest, ...workerPid], { stdio: 'ignore' });
  worker.unref();
  writePid();
  setInterval(() => {}, 1 << 30);
} else {
  setTimeout(() => {
    const server = has('tcp')
      ? net.createServer((s) => {
          s.on('error', () => {});
          s.end('ok\n');
        })
      : http.createServer((req, res) => {
          res.writeHead(200, { 'content-type': 'text/plain' });
          res.end(`${process.pid}\n`);
        });
    server.on('error', (e) => {
      process.stderr.write(`fault-service: cannot listen on 127.0.0.1:${port}: ${e.message}\n`);
      process.exit(1);
    });
    server.listen(port, '127.0.0.1', writePid);
  }, Number(opt('start-delay-ms') ?? 0));
}
