// A cooldown folds repeats of one state and never hides a change of state (issue 18's defect):
// the last message a person received must match the service. Delivered through the real
// ntfy-like server on loopback; the notifier's clock is manual so the cooldown is exact.
import os from 'node:os';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createNotifier } from '../../../src/notify/index.js';
import { startNtfyServer } from '../../support/ntfy-server.js';
import { testdir } from '../../support/testdir.js';
import { waitFor } from '../../support/wait.js';
import { alert, ManualClock, notifierTarget, cleanup } from './fixtures.js';

const HOST = os.hostname();

const T0 = Date.parse('2026-11-27T10:00:00Z');

async function setup(t: { after(fn: () => unknown): void }) {
  const dir = testdir();
  const server = await startNtfyServer();
  cleanup(t, async () => {
    await server.close();
    dir.remove();
  });
  const targets = new Map([notifierTarget('alerts', { type: 'ntfy', server: server.url, topic: 'ops', cooldown_seconds: 120 })]);
  const clock = new ManualClock(T0);
  const n = await createNotifier({ groupWaitSeconds: 0, outboxDir: dir.join('outbox'), env: {}, clock });
  cleanup(t, () => n.close());
  n.setTargets(targets);
  return { server, clock, n };
}

const titles = (s: { messages: { title: string | undefined }[] }) => s.messages.map((m) => m.title);

test('a service that breaks again within the cooldown after a Recovered notice is reported again', async (t) => {
  const { server, clock, n } = await setup(t);
  await n.submit(alert('minio', 'recovery-failed', 1));
  await n.submit(alert('minio', 'crash-loop', 1));
  clock.advance(20_000);
  await n.submit(alert('minio', 'recovered', 1));
  await waitFor(() => server.messages.length === 3, { what: 'first incident delivered' });
  clock.advance(30_000);
  // Broken again 50 s after the first failure notice, well within the 120 s cooldown.
  await n.submit(alert('minio', 'recovery-failed', 2));
  await n.submit(alert('minio', 'crash-loop', 2));
  await waitFor(() => server.messages.length >= 5, { what: 'second incident delivered' });
  assert.deepEqual(titles(server), [`minio Recovery Failed on ${HOST}`, `minio Crash Loop on ${HOST}`, `minio Recovered on ${HOST}`, `minio Recovery Failed on ${HOST}`, `minio Crash Loop on ${HOST}`]);
  assert.equal(server.messages.at(-1)!.title, `minio Crash Loop on ${HOST}`, 'the last message must say the service is down');
  const states = n.snapshot().recent.filter((r) => r.service === 'minio').map((r) => r.state);
  assert.ok(!states.includes('suppressed'), `nothing is suppressed: ${states.join(', ')}`);
});

test('a repeat of the state last told is still folded by the cooldown, and a recovery after it is told', async (t) => {
  const { server, clock, n } = await setup(t);
  await n.submit(alert('minio', 'recovery-failed', 1));
  await waitFor(() => server.messages.length === 1);
  // The same failure reported again for a new incident without a recovery between (the
  // person's last message already says it is failing): folded within the cooldown.
  clock.advance(30_000);
  await n.submit(alert('minio', 'recovery-failed', 2));
  const rec = n.snapshot().recent.find((r) => r.id === 'minio:recovery-failed:2');
  assert.equal(rec?.state, 'suppressed');
  assert.match(rec?.lastError ?? '', /cooldown: one recovery-failed per 120 s/);
  // Healthy again: the person was last told it failed, so they learn that it recovered.
  await n.submit(alert('minio', 'recovered', 2));
  await waitFor(() => server.messages.length === 2, { what: 'recovered notice' });
  assert.deepEqual(titles(server), [`minio Recovery Failed on ${HOST}`, `minio Recovered on ${HOST}`]);
  // A recovery nobody was told a failure about stays quiet, as before.
  await n.submit(alert('api', 'recovered', 1));
  assert.equal(n.snapshot().recent.find((r) => r.id === 'api:recovered:1')?.state, 'suppressed');
  // After the operator took a service over (closeIncident), its next failure is news again.
  await n.submit(alert('web', 'recovery-failed', 1));
  await n.closeIncident('web');
  clock.advance(10_000);
  await n.submit(alert('web', 'recovery-failed', 2));
  await waitFor(() => server.messages.length === 4, { what: 'web failures' });
  assert.deepEqual(titles(server).slice(2), [`web Recovery Failed on ${HOST}`, `web Recovery Failed on ${HOST}`]);
});

test('what was told survives a restart of the notifier', async (t) => {
  const dir = testdir();
  const server = await startNtfyServer();
  cleanup(t, async () => {
    await server.close();
    dir.remove();
  });
  const targets = new Map([notifierTarget('alerts', { type: 'ntfy', server: server.url, topic: 'ops', cooldown_seconds: 120 })]);
  const clock = new ManualClock(T0);
  const a = await createNotifier({ groupWaitSeconds: 0, outboxDir: dir.join('outbox'), env: {}, clock });
  a.setTargets(targets);
  await a.submit(alert('minio', 'recovery-failed', 1));
  await a.submit(alert('minio', 'recovered', 1));
  await waitFor(() => server.messages.length === 2);
  await a.close();
  clock.advance(10_000);
  const b = await createNotifier({ groupWaitSeconds: 0, outboxDir: dir.join('outbox'), env: {}, clock });
  cleanup(t, () => b.close());
  b.setTargets(targets);
  await b.submit(alert('minio', 'recovery-failed', 2));
  await waitFor(() => server.messages.length === 3, { what: 'failure after restart' });
  assert.equal(server.messages[2]!.title, `minio Recovery Failed on ${HOST}`);
});
