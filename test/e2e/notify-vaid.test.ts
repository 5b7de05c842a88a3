// A real vaid whose service cannot recover, alerting a real ntfy-like server on 127.0.0.1:
// exactly one message arrives (the seed's format, with the token), and a restarted vaid,
// still failing to recover the service, does not send a second one.
import os from 'node:os';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import net from 'node:net';
import { startNtfyServer } from '../support/ntfy-server.js';
import { testdir } from '../support/testdir.js';
import { writeUnrecoverableService } from '../support/unrecoverable-service.js';
import { freePort, startVaid, VAICTL_BIN } from '../support/vaid.js';

// Alert titles name the host (vaid's hostname: no manifest here sets a host label).
const HOST = os.hostname();

const TOKEN = 'tk_e2e_notify_0123456789abcdef';

function filesUnder(root: string): string[] {
  return readdirSync(root, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath, e.name));
}

test('a service that cannot recover: one ntfy message, and none again after vaid restarts', async (t) => {
  const dir = testdir({}, 'vai-notify-e2e-');
  const server = await startNtfyServer();
  t.after(async () => {
    await server.close();
    dir.remove();
  });
  server.requireToken = TOKEN;
  const deadPort = await freePort();
  writeUnrecoverableService(dir, {
    deadPort,
    healthPath: '/minio/health/live',
    ntfyUrl: server.url,
    topic: 'khali-vps-alerts',
    extraSpec: ['  backoff_initial_seconds: 0.2', '  backoff_max_seconds: 0.5'],
  });
  const opts = { manifests: dir.join('manifests'), stateDir: dir.join('state'), env: { VAI_NTFY_TOKEN: TOKEN } };

  const first = await startVaid(opts);
  t.after(() => first.stop());
  await first.waitForStatus((d) => d.alerts.recent.find((r) => r.state === 'delivered'), 'the alert delivered', 60_000);
  assert.equal(server.messages.length, 1);
  const m = server.messages[0]!;
  assert.equal(m.topic, 'khali-vps-alerts');
  assert.equal(m.title, `minio Recovery Failed on ${HOST}`);
  assert.equal(m.priority, 5);
  assert.deepEqual(m.tags, ['rotating_light', 'alert', 'auto-recovery']);
  assert.equal(m.authorization, `Bearer ${TOKEN}`);
  assert.match(m.message, /^Service: minio\nStatus: Failed health check/);
  assert.match(m.message, new RegExp(`^Health check: HTTP GET http://127\\.0\\.0\\.1:${deadPort}/minio/health/live$`, 'm'));
  assert.match(m.message, /^View logs: vaictl logs minio -n 50$/m);
  const attemptsBefore = (await first.waitForService('minio', (s) => s.counters.recoveriesAttempted >= 3, 'three failed attempts', 60_000)).counters.recoveriesAttempted;
  await first.stop();

  const second = await startVaid(opts);
  t.after(() => second.stop());
  // Several more failed recoveries by the new vaid: any alert it were to send would be out by then.
  await second.waitForService('minio', (s) => s.counters.recoveriesAttempted >= attemptsBefore + 3, 'three more failed attempts', 60_000);
  await second.waitForStatus((d) => d.alerts.outboxSize === 0 && d.alerts.recent.length > 0, 'an empty outbox', 30_000);
  assert.equal(server.messages.length, 1, 'no second notification after the restart');
  assert.equal(server.requests, 1);

  const ctl = spawnSync(process.execPath, [VAICTL_BIN, 'alerts', '--state-dir', opts.stateDir], { encoding: 'utf8', timeout: 30_000 });
  assert.equal(ctl.status, 0, ctl.stderr);
  assert.match(ctl.stdout, /minio +recovery-failed +CRITICAL\(5\) +ntfy +http:\/\/127\.0\.0\.1:\d+\/khali-vps-alerts +delivered +1/);
  await second.stop();

  for (const f of filesUnder(opts.stateDir)) {
    if (statSync(f).size > 5_000_000) continue;
    assert.ok(!readFileSync(f, 'utf8').includes(TOKEN), `${f} holds the token`);
  }
  const logs = first.stdout() + first.stderr() + second.stdout() + second.stderr();
  assert.ok(logs.length > 0, 'vaid logged');
  assert.ok(!logs.includes(TOKEN), 'a vaid log line holds the token');
  assert.ok(!ctl.stdout.includes(TOKEN), 'token in vaictl alerts');
});

