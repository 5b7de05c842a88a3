// Grouping through the durable notifier against the real ntfy-like server on 127.0.0.1: three
// services failing within group_wait arrive as one message; one alert arrives as before; and the
// grouped message is sent exactly once when the notifier is killed with SIGKILL while it is out.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createNotifier, readAlertRecords } from '../../../src/notify/index.js';
import { startNtfyServer } from '../../support/ntfy-server.js';
import { testdir } from '../../support/testdir.js';
import { waitFor } from '../../support/wait.js';
import { alert, cleanup, minioSpec, notifierTarget } from './fixtures.js';
import type { Alert } from '../../../src/notify/types.js';

const CHILD = path.join(path.dirname(fileURLToPath(import.meta.url)), 'notifier-child.ts');
const FAST = { deliveryTimeoutMs: 2_000, retry: { initialMs: 30, maxMs: 200 } };
const portInUse = { reason: 'PortInUse', message: 'port 9000 is held by pid 4242 (nginx)', evidence: [] };

type HasAfter = { after(fn: () => unknown): void };

async function setup(t: HasAfter) {
  const dir = testdir();
  const server = await startNtfyServer();
  cleanup(t, async () => {
    await server.close();
    dir.remove();
  });
  return { server, env: { VAI_NTFY_URL: server.url }, outboxDir: dir.join('outbox') };
}

const three = (): Alert[] => [alert('minio', 'recovery-failed', 1, { cause: portInUse }), alert('api', 'recovery-failed', 1), alert('web', 'recovery-failed', 1)];

function pending(outboxDir: string): string[] {
  const dir = path.join(outboxDir, 'pending');
  return existsSync(dir) ? readdirSync(dir).filter((n) => /^\d{12}\.json$/.test(n)) : [];
}

async function states(outboxDir: string, ids: string[]): Promise<string[]> {
  const recent = (await readAlertRecords(outboxDir))?.recent ?? [];
  return ids.map((id) => recent.find((r) => r.id === id)?.state ?? 'none');
}

test('three services failing within group_wait: one message with the count in the title, naming all three', async (t) => {
  const s = await setup(t);
  // The default group_wait (5 s): a Notifier that sets none.
  const n = await createNotifier({ outboxDir: s.outboxDir, env: s.env, hostname: 'vps1', ...FAST });
  cleanup(t, () => n.close());
  n.setTargets(new Map([notifierTarget('alerts', { type: 'ntfy', server: s.server.url })]));
  const alerts = three();
  for (const a of alerts) await n.submit(a);
  const ids = alerts.map((a) => a.id);
  await waitFor(async () => (await states(s.outboxDir, ids)).every((x) => x === 'delivered'), { what: 'all three records delivered', timeoutMs: 60_000 });
  assert.equal(s.server.messages.length, 1, 'one message');
  const m = s.server.messages[0]!;
  assert.equal(m.title, '3 services failed on vps1');
  assert.equal(m.message.split('\n')[0], '3 services failed on vps1: minio (Recovery Failed: PortInUse), api, web');
  for (const svc of ['minio', 'api', 'web']) assert.match(m.message, new RegExp(`^Service: ${svc}$`, 'm'));
  assert.equal(m.priority, 5);
  // The records say delivered first, then the entry files go (a crash between: the records win).
  await waitFor(() => pending(s.outboxDir).length === 0, { what: 'no entry left', timeoutMs: 60_000 });
});

test('a single alert within group_wait is sent as today', async (t) => {
  const s = await setup(t);
  const n = await createNotifier({ outboxDir: s.outboxDir, env: s.env, hostname: 'vps1', groupWaitSeconds: 1, ...FAST });
  cleanup(t, () => n.close());
  const a = alert('minio', 'recovery-failed', 1);
  await n.submit(a);
  await waitFor(async () => (await states(s.outboxDir, [a.id]))[0] === 'delivered', { what: 'the delivered record', timeoutMs: 60_000 });
  assert.equal(s.server.messages.length, 1);
  assert.equal(s.server.messages[0]!.title, 'minio Recovery Failed on vps1');
  assert.match(s.server.messages[0]!.message, /^Service: minio\nStatus: Failed health check/);
});

test('group_wait_seconds: 0 on the Notifier: each alert alone', async (t) => {
  const s = await setup(t);
  const n = await createNotifier({ outboxDir: s.outboxDir, env: s.env, hostname: 'vps1', ...FAST });
  cleanup(t, () => n.close());
  n.setTargets(new Map([notifierTarget('alerts', { type: 'ntfy', server: s.server.url, group_wait_seconds: 0 })]));
  for (const a of three()) await n.submit(a);
  await waitFor(() => s.server.messages.length >= 3, { what: 'three messages', timeoutMs: 60_000 });
  assert.deepEqual(s.server.messages.map((m) => m.title).sort(), ['api Recovery Failed on vps1', 'minio Recovery Failed on vps1', 'web Recovery Failed on vps1']);
});

/** A notifier in its own process (notifier-child.ts), to be killed with SIGKILL. */
async function startChild(t: HasAfter, input: { outboxDir: string; env: Record<string, string>; alerts: Alert[]; groupWaitSeconds: number }) {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD], {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NOTIFIER_CHILD: JSON.stringify({ ...input, deliveryTimeoutMs: 60_000 }) },
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
  await waitFor(
    () => {
      if (child.exitCode !== null) throw new Error(`notifier child exited ${child.exitCode}: ${stderr}`);
      return lines.includes('ready') && lines.filter((l) => l.startsWith('submitted ')).length === input.alerts.length;
    },
    { what: 'the notifier child to open its outbox and submit', timeoutMs: 60_000 },
  );
  return { kill9 };
}

test('kill -9 after ntfy stored the grouped message, before its answer: the next start finds it; one message, three delivered records', async (t) => {
  const s = await setup(t);
  await s.server.setMode({ type: 'accept-no-answer' });
  const alerts = three().map((a) => ({ ...a, spec: minioSpec({ notify_on_fail: 'alerts' }) }));
  const a = await startChild(t, { outboxDir: s.outboxDir, env: s.env, alerts, groupWaitSeconds: 2 });
  await waitFor(() => s.server.messages.length === 1, { what: 'ntfy to store the grouped message', timeoutMs: 60_000 });
  await a.kill9();
  assert.equal(pending(s.outboxDir).length, 3, 'the head and the two it carries are still queued');

  await s.server.setMode({ type: 'accept' });
  // The second start would group again with a wait of its own: the group on disk wins.
  await startChild(t, { outboxDir: s.outboxDir, env: s.env, alerts: [], groupWaitSeconds: 2 });
  await waitFor(() => pending(s.outboxDir).length === 0, { what: 'the outbox entries to go', timeoutMs: 60_000 });
  assert.deepEqual(await states(s.outboxDir, alerts.map((x) => x.id)), ['delivered', 'delivered', 'delivered']);
  assert.equal(s.server.messages.length, 1, 'sent once');
  assert.match(s.server.messages[0]!.title ?? '', /^3 services failed on /);
});
