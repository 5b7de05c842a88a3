#!/usr/bin/env node
// An HTTP service that can hand its listening socket to a new process and exit, as servers do
// on a graceful reload or re-exec: the port never stops answering, but the pid changes.
// usage: node handoff-service.mjs --port N --pid-file F
// SIGUSR2: fork a successor, pass it the listening socket, exit once it serves.
// GET /health answers 200 with the serving pid.
import http from 'node:http';
import { fork } from 'node:child_process';
import { writeFileSync, renameSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
const opt = (name) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const pidFile = opt('pid-file');
const writePid = () => {
  if (!pidFile) return;
  writeFileSync(`${pidFile}.tmp`, `${process.pid}\n`);
  renameSync(`${pidFile}.tmp`, pidFile);
};
const server = http.createServer((req, res) => {
  res.writeHead(200, { 'content-type': 'text/plain' });
  res.end(String(process.pid));
});

process.on('SIGUSR2', () => {
  const next = fork(fileURLToPath(import.meta.url), ['--successor', ...args], { stdio: 'ignore' });
  next.once('message', (m) => {
    if (m !== 'serving') return;
    next.disconnect();
    next.unref();
    process.exit(0);
  });
  next.send('listener', server);
});
process.on('SIGTERM', () => process.exit(0));

if (args.includes('--successor')) {
  process.once('message', (m, handle) => {
    if (m !== 'listener') return;
    server.listen(handle, () => {
      writePid();
      process.send('serving');
    });
  });
  process.once('disconnect', () => undefined);
} else {
  server.listen({ port: Number(opt('port')), host: '127.0.0.1' }, writePid);
}
