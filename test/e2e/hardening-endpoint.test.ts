// Finding 5: a local user flooding the loopback endpoint with slow, half-sent requests, and
// holding event streams. A real server and real sockets on 127.0.0.x, bounded in count and time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { startWebServer } from '../../src/web/server.js';
import { serviceStatus, statusDocument, StatusFeed } from './web-fixtures.js';
import { waitFor } from '../support/wait.js';

const FLOOD = 120;

function get(url: string, localAddress: string, path: string): Promise<{ status: number; res: http.IncomingMessage }> {
  return new Promise((resolve, reject) => {
    const req = http.get(`${url}${path}`, { localAddress, agent: false, timeout: 10_000 }, (res) => resolve({ status: res.statusCode ?? 0, res }));
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error(`GET ${path} timed out`)));
  });
}

test('slow half-sent requests from one client are capped and timed out, /healthz still answers, and one client cannot take every event stream', async (t) => {
  const feed = new StatusFeed(statusDocument([serviceStatus('web')]));
  const server = await startWebServer({ listen: '127.0.0.1:0', getStatus: feed.getStatus, subscribe: feed.subscribe });
  const sockets: net.Socket[] = [];
  t.after(async () => {
    for (const s of sockets) s.destroy();
    await server.close();
  });
  const { port } = new URL(server.url);
  const openCount = () => sockets.filter((s) => !s.destroyed && !s.connecting).length;
  for (let i = 0; i < FLOOD; i++) {
    const s = net.connect({ host: '127.0.0.1', port: Number(port), localAddress: '127.0.0.1' });
    s.on('error', () => undefined);
    s.resume();
    s.on('connect', () => s.write('GET /api/status HTTP/1.1\r\nHost: 127.0.0.1\r\n'));
    sockets.push(s);
  }
  // Beyond the per-client cap the server closes at once; the rest go when the header timeout ends.
  await waitFor(() => sockets.every((s) => !s.connecting) && openCount() <= 32, { what: `at most 32 of ${FLOOD} slow connections kept (open: ${openCount()})`, timeoutMs: 30_000 });
  const health = await get(server.url, '127.0.0.2', '/healthz');
  assert.equal(health.status, 200);
  health.res.resume();
  await waitFor(() => openCount() === 0, { what: `slow requests timed out (still open: ${openCount()})`, timeoutMs: 30_000 });

  const streams: http.IncomingMessage[] = [];
  t.after(() => streams.forEach((r) => r.destroy()));
  const codes: number[] = [];
  for (let i = 0; i < 6; i++) {
    const r = await get(server.url, '127.0.0.3', '/api/events');
    codes.push(r.status);
    if (r.status === 200) streams.push(r.res);
    else r.res.resume();
  }
  assert.deepEqual(codes, [200, 200, 200, 200, 503, 503], 'one client holds at most 4 event streams');
  const other = await get(server.url, '127.0.0.4', '/api/events');
  assert.equal(other.status, 200, 'another client still gets a stream');
  other.res.destroy();
});
