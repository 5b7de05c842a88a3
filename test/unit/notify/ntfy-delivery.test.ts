// The notifier against a real ntfy-like HTTP server on 127.0.0.1.
import os from 'node:os';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { createNotifier } from '../../../src/notify/index.js';
import { startNtfyServer, type NtfyServer } from '../../support/ntfy-server.js';
import { testdir, type TestDir } from '../../support/testdir.js';
import { waitFor } from '../../support/wait.js';
import { alert, capturingLog, notifierTarget, cleanup } from './fixtures.js';

const HOST = os.hostname();

const TOKEN = 'tk_sup3rsecretvalue0123456789';
const FAST = { deliveryTimeoutMs: 400, retry: { initialMs: 30, maxMs: 200 } };

async function setup(t: { after(fn: () => unknown): void }) {
  const dir = testdir();
  const server = await startNtfyServer();
  cleanup(t, async () => {
    await server.close();
    dir.remove();
  });
  const env = { VAI_NTFY_URL: server.url, VAI_NTFY_TOKEN: TOKEN };
  return { dir, server, env, outboxDir: dir.join('state', 'outbox') };
}

function allFiles(root: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(root, { withFileTypes: true })) {
    const p = path.join(root, e.name);
    if (e.isDirectory()) out.push(...allFiles(p));
    else out.push(p);
  }
  return out;
}

function assertNoSecret(dir: TestDir, lines: string[], secret: string) {
  for (const f of allFiles(dir.path)) assert.ok(!readFileSync(f, 'utf8').includes(secret), `${f} holds the secret`);
  for (const l of lines) assert.ok(!l.includes(secret), `log line holds the secret: ${l}`);
}

const delivered = (server: NtfyServer, n: number) => () => server.messages.length >= n;

test('ntfy: title, priority, tags, token and body match the seed format', async (t) => {
  const { server, env, outboxDir } = await setup(t);
  const n = await createNotifier({ groupWaitSeconds: 0, outboxDir, env, hostname: 'vps1', ...FAST });
  cleanup(t, () => n.close());
  await n.submit(alert('minio', 'recovery-failed', 1, { dependents: ['api'] }));
  await waitFor(delivered(server, 1), { what: 'the ntfy message' });
  const m = server.messages[0]!;
  assert.equal(m.topic, 'alerts');
  assert.equal(m.title, 'minio Recovery Failed on vps1');
  assert.equal(m.priority, 5);
  assert.deepEqual(m.tags, ['rotating_light', 'alert', 'auto-recovery']);
  assert.equal(m.authorization, `Bearer ${TOKEN}`);
  assert.match(m.message, /^Service: minio\nStatus: Failed health check/);
  assert.match(m.message, /^Recovery attempt: Failed \(attempt 1\)$/m);
  assert.match(m.message, /^Container: services-container$/m);
  assert.match(m.message, /^Health check: HTTP GET http:\/\/localhost:9000\/minio\/health\/live$/m);
  assert.match(m.message, /^Restart command: \/usr\/local\/bin\/minio server \/data --console-address :9001$/m);
  assert.match(m.message, /^View logs: docker exec services-container tail -50 \/workspace\/vai\/logs\/minio.log$/m);
  assert.match(m.message, /^Dependents affected: api$/m);
  await waitFor(() => n.snapshot().recent[0]?.state === 'delivered', { what: 'the delivered record' });
  const r = n.snapshot().recent[0]!;
  assert.equal(r.sink, 'ntfy');
  assert.equal(r.target, `${server.url}/alerts`);
  assert.equal(r.attempts, 1);
  assert.equal(n.snapshot().outboxSize, 0);
});

test('a Notifier maps the alias to its real topic and server; files are 0600', async (t) => {
  const { server, outboxDir } = await setup(t);
  const n = await createNotifier({ groupWaitSeconds: 0, outboxDir, env: {}, ...FAST });
  cleanup(t, () => n.close());
  n.setTargets(new Map([notifierTarget('alerts', { type: 'ntfy', server: `${server.url}/`, topic: 'khali-vps-alerts' })]));
  await n.submit(alert('minio', 'recovery-failed', 1));
  await waitFor(delivered(server, 1));
  assert.equal(server.messages[0]!.topic, 'khali-vps-alerts');
  assert.equal(server.messages[0]!.authorization, undefined, 'no token configured, no Authorization header');
  for (const f of allFiles(outboxDir)) assert.equal(statSync(f).mode & 0o777, 0o600, f);
});

test('the same alert id is accepted once, also across a restart', async (t) => {
  const { server, env, outboxDir } = await setup(t);
  const a = await createNotifier({ groupWaitSeconds: 0, outboxDir, env, ...FAST });
  await a.submit(alert('minio', 'recovery-failed', 1));
  await a.submit(alert('minio', 'recovery-failed', 1));
  await waitFor(delivered(server, 1));
  await a.close();
  const b = await createNotifier({ groupWaitSeconds: 0, outboxDir, env, ...FAST });
  cleanup(t, () => b.close());
  await b.submit(alert('minio', 'recovery-failed', 1));
  // A later, different alert to the same topic arrives; the duplicate would have come first.
  await b.submit(alert('other', 'recovery-failed', 1));
  await waitFor(delivered(server, 2));
  assert.deepEqual(server.messages.map((m) => m.title), [`minio Recovery Failed on ${HOST}`, `other Recovery Failed on ${HOST}`]);
});

