// Muted alerts (issue 18 item 3) on the notifier's manual clock, delivered through the real
// ntfy-like server on loopback: an alert during a window is recorded as muted with the window's
// name and reaches no one; when the window ends and the service still fails, the person is told
// once; a recovery inside the window is news to no one; a window removed early or a silence
// deleted releases the held alert at once; a held alert outlives a restart of the notifier.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createNotifier } from '../../../src/notify/index.js';
import type { DesiredMaintenance } from '../../../src/manifest/maintenance-window.js';
import type { MaintenanceSpec } from '../../../src/manifest/schema.js';
import type { MuteSources } from '../../../src/notify/mute.js';
import { startNtfyServer } from '../../support/ntfy-server.js';
import { testdir } from '../../support/testdir.js';
import { waitFor } from '../../support/wait.js';
import { alert, ManualClock, notifierTarget, cleanup } from './fixtures.js';

const T0 = Date.parse('2026-11-27T10:00:00Z');
const HOUR = 3_600_000;

function window(name: string, start: number, end: number, mode: 'silence' | 'pause' = 'silence'): DesiredMaintenance {
  const spec = { schedule: { start: new Date(start).toISOString(), end: new Date(end).toISOString() }, selector: { names: ['minio'] }, mode } as MaintenanceSpec;
  return { name, spec, labelSelector: null, source: { file: `/m/${name}.yaml`, line: 1, column: 1 } };
}

const windows = (...w: DesiredMaintenance[]): MuteSources => ({ windows: new Map(w.map((x) => [x.name, x])), silences: [] });

async function setup(t: { after(fn: () => unknown): void }) {
  const dir = testdir();
  const server = await startNtfyServer();
  cleanup(t, async () => {
    await server.close();
    dir.remove();
  });
  const clock = new ManualClock(T0);
  const open = async () => {
    const n = await createNotifier({ outboxDir: dir.join('outbox'), env: {}, clock, groupWaitSeconds: 0 });
    cleanup(t, () => n.close());
    n.setTargets(new Map([notifierTarget('alerts', { type: 'ntfy', server: server.url, topic: 'ops', cooldown_seconds: 120 })]));
    return n;
  };
  return { server, clock, open };
}

const minio = (n: { snapshot(): { recent: { service: string; kind: string; state: string; mutedBy?: string }[] } }) => n.snapshot().recent.filter((r) => r.service === 'minio');

/** Every delivery the notifier could make by now has been made: its outbox is empty. */
async function settled(n: { snapshot(): { outboxSize: number } }) {
  await waitFor(() => n.snapshot().outboxSize === 0, { what: 'an empty outbox', timeoutMs: 30_000 });
}

test('an alert inside a silence window is recorded as muted with the window name; the still-failing service is told once when it ends', async (t) => {
  const { server, clock, open } = await setup(t);
  const n = await open();
  n.setMutes!(windows(window('nightly', T0 - HOUR, T0 + HOUR)));
  await n.submit(alert('minio', 'recovery-failed', 1));
  await n.submit(alert('minio', 'crash-loop', 1));
  await settled(n);
  assert.equal(server.requests, 0, 'nothing reached the server during the window');
  assert.deepEqual(
    minio(n).map((r) => `${r.kind} ${r.state} ${r.mutedBy}`).sort(),
    ['crash-loop muted window/nightly', 'recovery-failed muted window/nightly'],
  );
  clock.advance(HOUR + 1);
  await waitFor(() => server.messages.length === 1, { what: 'one message after the window' });
  assert.match(server.messages[0]!.title ?? '', /^minio Crash Loop on /);
  assert.match(server.messages[0]!.message, /still failing after window\/nightly ended/);
  clock.advance(6 * HOUR);
  await settled(n);
  assert.equal(server.messages.length, 1, 'told once');
});

test('a service stopped by its operator during the window (incident closed): nothing "still failing" is sent when it ends', async (t) => {
  const { server, clock, open } = await setup(t);
  const n = await open();
  n.setMutes!(windows(window('nightly', T0 - HOUR, T0 + HOUR)));
  await n.submit(alert('minio', 'recovery-failed', 1));
  await settled(n);
  assert.deepEqual(minio(n).map((r) => `${r.kind} ${r.state}`), ['recovery-failed muted']);
  await n.closeIncident('minio');
  clock.advance(2 * HOUR);
  await n.submit(alert('web', 'recovery-failed', 1));
  await waitFor(() => server.messages.length === 1, { what: 'the later alert of another service, delivered' });
  await settled(n);
  assert.deepEqual(server.messages.map((m) => m.title?.split(' ')[0]), ['web'], 'minio\'s held alert went with its incident');
});

test('a failure and its recovery inside the window: nothing is sent, during or after it', async (t) => {
  const { server, clock, open } = await setup(t);
  const n = await open();
  n.setMutes!(windows(window('nightly', T0 - HOUR, T0 + HOUR)));
  await n.submit(alert('minio', 'recovery-failed', 1));
  clock.advance(60_000);
  await n.submit(alert('minio', 'recovered', 1));
  clock.advance(2 * HOUR);
  await waitFor(() => minio(n).some((r) => r.kind === 'recovered' && r.state === 'suppressed'), { what: 'the held recovery decided after the window' });
  await settled(n);
  assert.equal(server.requests, 0);
});

test('a window removed from git before its end, or a silence deleted, releases the held alert at once', async (t) => {
  const { server, clock, open } = await setup(t);
  const n = await open();
  n.setMutes!(windows(window('nightly', T0 - HOUR, T0 + 10 * HOUR)));
  await n.submit(alert('minio', 'recovery-failed', 1));
  clock.advance(60_000);
  n.setMutes!(windows());
  clock.advance(0);
  await waitFor(() => server.messages.length === 1, { what: 'the alert told when the window was removed' });
  assert.match(server.messages[0]!.message, /still failing after window\/nightly ended/);

  // Another service, so the cooldown of what minio was just told plays no part.
  const silence = { id: 's-0123abcd', names: ['db'], selector: null, reason: 'disk swap', createdAt: new Date(clock.now()).toISOString(), endsAt: new Date(clock.now() + 10 * HOUR).toISOString() };
  n.setMutes!({ windows: [], silences: [silence] });
  await n.submit(alert('db', 'recovery-failed', 1));
  assert.equal(n.snapshot().recent.find((r) => r.service === 'db')?.mutedBy, 'silence/s-0123abcd');
  clock.advance(60_000);
  n.setMutes!({ windows: [], silences: [] });
  clock.advance(0);
  await waitFor(() => server.messages.length === 2, { what: 'the alert told when the silence was deleted' });
  assert.match(server.messages[1]!.message, /still failing after silence\/s-0123abcd ended/);
  await settled(n);
  assert.equal(server.messages.length, 2);
});

test('a held alert outlives a restart of the notifier and is told once after the window', async (t) => {
  const { server, clock, open } = await setup(t);
  const first = await open();
  const src = windows(window('nightly', T0 - HOUR, T0 + HOUR));
  first.setMutes!(src);
  await first.submit(alert('minio', 'recovery-failed', 1));
  await first.close();
  const second = await open();
  // Until vaid has read its windows, a held alert is never released.
  clock.advance(2 * HOUR);
  await settled(second);
  assert.equal(server.requests, 0);
  second.setMutes!(src);
  clock.advance(0);
  await waitFor(() => server.messages.length === 1, { what: 'the alert told after the restart' });
  assert.match(server.messages[0]!.title ?? '', /^minio Recovery Failed on /);
  await settled(second);
  assert.equal(server.messages.length, 1);
});
