// The outbox's files on disk: what a crash, a corrupt file or a planted symlink leaves behind.
import os from 'node:os';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, lstatSync, readdirSync, readFileSync, symlinkSync, writeFileSync, mkdirSync } from 'node:fs';
import { createNotifier } from '../../../src/notify/index.js';
import { startNtfyServer } from '../../support/ntfy-server.js';
import { testdir } from '../../support/testdir.js';
import { waitFor } from '../../support/wait.js';
import { alert, capturingLog, cleanup, minioSpec, notifierTarget } from './fixtures.js';

const HOST = os.hostname();

async function setup(t: { after(fn: () => unknown): void }) {
  const dir = testdir();
  const server = await startNtfyServer();
  cleanup(t, async () => {
    await server.close();
    dir.remove();
  });
  return { dir, server, env: { VAI_NTFY_URL: server.url }, outboxDir: dir.join('outbox') };
}

test('a symlink planted as state.json is neither read nor written through', async (t) => {
  const { dir, server, env, outboxDir } = await setup(t);
  const victim = dir.write('victim.txt', 'do not touch\n');
  mkdirSync(outboxDir, { recursive: true });
  symlinkSync(victim, `${outboxDir}/state.json`);
  const { log, lines } = capturingLog();
  const n = await createNotifier({ groupWaitSeconds: 0, outboxDir, env, log });
  cleanup(t, () => n.close());
  await n.submit(alert('minio', 'recovery-failed', 1));
  await waitFor(() => server.messages.length === 1);
  assert.equal(readFileSync(victim, 'utf8'), 'do not touch\n');
  assert.ok(lstatSync(`${outboxDir}/state.json`).isFile(), 'state.json is a regular file again');
  assert.ok(lines.some((l) => l.includes('moved aside')), 'the symlink logged');
});

test('a corrupt state file is moved aside; the notifier keeps working', async (t) => {
  const { server, env, outboxDir } = await setup(t);
  mkdirSync(outboxDir, { recursive: true });
  writeFileSync(`${outboxDir}/state.json`, '{"formatVersion": 1, "seen": [');
  const n = await createNotifier({ groupWaitSeconds: 0, outboxDir, env });
  cleanup(t, () => n.close());
  await n.submit(alert('minio', 'recovery-failed', 1));
  await waitFor(() => server.messages.length === 1);
  assert.ok(existsSync(`${outboxDir}/state.json.corrupt`), 'the corrupt file kept aside');
});

test('an entry written just before a crash (state.json not yet updated) is delivered once and its cooldown holds', async (t) => {
  const { server, env, outboxDir } = await setup(t);
  await server.setMode({ type: 'refuse' });
  const a = await createNotifier({ groupWaitSeconds: 0, outboxDir, env });
  await a.submit(alert('minio', 'recovery-failed', 1));
  await a.close();
  // Simulate the crash window: the entry is on disk, state.json has never heard of it.
  writeFileSync(`${outboxDir}/state.json`, JSON.stringify({ formatVersion: 1, nextSeq: 2, dropped: 0, seen: [], cooldowns: {}, incidents: {}, records: [] }));
  await server.setMode({ type: 'accept' });
  const b = await createNotifier({ groupWaitSeconds: 0, outboxDir, env });
  cleanup(t, () => b.close());
  await b.submit(alert('minio', 'recovery-failed', 1));
  await b.submit(alert('minio', 'recovery-failed', 2));
  await waitFor(() => server.messages.length === 1 && b.snapshot().outboxSize === 0);
  await b.submit(alert('sentinel', 'recovery-failed', 1));
  await waitFor(() => server.messages.length === 2);
  assert.deepEqual(server.messages.map((m) => m.title), [`minio Recovery Failed on ${HOST}`, `sentinel Recovery Failed on ${HOST}`]);
  assert.equal(b.snapshot().recent.find((r) => r.id === 'minio:recovery-failed:2')?.state, 'suppressed');
});

test('after that crash window the next alert does not take the file of the one on disk (both arrive, also after another restart)', async (t) => {
  const { server, env, outboxDir } = await setup(t);
  await server.setMode({ type: 'refuse' });
  const a = await createNotifier({ groupWaitSeconds: 0, outboxDir, env });
  await a.submit(alert('minio', 'recovery-failed', 1));
  await a.close();
  // The crash window: entry 1 is on disk, state.json (nextSeq 1) has never heard of it.
  writeFileSync(`${outboxDir}/state.json`, JSON.stringify({ formatVersion: 1, nextSeq: 1, dropped: 0, seen: [], cooldowns: {}, incidents: {}, records: [] }));
  const b = await createNotifier({ groupWaitSeconds: 0, outboxDir, env });
  await b.submit(alert('redis', 'recovery-failed', 1));
  await b.close();
  await server.setMode({ type: 'accept' });
  const c = await createNotifier({ groupWaitSeconds: 0, outboxDir, env });
  cleanup(t, () => c.close());
  await waitFor(() => c.snapshot().outboxSize === 0 && server.messages.length === 2, { what: 'both alerts' });
  assert.deepEqual(server.messages.map((m) => m.title), [`minio Recovery Failed on ${HOST}`, `redis Recovery Failed on ${HOST}`]);
  assert.ok(c.snapshot().recent.every((r) => r.state === 'delivered'), JSON.stringify(c.snapshot().recent));
});

