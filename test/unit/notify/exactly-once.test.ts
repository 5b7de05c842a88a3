// Exactly once across kill -9: the notifier runs in its own process (notifier-child.ts) and is
// killed with SIGKILL at chosen points of a delivery, against the ntfy-like server on 127.0.0.1
// (publish and poll as ntfy documents them). Also the answer that never comes (a timeout after
// the server stored the message), a server before ntfy 2.16 (no sequence ids), a token that
// may not read, and the idempotency keys of webhooks and commands.
import os from 'node:os';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createNotifier, readAlertRecords } from '../../../src/notify/index.js';
import { matchPublished, pollUrl, CLOCK_SLACK_SECONDS } from '../../../src/notify/sinks/ntfy-poll.js';
import { startNtfyServer } from '../../support/ntfy-server.js';
import { testdir } from '../../support/testdir.js';
import { waitFor } from '../../support/wait.js';
import { alert, cleanup, minioSpec, notifierTarget } from './fixtures.js';
import type { Alert } from '../../../src/notify/types.js';

const HOST = os.hostname();

const here = path.dirname(fileURLToPath(import.meta.url));
const CHILD = path.join(here, 'notifier-child.ts');
const TOKEN = 'tk_exactly0nce_secret_4711';
// Generous: a poll that timed out on a loaded machine would be a resend, i.e. a duplicate.
const TIMEOUT_MS = 2_000;
const FAST = { deliveryTimeoutMs: TIMEOUT_MS, retry: { initialMs: 30, maxMs: 200 } };

type HasAfter = { after(fn: () => unknown): void };

async function setup(t: HasAfter) {
  const dir = testdir();
  const server = await startNtfyServer();
  server.requireToken = TOKEN;
  cleanup(t, async () => {
    await server.close();
    dir.remove();
  });
  return { dir, server, env: { VAI_NTFY_URL: server.url, VAI_NTFY_TOKEN: TOKEN }, outboxDir: dir.join('outbox') };
}

interface Child {
  pid: number;
  lines: string[];
  kill9(): Promise<void>;
}

/** Starts a notifier process; resolves once its outbox is open and its alerts are submitted. */
async function startChild(t: HasAfter, input: { outboxDir: string; env: Record<string, string>; deliveryTimeoutMs: number; alerts: Alert[] }): Promise<Child> {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD], {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NOTIFIER_CHILD: JSON.stringify(input) },
  });
  const pid = child.pid!;
  const lines: string[] = [];
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => lines.push(...c.toString('utf8').split('\n').filter(Boolean)));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const kill9 = async () => {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // already gone
    }
    if (child.exitCode === null && child.signalCode === null) await exited;
  };
  cleanup(t, kill9);
  const want = input.alerts.length;
  await waitFor(
    () => {
      if (child.exitCode !== null) throw new Error(`notifier child exited ${child.exitCode}: ${stderr}`);
      return lines.includes('ready') && lines.filter((l) => l.startsWith('submitted ')).length === want;
    },
    { what: 'the notifier child to open its outbox and submit', timeoutMs: 60_000 },
  );
  return { pid, lines, kill9 };
}

async function record(outboxDir: string, id: string) {
  return (await readAlertRecords(outboxDir))?.recent.find((r) => r.id === id);
}

function pendingEntries(outboxDir: string): Array<{ id: string; inDoubtSince?: number | null }> {
  const dir = path.join(outboxDir, 'pending');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((n) => n.endsWith('.json') && !n.startsWith('.'))
    .map((n) => JSON.parse(readFileSync(path.join(dir, n), 'utf8')) as { id: string; inDoubtSince?: number | null });
}

function notifierState(outboxDir: string): { unverifiedResends: number; serverIds: string[] } {
  return JSON.parse(readFileSync(path.join(outboxDir, 'state.json'), 'utf8')) as { unverifiedResends: number; serverIds: string[] };
}

const first = alert('minio', 'recovery-failed', 1);

