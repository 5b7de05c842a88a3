#!/usr/bin/env node
// A tiny HTTP service for the `make run` demo: GET /health answers 200, or 503 when a service it
// depends on (--depends-on URL) does not answer 200. Writes its pid to --pid-file.
// Only Node is needed. Usage:
//   node http-service.mjs --name demo-api --port 7302 [--pid-file F] [--depends-on http://127.0.0.1:7301/health]
import http from 'node:http';
import { mkdirSync, writeFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    name: { type: 'string', default: 'demo' },
    port: { type: 'string' },
    host: { type: 'string', default: '127.0.0.1' },
    'pid-file': { type: 'string' },
    'depends-on': { type: 'string' },
  },
});
if (!values.port) {
  console.error('http-service: --port is required');
  process.exit(2);
}

async function dependencyOk() {
  if (!values['depends-on']) return { ok: true };
  try {
    const res = await fetch(values['depends-on'], { signal: AbortSignal.timeout(500) });
    return { ok: res.status === 200, why: `dependency answered ${res.status}` };
  } catch (e) {
    return { ok: false, why: `dependency unreachable: ${e.cause?.code ?? e.message}` };
  }
}

const started = new Date().toISOString();
const server = http.createServer(async (req, res) => {
  if (req.url === '/health') {
    const dep = await dependencyOk();
    res.writeHead(dep.ok ? 200 : 503, { 'content-type': 'text/plain' });
    res.end(dep.ok ? `${values.name} ok (pid ${process.pid}, up since ${started})\n` : `${values.name}: ${dep.why}\n`);
    return;
  }
  res.writeHead(200, { 'content-type': 'text/plain' });
  res.end(`hello from ${values.name} (pid ${process.pid})\n`);
});

server.on('error', (e) => {
  console.error(`${values.name}: ${e.message}`);
  process.exit(1);
});
server.listen(Number(values.port), values.host, () => {
  if (values['pid-file']) {
    mkdirSync(path.dirname(values['pid-file']), { recursive: true });
    writeFileSync(values['pid-file'], `${process.pid}\n`);
  }
  console.log(`${new Date().toISOString()} ${values.name} listening on http://${values.host}:${values.port} (pid ${process.pid})`);
});

const stop = () => {
  if (values['pid-file']) rmSync(values['pid-file'], { force: true });
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
