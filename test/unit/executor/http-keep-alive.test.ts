// health_check.keep_alive against real loopback servers: one that keeps connections open, one
// that stops accepting but keeps its connections, one that closes idle connections, and one that
// closes a reused connection without answering.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { httpCheck } from '../../../src/executor/checks/http.js';
import { KeptConnections } from '../../../src/executor/http-keep-alive.js';
import { parseHttpEndpoint, type HttpEndpoint } from '../../../src/executor/http-endpoint.js';
import { parseHead, responseEnd } from '../../../src/executor/http-response-parser.js';
import { LocalExecutor } from '../../../src/executor/local-executor.js';
import { healthCheck, target } from './target.js';
import { waitFor } from '../../support/wait.js';

type Answer = (requestNumber: number, socket: net.Socket) => void;

/** A raw HTTP/1.1 server that counts connections and requests; `answer` writes each response. */
async function rawServer(answer: Answer) {
  const sockets = new Set<net.Socket>();
  let connections = 0;
  let requests = 0;
  const server = net.createServer((sock) => {
    connections++;
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
    sock.on('error', () => undefined);
    let pending = '';
    sock.on('data', (d) => {
      pending += d.toString('latin1');
      for (let end = pending.indexOf('\r\n\r\n'); end >= 0; end = pending.indexOf('\r\n\r\n')) {
        pending = pending.slice(end + 4);
        answer(++requests, sock);
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/health`,
    get connections() {
      return connections;
    },
    get requests() {
      return requests;
    },
    get open() {
      return sockets.size;
    },
    /** Stops accepting new connections; the open ones stay (close's callback waits for them, so it is not awaited). */
    closeListener() {
      server.close();
    },
    stop() {
      for (const s of sockets) s.destroy();
      server.close();
    },
  };
}

const ok: Answer = (_n, sock) => sock.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
const servers: Array<{ stop(): void }> = [];
after(() => {
  for (const s of servers) s.stop();
});

async function server(answer: Answer) {
  const s = await rawServer(answer);
  servers.push(s);
  return s;
}

function ka(url: string, extra: Partial<Parameters<typeof healthCheck>[0]> = {}) {
  return healthCheck({ type: 'http', endpoint: url, timeout_seconds: 5, keep_alive: true, ...extra });
}

function endpoint(url: string): HttpEndpoint {
  const ep = parseHttpEndpoint(url);
  assert.ok(typeof ep !== 'string');
  return ep;
}

test('checks reuse one connection, and the message says the answer came on it', async () => {
  const s = await server(ok);
  const pool = new KeptConnections();
  const results = [];
  for (let i = 0; i < 5; i++) results.push(await httpCheck(ka(s.url), undefined, { pool, key: 'web' }));
  assert.deepEqual(
    results.map((r) => r.health),
    ['healthy', 'healthy', 'healthy', 'healthy', 'healthy'],
  );
  assert.equal(s.connections, 1);
  assert.equal(s.requests, 5);
  assert.doesNotMatch(results[0]!.message, /kept-alive/);
  assert.match(results[4]!.message, /^HTTP 200 from http:\/\/127\.0\.0\.1:\d+\/health after [\d.]+ m?s \(kept-alive connection\)$/);
  pool.closeAll();
  await waitFor(() => s.open === 0, { what: 'the server to see the connection closed' });
});

test('without keep_alive every check opens its own connection', async () => {
  const s = await server((_n, sock) => sock.end('HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok'));
  const pool = new KeptConnections();
  for (let i = 0; i < 3; i++) assert.equal((await httpCheck(healthCheck({ type: 'http', endpoint: s.url }), undefined, { pool, key: 'web' })).health, 'healthy');
  assert.equal(s.connections, 3);
  assert.equal(pool.size, 0);
});

test('a listener that stops accepting is seen at the first fresh connection: after keep_alive_seconds, and at every check after a failure', async () => {
  const s = await server(ok);
  const pool = new KeptConnections();
  const check = () => pool.get('web', endpoint(s.url), 200, { timeoutMs: 2000 });
  assert.equal((await check()).kind, 'response');
  s.closeListener();
  // The kept connection still answers: what keep_alive gives up, until the connection is old enough.
  const reused = await check();
  assert.equal(reused.kind, 'response');
  assert.equal(reused.reused, true);
  await new Promise((r) => setTimeout(r, 250));
  const fresh = await check();
  assert.equal(fresh.kind, 'error');
  assert.equal(fresh.reused, false);
  assert.match((fresh as { message: string }).message, /ECONNREFUSED/);
  // Through the check: the failure is unhealthy, and so is every check after it (never a reused connection).
  const hc = ka(s.url, { keep_alive_seconds: 3600 });
  const r1 = await httpCheck(hc, undefined, { pool, key: 'web' });
  const r2 = await httpCheck(hc, undefined, { pool, key: 'web' });
  assert.equal(r1.reason, 'ConnectFailed');
  assert.equal(r2.reason, 'ConnectFailed');
  assert.equal(s.connections, 1);
});

test('a failed check closes the connection: the next check opens a fresh one', async () => {
  const s = await server((n, sock) => sock.write(n === 2 ? 'HTTP/1.1 503 Busy\r\nContent-Length: 4\r\n\r\nbusy' : 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'));
  const pool = new KeptConnections();
  const hc = ka(s.url);
  const results = [];
  for (let i = 0; i < 4; i++) results.push(await httpCheck(hc, undefined, { pool, key: 'web' }));
  assert.deepEqual(
    results.map((r) => r.reason),
    ['CheckPassed', 'HttpStatus', 'CheckPassed', 'CheckPassed'],
  );
  assert.match(results[1]!.message, /^HTTP 503 .*\(kept-alive connection\)$/);
  assert.doesNotMatch(results[2]!.message, /kept-alive/);
  assert.match(results[3]!.message, /kept-alive/);
  assert.equal(s.connections, 2);
  pool.closeAll();
});

test('a server that closes idle connections costs a fresh connection, never a failure', async () => {
  const srv = http.createServer((_req, res) => res.writeHead(200, { 'content-length': 2 }).end('ok'));
  srv.keepAliveTimeout = 30;
  let connections = 0;
  srv.on('connection', () => connections++);
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  servers.push({ stop: () => srv.close() });
  const url = `http://127.0.0.1:${(srv.address() as AddressInfo).port}/`;
  const pool = new KeptConnections();
  assert.equal((await httpCheck(ka(url), undefined, { pool, key: 'web' })).health, 'healthy');
  await waitFor(() => new Promise<boolean>((r) => srv.getConnections((_e, n) => r(n === 0))), { what: 'the server to close the idle connection' });
  const r = await httpCheck(ka(url), undefined, { pool, key: 'web' });
  assert.equal(r.health, 'healthy');
  assert.doesNotMatch(r.message, /kept-alive/);
  assert.equal(connections, 2);
  pool.closeAll();
});

test('a reused connection closed without an answer (the server timed it out as the request left) is asked again on a fresh one', async () => {
  // Answers the first request of each connection, and closes the connection at the second.
  const perSocket = new WeakMap<net.Socket, number>();
  const s = await server((_n, sock) => {
    const k = (perSocket.get(sock) ?? 0) + 1;
    perSocket.set(sock, k);
    if (k === 1) ok(_n, sock);
    else sock.destroy();
  });
  const pool = new KeptConnections();
  const first = await httpCheck(ka(s.url), undefined, { pool, key: 'web' });
  const second = await httpCheck(ka(s.url), undefined, { pool, key: 'web' });
  assert.equal(first.health, 'healthy');
  assert.equal(second.health, 'healthy');
  assert.doesNotMatch(second.message, /kept-alive/);
  assert.equal(s.connections, 2);
  pool.closeAll();
});

test('a reused connection that gets no answer times out like any check (a hung service)', async () => {
  const s = await server((n, sock) => {
    if (n === 1) ok(n, sock);
  });
  const pool = new KeptConnections();
  assert.equal((await httpCheck(ka(s.url), undefined, { pool, key: 'web' })).health, 'healthy');
  const hung = await httpCheck(ka(s.url, { timeout_seconds: 0.3 }), undefined, { pool, key: 'web' });
  assert.equal(hung.reason, 'Timeout');
  assert.match(hung.message, /waiting for a response from .* \(kept-alive connection\)$/);
  assert.equal(pool.size, 0);
});

test('body_contains on a kept connection: chunked and content-length bodies, split across reads', async () => {
  const s = await server((n, sock) => {
    if (n % 2) {
      sock.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nall-\r\n');
      setTimeout(() => sock.write('7\r\nsystems\r\n3\r\n-go\r\n0\r\n\r\n'), 20);
    } else {
      sock.write('HTTP/1.1 200 OK\r\nContent-Length: 14\r\n\r\nall-sys');
      setTimeout(() => sock.write('tems-go'), 20);
    }
  });
  const pool = new KeptConnections();
  const results = [];
  for (let i = 0; i < 4; i++) results.push(await httpCheck(ka(s.url, { body_contains: 'systems-go' }), undefined, { pool, key: 'web' }));
  assert.deepEqual(
    results.map((r) => r.health),
    ['healthy', 'healthy', 'healthy', 'healthy'],
  );
  assert.equal(s.connections, 1);
  const miss = await httpCheck(ka(s.url, { body_contains: 'degraded' }), undefined, { pool, key: 'web' });
  assert.equal(miss.reason, 'BodyMismatch');
  pool.closeAll();
});

test('a response that says Connection: close, or whose body runs to the close, is not reused', async () => {
  const s = await server((n, sock) => (n === 1 ? sock.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok') : sock.end('HTTP/1.1 200 OK\r\n\r\nok')));
  const pool = new KeptConnections();
  assert.equal((await httpCheck(ka(s.url), undefined, { pool, key: 'web' })).health, 'healthy');
  assert.equal((await httpCheck(ka(s.url), undefined, { pool, key: 'web' })).health, 'healthy');
  assert.equal(s.connections, 2);
  pool.closeAll();
});

test('the executor keeps one connection per service and closes them all on close()', async () => {
  const s = await server(ok);
  const ex = new LocalExecutor();
  const a = target('a', { health_check: ka(s.url) }, '/tmp');
  const b = target('b', { health_check: ka(s.url) }, '/tmp');
  for (let i = 0; i < 3; i++) {
    assert.equal((await ex.check(a)).health, 'healthy');
    assert.equal((await ex.check(b)).health, 'healthy');
  }
  assert.equal(s.connections, 2);
  assert.equal(s.requests, 6);
  await ex.close();
  await waitFor(() => s.open === 0, { what: 'the server to see both connections closed' });
});

test('responseEnd: where a response ends on a connection to reuse', () => {
  const at = (text: string) => {
    const buf = Buffer.from(text, 'latin1');
    const head = parseHead(buf);
    assert.ok(head.kind === 'status' && head.headerEnd >= 0);
    return responseEnd(buf, head);
  };
  assert.equal(at('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'), 'done');
  assert.equal(at('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nok'), 'more');
  assert.equal(at('HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nok'), 'unreusable');
  assert.equal(at('HTTP/1.1 204 No Content\r\n\r\n'), 'done');
  assert.equal(at('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n'), 'done');
  assert.equal(at('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\nX-Trailer: 1\r\n\r\n'), 'done');
  assert.equal(at('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n'), 'more');
  assert.equal(at('HTTP/1.1 200 OK\r\n\r\nok'), 'unreusable');
  assert.equal(at('HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok'), 'unreusable');
  assert.equal(at('HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok'), 'unreusable');
});