test('cooldown per service and kind holds across a notifier restart, and expires', async (t) => {
  const { server, env, outboxDir } = await setup(t);
  let now = Date.parse('2026-11-27T10:00:00Z');
  const clock = { now: () => now, setTimeout: (fn: () => void, ms: number) => setTimeout(fn, ms), clearTimeout: (h: unknown) => clearTimeout(h as NodeJS.Timeout) };
  const a = await createNotifier({ groupWaitSeconds: 0, outboxDir, env, clock, ...FAST });
  await a.submit(alert('minio', 'recovery-failed', 1));
  await waitFor(delivered(server, 1));
  await a.close();

  now += 60_000;
  const b = await createNotifier({ groupWaitSeconds: 0, outboxDir, env, clock, ...FAST });
  cleanup(t, () => b.close());
  await b.submit(alert('minio', 'recovery-failed', 2));
  const suppressed = b.snapshot().recent.find((r) => r.id === 'minio:recovery-failed:2');
  assert.equal(suppressed?.state, 'suppressed');
  assert.match(suppressed?.lastError ?? '', /cooldown/);
  // Another kind for the same service, and the same kind for another service, are not held back.
  await b.submit(alert('minio', 'crash-loop', 2));
  await b.submit(alert('redis', 'recovery-failed', 1));
  now += 900_000;
  await b.submit(alert('minio', 'recovery-failed', 3));
  await waitFor(delivered(server, 4));
  assert.deepEqual(server.messages.map((m) => m.title), [`minio Recovery Failed on ${HOST}`, `minio Crash Loop on ${HOST}`, `redis Recovery Failed on ${HOST}`, `minio Recovery Failed on ${HOST}`]);
});

test('server down (refusing, then 503, then hanging past the timeout): each alert arrives once, in order', async (t) => {
  const { server, env, outboxDir } = await setup(t);
  const n = await createNotifier({ groupWaitSeconds: 0, outboxDir, env, ...FAST });
  cleanup(t, () => n.close());
  await server.setMode({ type: 'refuse' });
  await n.submit(alert('minio', 'recovery-failed', 1));
  await n.submit(alert('redis', 'recovery-failed', 1));
  await waitFor(() => (n.snapshot().recent[0]?.attempts ?? 0) >= 2, { what: 'two refused attempts' });
  assert.match(n.snapshot().recent[0]!.lastError ?? '', /connection refused/);

  await server.setMode({ type: 'status', status: 503 });
  await n.submit(alert('minio', 'crash-loop', 1));
  const before503 = server.requests;
  await waitFor(() => server.requests >= before503 + 2, { what: 'two 503 answers' });
  await waitFor(() => /HTTP 503/.test(n.snapshot().recent[0]!.lastError ?? ''));

  await server.setMode({ type: 'hang' });
  const beforeHang = server.requests;
  await waitFor(() => server.requests >= beforeHang + 2, { what: 'two hung requests' });
  await waitFor(() => /timed out/.test(n.snapshot().recent[0]!.lastError ?? ''));
  assert.equal(server.messages.length, 0);
  assert.equal(n.snapshot().outboxSize, 3);

  await server.setMode({ type: 'accept' });
  await waitFor(delivered(server, 3), { what: 'all three after the server returned' });
  await waitFor(() => n.snapshot().outboxSize === 0);
  assert.deepEqual(server.messages.map((m) => m.title), [`minio Recovery Failed on ${HOST}`, `redis Recovery Failed on ${HOST}`, `minio Crash Loop on ${HOST}`]);
  assert.ok(n.snapshot().recent.every((r) => r.state === 'delivered'), JSON.stringify(n.snapshot().recent));
  assert.ok(n.snapshot().recent[0]!.attempts > 4, 'the first one was tried through the whole outage');
});

test('undelivered alerts survive a restart and arrive once, in order, when the server returns', async (t) => {
  const { server, env, outboxDir } = await setup(t);
  await server.setMode({ type: 'status', status: 503 });
  const a = await createNotifier({ groupWaitSeconds: 0, outboxDir, env, ...FAST });
  for (const s of ['a', 'b', 'c']) await a.submit(alert(s, 'recovery-failed', 1));
  await waitFor(() => server.requests >= 2);
  await a.close();
  await server.setMode({ type: 'refuse' });
  const b = await createNotifier({ groupWaitSeconds: 0, outboxDir, env, ...FAST });
  await waitFor(() => (b.snapshot().recent[0]?.lastError ?? '').includes('refused'));
  await b.close();
  await server.setMode({ type: 'accept' });
  const c = await createNotifier({ groupWaitSeconds: 0, outboxDir, env, ...FAST });
  cleanup(t, () => c.close());
  await waitFor(delivered(server, 3));
  await waitFor(() => c.snapshot().outboxSize === 0);
  await c.submit(alert('d', 'recovery-failed', 1));
  await waitFor(delivered(server, 4));
  assert.deepEqual(server.messages.map((m) => (m.title ?? '').split(' ')[0]), ['a', 'b', 'c', 'd']);
});