for (const legacy of [false, true]) {
  const server = legacy ? 'a server before ntfy 2.16 (matched by text)' : 'ntfy >= 2.16 (matched by sequence id)';
  test(`kill -9 after ntfy stored the message, before its answer arrived: the next start finds it and sends nothing again — ${server}`, async (t) => {
    const s = await setup(t);
    s.server.legacy = legacy;
    await s.server.setMode({ type: 'accept-no-answer' });
    const a = await startChild(t, { outboxDir: s.outboxDir, env: s.env, deliveryTimeoutMs: 60_000, alerts: [first] });
    await waitFor(() => s.server.messages.length === 1, { what: 'ntfy to store the message' });
    const [entry] = pendingEntries(s.outboxDir);
    assert.equal(typeof entry?.inDoubtSince, 'number', 'the attempt was marked in doubt on disk before the request left');
    await a.kill9();

    await s.server.setMode({ type: 'accept' });
    await startChild(t, { outboxDir: s.outboxDir, env: s.env, deliveryTimeoutMs: TIMEOUT_MS, alerts: [] });
    // The record says delivered first, then the entry file goes.
    await waitFor(() => pendingEntries(s.outboxDir).length === 0, { what: 'the outbox entry to go' });
    const r = await record(s.outboxDir, first.id);
    assert.equal(r?.state, 'delivered');
    assert.equal(r.lastError, null);
    assert.equal(s.server.messages.length, 1, 'sent once');
    assert.equal(s.server.polls, 1, 'asked ntfy once');
    assert.deepEqual(notifierState(s.outboxDir).serverIds, [s.server.messages[0]!.id], 'the found message is known as ours');
    if (!legacy) assert.match(s.server.messages[0]!.sequenceId ?? '', /^vai-[0-9a-f]{24}$/);
  });
}

test('kill -9 after the mark, before ntfy stored anything: the next start finds nothing and sends it once', async (t) => {
  const s = await setup(t);
  await s.server.setMode({ type: 'hang' });
  const a = await startChild(t, { outboxDir: s.outboxDir, env: s.env, deliveryTimeoutMs: 60_000, alerts: [first] });
  await waitFor(() => s.server.requests >= 1, { what: 'the request to reach the server' });
  await a.kill9();
  assert.equal(s.server.messages.length, 0);
  await s.server.setMode({ type: 'accept' });
  await startChild(t, { outboxDir: s.outboxDir, env: s.env, deliveryTimeoutMs: TIMEOUT_MS, alerts: [] });
  await waitFor(async () => (await record(s.outboxDir, first.id))?.state === 'delivered', { what: 'the delivered record' });
  assert.equal(s.server.messages.length, 1);
  assert.equal(s.server.polls, 1);
});

test('kill -9 again while the next start asks ntfy: the third start still sends nothing twice', async (t) => {
  const s = await setup(t);
  await s.server.setMode({ type: 'accept-no-answer' });
  const a = await startChild(t, { outboxDir: s.outboxDir, env: s.env, deliveryTimeoutMs: 60_000, alerts: [first] });
  await waitFor(() => s.server.messages.length === 1);
  await a.kill9();
  await s.server.setMode({ type: 'accept' });
  s.server.setPollMode({ type: 'hang' });
  const b = await startChild(t, { outboxDir: s.outboxDir, env: s.env, deliveryTimeoutMs: 60_000, alerts: [] });
  await waitFor(() => s.server.polls >= 1, { what: 'the second start to poll' });
  await b.kill9();
  s.server.setPollMode(null);
  await startChild(t, { outboxDir: s.outboxDir, env: s.env, deliveryTimeoutMs: TIMEOUT_MS, alerts: [] });
  await waitFor(async () => (await record(s.outboxDir, first.id))?.state === 'delivered');
  assert.equal(s.server.messages.length, 1);
  assert.equal(s.server.polls, 2);
});

test('a token that may publish but not read: sent again (at least once), counted, the record says it may have doubled', async (t) => {
  const s = await setup(t);
  await s.server.setMode({ type: 'accept-no-answer' });
  const a = await startChild(t, { outboxDir: s.outboxDir, env: s.env, deliveryTimeoutMs: 60_000, alerts: [first] });
  await waitFor(() => s.server.messages.length === 1);
  await a.kill9();
  s.server.denyRead = true;
  await s.server.setMode({ type: 'accept' });
  await startChild(t, { outboxDir: s.outboxDir, env: s.env, deliveryTimeoutMs: TIMEOUT_MS, alerts: [] });
  const r = await waitFor(async () => (await record(s.outboxDir, first.id))?.state === 'delivered' && record(s.outboxDir, first.id));
  assert.equal(s.server.messages.length, 2, 'the floor is at least once');
  // ntfy >= 2.16 apps show a message with a sequence id already shown in place of the first.
  assert.equal(s.server.messages[0]!.sequenceId, s.server.messages[1]!.sequenceId);
  assert.match(r!.lastError ?? '', /sent again without knowing whether an earlier attempt arrived \(poll: HTTP 403.*\); it may have arrived twice/);
  assert.ok(!(r!.lastError ?? '').includes(TOKEN));
  assert.equal(notifierState(s.outboxDir).unverifiedResends, 1);
});

