// Reminders while a service stays failed; the clock is manual so intervals are exact, and
// every delivery still goes through a real ntfy-like server.
import os from 'node:os';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createNotifier } from '../../../src/notify/index.js';
import { startNtfyServer } from '../../support/ntfy-server.js';
import { testdir } from '../../support/testdir.js';
import { waitFor } from '../../support/wait.js';
import { readdirSync, readFileSync } from 'node:fs';
import { alert, ManualClock, minioSpec, notifierTarget, cleanup } from './fixtures.js';

const HOST = os.hostname();

const T0 = Date.parse('2026-11-27T10:00:00Z');

async function setup(t: { after(fn: () => unknown): void }, reminderSeconds: number) {
  const dir = testdir();
  const server = await startNtfyServer();
  cleanup(t, async () => {
    await server.close();
    dir.remove();
  });
  const targets = new Map([notifierTarget('alerts', { type: 'ntfy', server: server.url, topic: 'ops', reminder_seconds: reminderSeconds })]);
  return { dir, server, targets, outboxDir: dir.join('outbox') };
}

const titles = (s: { messages: { title: string | undefined }[] }) => s.messages.map((m) => m.title);

test('while a service stays failed it is re-notified every reminder_seconds, and not after it recovered', async (t) => {
  const { server, targets, outboxDir } = await setup(t, 3600);
  const clock = new ManualClock(T0);
  const n = await createNotifier({ groupWaitSeconds: 0, outboxDir, env: {}, clock });
  cleanup(t, () => n.close());
  n.setTargets(targets);
  await n.submit(alert('minio', 'recovery-failed', 1));
  await waitFor(() => server.messages.length === 1);

  clock.advance(3_599_000);
  clock.advance(1_000);
  await waitFor(() => server.messages.length === 2, { what: 'first reminder' });
  const r = server.messages[1]!;
  assert.equal(r.title, `minio Still Failing on ${HOST}`);
  assert.equal(r.priority, 4);
  assert.match(r.message, /^Status: Still failing \(failing since 2026-11-27T10:00:00.000Z; reminder 1: HTTP 503/m);

  clock.advance(3_600_000);
  await waitFor(() => server.messages.length === 3, { what: 'second reminder' });

  await n.submit(alert('minio', 'recovered', 1));
  await waitFor(() => server.messages.length === 4);
  clock.advance(10 * 3_600_000);
  // Anything a reminder had queued would be ahead of this sentinel on the same topic.
  await n.submit(alert('sentinel', 'recovery-failed', 1));
  await waitFor(() => server.messages.length === 5);
  assert.deepEqual(titles(server), [`minio Recovery Failed on ${HOST}`, `minio Still Failing on ${HOST}`, `minio Still Failing on ${HOST}`, `minio Recovered on ${HOST}`, `sentinel Recovery Failed on ${HOST}`]);
});

test('reminders are off by default, and closeIncident stops them without a message', async (t) => {
  const { server, targets, outboxDir } = await setup(t, 600);
  const clock = new ManualClock(T0);
  const n = await createNotifier({ groupWaitSeconds: 0, outboxDir, env: {}, clock });
  cleanup(t, () => n.close());
  n.setTargets(targets);
  await n.submit(alert('minio', 'recovery-failed', 1));
  await n.closeIncident('minio');
  clock.advance(3 * 600_000);
  await n.submit(alert('minio', 'recovered', 1));
  assert.equal(n.snapshot().recent.at(-1)?.state, 'suppressed');
  await n.submit(alert('sentinel', 'recovery-failed', 1));
  await waitFor(() => server.messages.length === 2);
  assert.deepEqual(titles(server), [`minio Recovery Failed on ${HOST}`, `sentinel Recovery Failed on ${HOST}`]);

  n.setTargets(new Map([notifierTarget('alerts', { type: 'ntfy', server: server.url, topic: 'ops' })]));
  clock.advance(10 * 600_000);
  await n.submit(alert('sentinel2', 'recovery-failed', 1));
  await waitFor(() => server.messages.length === 3);
  assert.equal(server.messages[2]!.title, `sentinel2 Recovery Failed on ${HOST}`, 'reminder_seconds 0: no reminder for the open sentinel incident');
});

test('a reminder due while vaid was down is sent once after the restart, not once per missed interval', async (t) => {
  const { server, targets, outboxDir } = await setup(t, 600);
  const clock = new ManualClock(T0);
  const a = await createNotifier({ groupWaitSeconds: 0, outboxDir, env: {}, clock });
  a.setTargets(targets);
  await a.submit(alert('minio', 'recovery-failed', 1));
  await waitFor(() => server.messages.length === 1);
  await a.close();

  clock.advance(5 * 600_000);
  const b = await createNotifier({ groupWaitSeconds: 0, outboxDir, env: {}, clock });
  cleanup(t, () => b.close());
  b.setTargets(targets);
  clock.advance(0);
  await waitFor(() => server.messages.length === 2, { what: 'the overdue reminder' });
  await b.submit(alert('sentinel', 'recovery-failed', 1));
  await waitFor(() => server.messages.length === 3);
  assert.deepEqual(titles(server), [`minio Recovery Failed on ${HOST}`, `minio Still Failing on ${HOST}`, `sentinel Recovery Failed on ${HOST}`]);
});

test('the incident kept on disk for reminders holds no URL credentials of the service spec', async (t) => {
  const { dir, server, targets, outboxDir } = await setup(t, 600);
  const clock = new ManualClock(T0);
  const n = await createNotifier({ groupWaitSeconds: 0, outboxDir, env: {}, clock });
  cleanup(t, () => n.close());
  n.setTargets(targets);
  const spec = minioSpec({ health_check: { type: 'http', endpoint: 'http://admin:hc-pass-991@localhost:9000/health', interval_seconds: 60, timeout_seconds: 5, failure_threshold: 1, success_threshold: 1 } });
  await n.submit(alert('minio', 'recovery-failed', 1, { spec, message: 'GET http://admin:hc-pass-991@localhost:9000/health: refused' }));
  clock.advance(600_000);
  await waitFor(() => server.messages.length === 2, { what: 'the reminder' });
  assert.match(server.messages[1]!.message, /^Health check: HTTP GET http:\/\/\*\*\*@localhost:9000\/health$/m);
  await n.close();
  for (const e of readdirSync(dir.path, { recursive: true, withFileTypes: true }).filter((x) => x.isFile())) {
    assert.ok(!readFileSync(`${e.parentPath}/${e.name}`, 'utf8').includes('hc-pass-991'), `${e.name} holds the password`);
  }
  assert.ok(server.messages.every((m) => !m.message.includes('hc-pass-991')), 'a message holds the password');
});
