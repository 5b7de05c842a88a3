#!/usr/bin/env node
// A tiny HTTP service for executor and e2e tests: a real process with a pid file that can be
// crashed (kill), hung (SIGSTOP, or GET /hang) and told what to answer.
// usage: node http-service.mjs [--port N] [--port-file F] [--pid-file F] [--status 200] [--body ok]
//        [--backlog N]
// GET /control?status=503&body=x&delay=ms&chunked=1 changes later answers; other paths answer
// with the current status and body after the current delay; GET /hang never answers.
import http from 'node:http';
import { writeFileSync, renameSync } from 'node:fs';

const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : def;
};
const state = { status: Number(opt('status', '200')), body: opt('body', 'ok'), delay: 0, chunked: false };

const server = http.createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://x');
  if (url.pathname === '/control') {
    const q = url.searchParams;
    if (q.has('status')) state.status = Number(q.get('status'));
    if (q.has('body')) state.body = q.get('body');
    if (q.has('delay')) state.delay = Number(q.get('delay'));
    if (q.has('chunked')) state.chunked = q.get('chunked') === '1';
    res.end('set\n');
    return;
  }
  if (url.pathname === '/hang') return;
  const answer = () => {
    if (state.chunked) {
      res.writeHead(state.status, { 'content-type': 'text/plain' });
      const half = Math.floor(state.body.length / 2);
      res.write(state.body.slice(0, half));
      setTimeout(() => res.end(state.body.slice(half)), 20);
    } else {
      res.writeHead(state.status, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(state.body) });
      res.end(state.body);
    }
  };
  if (state.delay > 0) setTimeout(answer, state.delay);
  else answer();
});

const writeAtomic = (file, text) => {
  writeFileSync(`${file}.tmp`, text);
  renameSync(`${file}.tmp`, file);
};

server.listen({ port: Number(opt('port', '0')), host: '127.0.0.1', backlog: Number(opt('backlog', '511')) }, () => {
  const pidFile = opt('pid-file');
  const portFile = opt('port-file');
  if (pidFile) writeAtomic(pidFile, `${process.pid}\n`);
  if (portFile) writeAtomic(portFile, `${server.address().port}\n`);
});
process.on('SIGTERM', () => process.exit(0));