test('the incident a failure notice opened survives that crash window: its resolve notice still goes out', async (t) => {
  const { server, env, outboxDir } = await setup(t);
  await server.setMode({ type: 'refuse' });
  const a = await createNotifier({ groupWaitSeconds: 0, outboxDir, env });
  await a.submit(alert('minio', 'recovery-failed', 1));
  await a.close();
  writeFileSync(`${outboxDir}/state.json`, JSON.stringify({ formatVersion: 1, nextSeq: 1, dropped: 0, seen: [], cooldowns: {}, incidents: {}, records: [] }));
  await server.setMode({ type: 'accept' });
  const b = await createNotifier({ groupWaitSeconds: 0, outboxDir, env });
  cleanup(t, () => b.close());
  await b.submit(alert('minio', 'recovered', 1));
  await waitFor(() => server.messages.length === 2 && b.snapshot().outboxSize === 0, { what: 'the failure and the resolve notice' });
  assert.deepEqual(server.messages.map((m) => m.title), [`minio Recovery Failed on ${HOST}`, `minio Recovered on ${HOST}`]);
});

test('an entry whose delivery was recorded but whose file a crash left behind is not sent again', async (t) => {
  const { server, env, outboxDir } = await setup(t);
  await server.setMode({ type: 'refuse' });
  const a = await createNotifier({ groupWaitSeconds: 0, outboxDir, env });
  await a.submit(alert('minio', 'recovery-failed', 1));
  await a.close();
  const entry = readFileSync(`${outboxDir}/pending/000000000001.json`, 'utf8');
  await server.setMode({ type: 'accept' });
  const b = await createNotifier({ groupWaitSeconds: 0, outboxDir, env });
  await waitFor(() => b.snapshot().recent[0]?.state === 'delivered');
  await b.close();
  writeFileSync(`${outboxDir}/pending/000000000001.json`, entry);
  const c = await createNotifier({ groupWaitSeconds: 0, outboxDir, env });
  cleanup(t, () => c.close());
  assert.equal(c.snapshot().outboxSize, 0);
  assert.ok(!existsSync(`${outboxDir}/pending/000000000001.json`), 'the stale entry removed');
  await c.submit(alert('sentinel', 'recovery-failed', 1));
  await waitFor(() => server.messages.length === 2);
  assert.deepEqual(server.messages.map((m) => m.title), [`minio Recovery Failed on ${HOST}`, `sentinel Recovery Failed on ${HOST}`]);
});

test('URL credentials are not stored: a queued alert waits for its Notifier after a restart, then goes with them', async (t) => {
  const { dir, server, outboxDir } = await setup(t);
  const targets = new Map([notifierTarget('alerts', { type: 'ntfy', server: `http://ops:pw-s3cret-77@127.0.0.1:${server.port}`, topic: 'ops' })]);
  await server.setMode({ type: 'refuse' });
  const a = await createNotifier({ groupWaitSeconds: 0, outboxDir, env: {} });
  a.setTargets(targets);
  await a.submit(alert('minio', 'recovery-failed', 1));
  await waitFor(() => (a.snapshot().recent[0]?.attempts ?? 0) >= 1);
  await a.close();
  for (const f of readdirSync(dir.path, { recursive: true, withFileTypes: true }).filter((e) => e.isFile())) {
    assert.ok(!readFileSync(`${f.parentPath}/${f.name}`, 'utf8').includes('pw-s3cret-77'), `${f.name} holds the URL password`);
  }
  await server.setMode({ type: 'accept' });
  const b = await createNotifier({ groupWaitSeconds: 0, outboxDir, env: { VAI_NTFY_URL: server.url } });
  cleanup(t, () => b.close());
  // Before the manifests are loaded, nothing may go out without its credentials.
  await b.submit(alert('sentinel', 'recovery-failed', 1, { spec: minioSpec({ notify_on_fail: 'plain-topic' }) }));
  await waitFor(() => server.messages.length === 1);
  assert.equal(server.messages[0]!.topic, 'plain-topic');
  b.setTargets(targets);
  await waitFor(() => server.messages.length === 2, { what: 'the queued alert after setTargets' });
  assert.equal(server.messages[1]!.topic, 'ops');
  assert.equal(server.messages[1]!.authorization, `Basic ${Buffer.from('ops:pw-s3cret-77').toString('base64')}`);
});