test('ntfy down when the alert is decided, vaid killed -9 meanwhile: the alert arrives once when ntfy returns', async (t) => {
  const dir = testdir({}, 'vai-notify-e2e-');
  const server = await startNtfyServer();
  t.after(async () => {
    await server.close();
    dir.remove();
  });
  await server.setMode({ type: 'status', status: 503 });
  const deadPort = await freePort();
  dir.write(
    'manifests/minio.yaml',
    [
      'apiVersion: vai/v1',
      'kind: Service',
      'metadata: { name: minio }',
      'spec:',
      `  health_check: { type: tcp, host: 127.0.0.1, port: ${deadPort}, interval_seconds: 0.2, timeout_seconds: 1 }`,
      '  restart_cmd: "true"',
      '  startup_delay_seconds: 0.3',
      '  max_failures: 1000',
      '  backoff_initial_seconds: 0.2',
      '  backoff_max_seconds: 0.5',
      '  notify_on_fail: khali-vps-alerts',
      '',
    ].join('\n'),
  );
  // No Notifier manifest: notify_on_fail is a topic on $VAI_NTFY_URL.
  const opts = { manifests: dir.join('manifests'), stateDir: dir.join('state'), env: { VAI_NTFY_URL: server.url } };
  const first = await startVaid(opts);
  t.after(() => first.stop());
  await first.waitForStatus((d) => d.alerts.recent.find((r) => r.attempts >= 2 && /503/.test(r.lastError ?? '')), 'the alert retried on 503', 60_000);
  await first.kill9();

  await server.setMode({ type: 'refuse' });
  const second = await startVaid(opts);
  t.after(() => second.stop());
  await second.waitForStatus((d) => d.alerts.recent.find((r) => /refused/.test(r.lastError ?? '')), 'the alert retried on refusal after the restart', 60_000);
  await server.setMode({ type: 'accept' });
  const attempts = (await second.waitForStatus((d) => d.alerts.recent.find((r) => r.state === 'delivered'), 'the alert delivered', 60_000)).attempts;
  assert.ok(attempts >= 3, `attempts ${attempts}`);
  const before = second.readStatus()!.services.minio!.counters.recoveriesAttempted;
  await second.waitForService('minio', (s) => s.counters.recoveriesAttempted >= before + 3, 'three more failed attempts', 60_000);
  assert.equal(server.messages.length, 1);
  assert.equal(server.messages[0]!.topic, 'khali-vps-alerts');
  assert.equal(server.messages[0]!.title, `minio Recovery Failed on ${HOST}`);
  assert.match(server.messages[0]!.message, new RegExp(`^Health check: TCP connect 127\\.0\\.0\\.1:${deadPort}$`, 'm'));
  await second.stop();
});

test('a dependency that cannot recover alerts once and names its dependent; the dependent stays quiet; a resolve notice follows the fix', async (t) => {
  const dir = testdir({}, 'vai-notify-e2e-');
  const server = await startNtfyServer();
  const port = await freePort();
  let listener: net.Server | undefined;
  t.after(async () => {
    await new Promise<void>((r) => (listener ? listener.close(() => r()) : r()));
    await server.close();
    dir.remove();
  });
  const service = (name: string, deps: string[]) =>
    [
      'apiVersion: vai/v1',
      'kind: Service',
      `metadata: { name: ${name} }`,
      'spec:',
      // Both answer only while something listens on the port: api is down because db is.
      `  health_check: { type: tcp, host: 127.0.0.1, port: ${port}, interval_seconds: 0.2, timeout_seconds: 1 }`,
      '  restart_cmd: "true"',
      '  startup_delay_seconds: 0.3',
      '  max_failures: 1000',
      '  backoff_initial_seconds: 0.2',
      '  backoff_max_seconds: 0.5',
      '  notify_on_fail: ops',
      `  dependencies: [${deps.join(', ')}]`,
      '',
    ].join('\n');
  dir.write('manifests/db.yaml', service('db', []));
  dir.write('manifests/api.yaml', service('api', ['db']));
  const vaid = await startVaid({ manifests: dir.join('manifests'), stateDir: dir.join('state'), env: { VAI_NTFY_URL: server.url } });
  t.after(() => vaid.stop());

  await vaid.waitForStatus((d) => d.alerts.recent.find((r) => r.service === 'db' && r.state === 'delivered'), 'the db alert delivered', 60_000);
  const before = vaid.readStatus()!.services.db!.counters.recoveriesAttempted;
  await vaid.waitForService('db', (s) => s.counters.recoveriesAttempted >= before + 3, 'three more failed db attempts', 60_000);
  assert.deepEqual(server.messages.map((m) => m.title), [`db Recovery Failed on ${HOST}`]);
  assert.match(server.messages[0]!.message, /^Dependents affected: api$/m);
  assert.equal(vaid.readStatus()!.services.api!.counters.recoveriesAttempted, 0, 'api is not restarted while db is down');

  listener = net.createServer((s) => s.destroy());
  await new Promise<void>((r) => listener!.listen(port, '127.0.0.1', r));
  await vaid.waitForService('db', (s) => s.phase === 'Healthy', 'db healthy', 60_000);
  await vaid.waitForService('api', (s) => s.phase === 'Healthy', 'api healthy', 60_000);
  await vaid.waitForStatus((d) => d.alerts.recent.find((r) => r.kind === 'recovered' && r.state === 'delivered'), 'the resolve notice delivered', 60_000);
  assert.deepEqual(server.messages.map((m) => m.title), [`db Recovery Failed on ${HOST}`, `db Recovered on ${HOST}`]);
  assert.equal(server.messages[1]!.priority, 2);
  assert.deepEqual(server.messages[1]!.tags, ['white_check_mark', 'resolved', 'auto-recovery']);
  await vaid.stop();
});