test('an answer that never comes after ntfy stored the message (timeout): the retry finds it instead of sending again', async (t) => {
  const s = await setup(t);
  await s.server.setMode({ type: 'accept-no-answer' });
  const n = await createNotifier({ groupWaitSeconds: 0, outboxDir: s.outboxDir, env: s.env, ...FAST });
  cleanup(t, () => n.close());
  await n.submit(first);
  await waitFor(() => n.snapshot().recent[0]?.state === 'delivered', { what: 'the delivered record', timeoutMs: 60_000 });
  assert.equal(s.server.messages.length, 1);
  assert.equal(s.server.polls, 1);
  assert.equal(n.snapshot().recent[0]!.attempts, 2);
});

test('a server before ntfy 2.16: an earlier message with the same text is not taken for the uncertain one', async (t) => {
  const s = await setup(t);
  s.server.legacy = true;
  const n = await createNotifier({ groupWaitSeconds: 0, outboxDir: s.outboxDir, env: s.env, ...FAST });
  cleanup(t, () => n.close());
  n.setTargets(new Map([notifierTarget('alerts', { type: 'ntfy', server: s.server.url, topic: 'alerts', cooldown_seconds: 0 })]));
  // Same service, kind and attempt: the three alerts read exactly alike.
  const [a, b, c] = [1, 2, 3].map((i) => alert('minio', 'recovery-failed', i));
  await n.submit(a!);
  await waitFor(() => n.snapshot().recent[0]?.state === 'delivered');

  // b never reaches the store (the server hangs): its retry polls, sees only a (known), sends b.
  await s.server.setMode({ type: 'hang' });
  s.server.setPollMode({ type: 'accept' });
  await n.submit(b!);
  await waitFor(() => s.server.polls >= 1, { what: 'the retry of b to poll', timeoutMs: 60_000 });
  await s.server.setMode({ type: 'accept' });
  s.server.setPollMode(null);
  await waitFor(() => n.snapshot().recent.find((r) => r.id === b!.id)?.state === 'delivered', { timeoutMs: 60_000 });
  assert.equal(s.server.messages.length, 2, 'b was sent, not mistaken for a');

  // c is stored but its answer never comes: its retry finds it among a and b, sends nothing more.
  await s.server.setMode({ type: 'accept-no-answer' });
  await n.submit(c!);
  await waitFor(() => n.snapshot().recent.find((r) => r.id === c!.id)?.state === 'delivered', { timeoutMs: 60_000 });
  assert.equal(s.server.messages.length, 3);
  assert.ok(s.server.messages.every((m) => m.title === `minio Recovery Failed on ${HOST}` && m.message === s.server.messages[0]!.message));
});