test('429 with Retry-After is honoured before the next attempt', async (t) => {
  const { server, env, outboxDir } = await setup(t);
  await server.setMode({ type: 'status', status: 429, retryAfter: '1' });
  const n = await createNotifier({ groupWaitSeconds: 0, outboxDir, env, ...FAST });
  cleanup(t, () => n.close());
  await n.submit(alert('minio', 'recovery-failed', 1));
  await waitFor(() => server.requests >= 1);
  const first = Date.now();
  await server.setMode({ type: 'accept' });
  await waitFor(delivered(server, 1));
  assert.ok(server.messages[0]!.receivedAt - first >= 900, 'the retry waited for Retry-After');
});

test('401 is recorded with its reason and not retried; the token appears in no log line or file', async (t) => {
  const { dir, server, env, outboxDir } = await setup(t);
  server.requireToken = 'the-right-token';
  const { log, lines } = capturingLog();
  const n = await createNotifier({ groupWaitSeconds: 0, outboxDir, env, log, ...FAST });
  cleanup(t, () => n.close());
  await n.submit(alert('minio', 'recovery-failed', 1));
  await waitFor(() => n.snapshot().recent[0]?.state === 'failed', { what: 'the failed record' });
  const r = n.snapshot().recent[0]!;
  assert.match(r.lastError ?? '', /HTTP 401.*unauthorized/);
  assert.equal(r.attempts, 1);
  assert.equal(n.snapshot().outboxSize, 0, 'nothing left to retry');
  assert.equal(server.requests, 1);
  await waitFor(() => lines.some((l) => l.includes('VAI_E_NOTIFY_REJECTED')), { what: 'the rejection logged with its code' });
  await n.close();
  assertNoSecret(dir, lines, TOKEN);
  assert.ok(!JSON.stringify(n.snapshot()).includes(TOKEN), 'token in the snapshot');
});

test('a server that echoes the token in its error does not get it into status or logs', async (t) => {
  const { dir, server, env, outboxDir } = await setup(t);
  await server.setMode({ type: 'status', status: 403, body: `{"error":"token ${TOKEN} is not allowed on this topic"}` });
  const { log, lines } = capturingLog();
  const n = await createNotifier({ groupWaitSeconds: 0, outboxDir, env, log, ...FAST });
  cleanup(t, () => n.close());
  await n.submit(alert('minio', 'recovery-failed', 1));
  await waitFor(() => n.snapshot().recent[0]?.state === 'failed');
  assert.match(n.snapshot().recent[0]!.lastError ?? '', /HTTP 403.*token \*\*\* is not allowed/);
  await n.close();
  assertNoSecret(dir, lines, TOKEN);
});

test('the outbox is bounded: the oldest fall off, are counted, and the rest arrive', async (t) => {
  const { server, env, outboxDir } = await setup(t);
  await server.setMode({ type: 'refuse' });
  const { log, lines } = capturingLog();
  const n = await createNotifier({ groupWaitSeconds: 0, outboxDir, env, log, maxOutbox: 3, ...FAST });
  cleanup(t, () => n.close());
  for (const s of ['s1', 's2', 's3', 's4', 's5']) await n.submit(alert(s, 'recovery-failed', 1));
  assert.equal(n.snapshot().outboxSize, 3);
  assert.equal(n.snapshot().dropped, 2);
  assert.ok(lines.some((l) => l.includes('outbox full')), 'outbox full logged');
  await server.setMode({ type: 'accept' });
  await waitFor(() => n.snapshot().outboxSize === 0);
  const titles = server.messages.map((m) => (m.title ?? '').split(' ')[0]);
  // The one in flight when the outbox overflowed is kept; the next oldest fall off.
  assert.equal(titles.length, 3);
  assert.deepEqual(titles.slice(-2), ['s4', 's5']);
  assert.equal(n.snapshot().recent.filter((r) => r.state === 'dropped').length, 2);
});

test('recovered: a resolve notice follows a failure notice, never stands alone', async (t) => {
  const { server, env, outboxDir } = await setup(t);
  const n = await createNotifier({ groupWaitSeconds: 0, outboxDir, env, ...FAST });
  cleanup(t, () => n.close());
  await n.submit(alert('redis', 'recovered', 1));
  assert.equal(n.snapshot().recent[0]?.state, 'suppressed');
  await n.submit(alert('minio', 'recovery-failed', 1));
  await n.submit(alert('minio', 'recovered', 1, { message: 'healthy after 3 attempts' }));
  await waitFor(delivered(server, 2));
  const m = server.messages[1]!;
  assert.equal(m.title, `minio Recovered on ${HOST}`);
  assert.equal(m.priority, 2);
  assert.deepEqual(m.tags, ['white_check_mark', 'resolved', 'auto-recovery']);
  await n.submit(alert('minio', 'recovered', 2));
  assert.equal(n.snapshot().recent.at(-1)?.state, 'suppressed', 'a second resolve has nothing to resolve');
});