test('poll matching: sequence id first; without one, exact text and not a message known as ours', () => {
  const want = { key: 'vai-0123456789abcdef01234567', title: 'minio Recovery Failed', message: 'Service: minio\nStatus: x' };
  const line = (o: Record<string, unknown>) => JSON.stringify({ time: 1764237906, event: 'message', topic: 'alerts', ...o });
  const rows: Array<[string, string, ReadonlySet<string>, ReturnType<typeof matchPublished>]> = [
    ['ours by sequence id', line({ id: 'AAAAAAAAAAAA', sequence_id: want.key, title: 'other', message: 'other' }), new Set(), { type: 'found', messageId: 'AAAAAAAAAAAA' }],
    ['same text, other sequence id: not ours', line({ id: 'BBBBBBBBBBBB', sequence_id: 'vai-ffffffffffffffffffffffff', title: want.title, message: want.message }), new Set(), { type: 'absent' }],
    ['old server, same text: ours', line({ id: 'CCCCCCCCCCCC', title: want.title, message: `${want.message}\n` }), new Set(), { type: 'found', messageId: 'CCCCCCCCCCCC' }],
    ['old server, same text, already known as delivered: not ours', line({ id: 'CCCCCCCCCCCC', title: want.title, message: want.message }), new Set(['CCCCCCCCCCCC']), { type: 'absent' }],
    ['old server, other title', line({ id: 'DDDDDDDDDDDD', title: 'redis Recovery Failed', message: want.message }), new Set(), { type: 'absent' }],
    ['open and keepalive events are skipped', `${line({ id: 'EEEEEEEEEEEE', event: 'open' })}\n${line({ id: 'FFFFFFFFFFFF', event: 'keepalive' })}`, new Set(), { type: 'absent' }],
    ['nothing cached', '', new Set(), { type: 'absent' }],
    ['not ntfy JSON', '<html>proxy error</html>', new Set(), { type: 'unknown', reason: 'the poll answer is not ntfy JSON' }],
  ];
  for (const [name, ndjson, known, expected] of rows) assert.deepEqual(matchPublished(ndjson, want, known), expected, name);
  const at = Date.parse('2026-11-27T10:05:06.789Z');
  assert.equal(pollUrl('https://ntfy.example/', 'alerts', at), `https://ntfy.example/alerts/json?poll=1&since=${Math.floor(at / 1000) - CLOCK_SLACK_SECONDS}`);
});

test('webhook: every attempt of one notification carries the same Idempotency-Key; the record says the resend was unverified', async (t) => {
  const dir = testdir();
  cleanup(t, () => dir.remove());
  const keys: string[] = [];
  let answers = 0;
  const hook = http.createServer((req, res) => {
    keys.push(String(req.headers['idempotency-key']));
    req.resume();
    req.on('end', () => res.writeHead(++answers <= 2 ? 502 : 200).end());
  });
  await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
  cleanup(t, () => new Promise<void>((r) => hook.close(() => r())));
  const url = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook`;
  const n = await createNotifier({ groupWaitSeconds: 0, outboxDir: dir.join('outbox'), env: {}, ...FAST });
  cleanup(t, () => n.close());
  n.setTargets(new Map([notifierTarget('ops', { type: 'webhook', url, cooldown_seconds: 0 })]));
  const spec = minioSpec({ notify_on_fail: 'ops' });
  await n.submit(alert('minio', 'recovery-failed', 1, { spec }));
  await n.submit(alert('minio', 'recovery-failed', 2, { spec }));
  await waitFor(() => n.snapshot().outboxSize === 0, { timeoutMs: 60_000 });
  assert.equal(keys.length, 4);
  assert.match(keys[0]!, /^vai-[0-9a-f]{24}$/);
  assert.equal(keys[1], keys[0]);
  assert.equal(keys[2], keys[0], 'the same key until it was delivered');
  assert.notEqual(keys[3], keys[0], 'the next notification has its own key');
  // A 502 may come from a proxy that had passed the request on: the resend is not verified.
  assert.match(n.snapshot().recent[0]!.lastError ?? '', /Idempotency-Key\); it may have arrived twice/);
  assert.equal(n.snapshot().recent[1]!.lastError, null);
});

test('command: VAI_IDEMPOTENCY_KEY is set, the same on a retry', async (t) => {
  const dir = testdir();
  cleanup(t, () => dir.remove());
  const out = dir.join('keys');
  const n = await createNotifier({ groupWaitSeconds: 0, outboxDir: dir.join('outbox'), env: { PATH: process.env.PATH ?? '', OUT: out }, ...FAST });
  cleanup(t, () => n.close());
  // Fails the first run (after noting its key), succeeds the second.
  const script = 'echo "$VAI_IDEMPOTENCY_KEY" >> "$OUT"; [ "$(wc -l < "$OUT")" -ge 2 ]';
  n.setTargets(new Map([notifierTarget('pager', { type: 'command', command: script })]));
  await n.submit(alert('minio', 'recovery-failed', 1, { spec: minioSpec({ notify_on_fail: 'pager' }) }));
  await waitFor(() => n.snapshot().recent[0]?.state === 'delivered', { timeoutMs: 60_000 });
  const keys = readFileSync(out, 'utf8').split('\n').filter(Boolean);
  assert.equal(keys.length, 2);
  assert.match(keys[0]!, /^vai-[0-9a-f]{24}$/);
  assert.equal(keys[1], keys[0]);
});

