// Maintenance windows and silences (issue 18 item 3) with a real vaid, a real failing HTTP
// service (the demo's http-service, started by restart_cmd only once the test "fixes" it) and
// the ntfy-like server on 127.0.0.1:
//   a silence window (cron + duration in Europe/Berlin): recovery goes on, the alerts are recorded
//     as muted with the window's name, nothing reaches the server, not even after the window;
//   a pause window: no restart while it lasts, the service recovered once it ends;
//   vaictl silence --for 30m --reason: listed, in force across a vaid restart, deleted, and the
//     still-failing service told once when it ends;
//   a fixed window that ends while the service still fails: the person is told once.
// Every wait is on a condition with a generous deadline; nothing depends on how fast vaid is.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { startNtfyServer, type NtfyServer } from '../support/ntfy-server.js';
import { testdir, type TestDir } from '../support/testdir.js';
import { countLines, freePort, httpServiceManifest, HTTP_SERVICE, killPidFiles, pidIn, startVaid, VAICTL_BIN, type VaidProcess } from '../support/vaid.js';
import { waitFor } from '../support/wait.js';
import type { AlertRecord, StatusDocument } from '../../src/status/schema.js';

const LONG = 90_000;

interface Env {
  dir: TestDir;
  run: string;
  server: NtfyServer;
  stateDir: string;
  vaids: VaidProcess[];
  start(): Promise<VaidProcess>;
  vaictl(args: string[]): { code: number | null; stdout: string; stderr: string };
  /** From now on, restart_cmd brings the service up. */
  fix(): void;
}

async function withEnv(fn: (e: Env) => Promise<void>, { maxFailures = 1000 } = {}): Promise<void> {
  const dir = testdir({}, 'vai-maint-e2e-');
  const run = dir.join('run');
  mkdirSync(run, { recursive: true });
  const server = await startNtfyServer();
  const port = await freePort();
  const pidFile = path.join(run, 'web.pid');
  // restart_cmd always "succeeds"; it starts the service only once the test made the fixed file.
  const restartCmd = `echo started >> ${run}/web.starts; if [ -e ${run}/fixed ]; then node ${HTTP_SERVICE} --name web --port ${port} --pid-file ${pidFile} & fi`;
  dir.write(
    'manifests/web.yaml',
    httpServiceManifest({
      name: 'web',
      port,
      runDir: run,
      interval: 0.3,
      startupDelay: 0.5,
      restartCmd,
      extra: [`  max_failures: ${maxFailures}`, '  backoff_initial_seconds: 0.2', '  backoff_max_seconds: 0.5', '  notify_on_fail: alerts', ''].join('\n'),
    }),
  );
  dir.write('manifests/alerts.yaml', ['apiVersion: vai/v1', 'kind: Notifier', 'metadata: { name: alerts }', 'spec:', '  type: ntfy', `  server: ${server.url}`, '  topic: ops', ''].join('\n'));
  const stateDir = dir.join('state');
  const e: Env = {
    dir,
    run,
    server,
    stateDir,
    vaids: [],
    async start() {
      const v = await startVaid({ manifests: dir.join('manifests'), stateDir });
      e.vaids.push(v);
      return v;
    },
    vaictl(args) {
      const r = spawnSync(process.execPath, [VAICTL_BIN, ...args, '--state-dir', stateDir], { encoding: 'utf8', timeout: 60_000 });
      return { code: r.status, stdout: r.stdout, stderr: r.stderr };
    },
    fix: () => writeFileSync(path.join(run, 'fixed'), ''),
  };
  try {
    await fn(e);
  } finally {
    for (const v of e.vaids) await v.kill9();
    killPidFiles(run);
    await server.close();
    dir.remove();
  }
}

function maintenance(name: string, schedule: string[], mode: 'silence' | 'pause', reason: string): string {
  return ['apiVersion: vai/v1', 'kind: Maintenance', `metadata: { name: ${name} }`, 'spec:', '  schedule:', ...schedule.map((l) => `    ${l}`), '  selector:', '    names: [web]', `  mode: ${mode}`, `  reason: ${reason}`, ''].join('\n');
}

/** A fixed window that began an hour ago and ends at `end`. */
function fixedWindow(name: string, end: number, mode: 'silence' | 'pause'): string {
  return maintenance(name, [`start: "${new Date(Date.now() - 3_600_000).toISOString()}"`, `end: "${new Date(end).toISOString()}"`], mode, `planned work on ${name}`);
}

const webRecords = (d: StatusDocument): AlertRecord[] => d.alerts.recent.filter((r) => r.service === 'web');

/** Several more recovery attempts after now: anything vaid were to send meanwhile is decided by then. */
async function moreAttempts(v: VaidProcess, n = 3): Promise<void> {
  const before = v.readStatus()?.services.web?.counters.recoveriesAttempted ?? 0;
  await v.waitForService('web', (s) => s.counters.recoveriesAttempted >= before + n, `${n} more recovery attempts`, LONG);
  await v.waitForStatus((d) => d.alerts.outboxSize === 0, 'an empty outbox', LONG);
}

/** "HH MM" of the time `ms` before now, on the wall clock of Europe/Berlin. */
function berlinHourMinute(msAgo: number): { hour: number; minute: number } {
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Berlin', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(new Date(Date.now() - msAgo));
  return { hour: Number(parts.find((p) => p.type === 'hour')!.value), minute: Number(parts.find((p) => p.type === 'minute')!.value) };
}

test('a silence window (cron in Europe/Berlin): recovery goes on, the alerts are recorded as muted with its name, nothing is sent, not even after it', async () => {
  await withEnv(async (e) => {
    // Opened 30 min ago on Berlin's wall clock, daily, for 6 h: open now, and not again for 18 h.
    const { hour, minute } = berlinHourMinute(30 * 60_000);
    e.dir.write('manifests/nightly.yaml', maintenance('nightly', [`cron: "${minute} ${hour} * * *"`, 'duration: 6h', 'time_zone: Europe/Berlin'], 'silence', 'database upgrade'));
    const v = await e.start();
    const failed = await v.waitForStatus((d) => webRecords(d).find((r) => r.kind === 'recovery-failed' && r.state === 'muted'), 'the failure alert muted', LONG);
    assert.equal(failed.mutedBy, 'window/nightly');
    const s = await v.waitForService('web', (x) => x.events.some((ev) => ev.reason === 'MaintenanceStarted'), 'the window in the history', LONG);
    assert.deepEqual(s.maintenance?.map((m) => [m.kind, m.name, m.mode, m.reason]), [['window', 'nightly', 'silence', 'database upgrade']]);
    assert.match(s.events.find((ev) => ev.reason === 'MaintenanceStarted')!.message, /maintenance window nightly \(silence\) until .*alerts muted, recovery continues; database upgrade/);

    const get = e.vaictl(['get', 'web']);
    assert.equal(get.code, 0, get.stderr);
    assert.match(get.stdout, /^web +Running \(silenced\) /m);
    const alerts = e.vaictl(['alerts']);
    assert.equal(alerts.code, 0, alerts.stderr);
    assert.match(alerts.stdout, /web +recovery-failed .*muted \(window\/nightly\)/);

    e.fix();
    await v.waitForService('web', (x) => x.phase === 'Healthy', 'web recovered during the window', LONG);
    assert.ok(countLines(`${e.run}/web.starts`) >= 2, 'vai went on recovering it');
    await v.waitForStatus((d) => webRecords(d).find((r) => r.kind === 'recovered' && r.state === 'muted' && r.mutedBy === 'window/nightly'), 'the recovery notice muted', LONG);
    assert.equal(e.server.requests, 0, 'nothing reached the server during the window');

    // The window leaves git: the held "recovered" is decided then, and it is news to no one.
    rmSync(e.dir.join('manifests/nightly.yaml'));
    await v.waitForStatus((d) => webRecords(d).find((r) => r.kind === 'recovered' && r.state === 'suppressed'), 'the held notice decided after the window', LONG);
    await v.waitForService('web', (x) => x.maintenance === undefined && x.events.some((ev) => ev.reason === 'MaintenanceEnded'), 'the window ended in the history', LONG);
    await v.waitForStatus((d) => d.alerts.outboxSize === 0, 'an empty outbox', LONG);
    assert.equal(e.server.requests, 0, 'nothing reached the server after the window either');
    assert.match(e.vaictl(['get', 'web']).stdout, /^web +Running +Healthy /m);
  });
});

test('a pause window: no restart while it lasts; once it ends by itself, the service is recovered', async () => {
  await withEnv(async (e) => {
    e.fix();
    e.dir.write('manifests/pause.yaml', fixedWindow('pause', Date.now() + 3_600_000, 'pause'));
    const v = await e.start();
    const s = await v.waitForService('web', (x) => x.counters.failedChecks >= 8, 'eight failed checks during the pause', LONG);
    assert.equal(s.counters.recoveriesAttempted, 0);
    assert.equal(countLines(`${e.run}/web.starts`), 0, 'restart_cmd never ran during the pause');
    assert.equal(s.phase, 'Degraded');
    assert.equal(s.conditions.find((c) => c.type === 'Maintenance')?.reason, 'Paused');
    assert.match(e.vaictl(['get', 'web']).stdout, /^web +Running \(paused\) +Degraded /m);
    const describe = e.vaictl(['describe', 'web']);
    assert.equal(describe.code, 0, describe.stderr);
    assert.match(describe.stdout, /^Maintenance: +window pause \(pause: alerts muted, no recovery action\) until \S+ \(in \d+m\): planned work on pause$/m);

    // The window now ends in 2 s, by its own end time.
    e.dir.write('manifests/pause.yaml', fixedWindow('pause', Date.now() + 2_000, 'pause'));
    await v.waitForService('web', (x) => x.phase === 'Healthy' && x.counters.recoveriesSucceeded >= 1, 'web recovered after the pause', LONG);
    assert.ok(countLines(`${e.run}/web.starts`) >= 1);
    const after = v.readStatus()!.services.web!;
    assert.equal(after.maintenance, undefined);
    assert.ok(after.events.some((ev) => ev.reason === 'MaintenanceEnded'));
  });
});

test('vaictl silence NAME --for 30m --reason: listed, in force across a vaid restart, deleted; the still-failing service is told once', async () => {
  await withEnv(async (e) => {
    // Healthy first, so its failure comes only once the silence is in force.
    e.fix();
    const first = await e.start();
    await first.waitForService('web', (s) => s.phase === 'Healthy', 'web healthy', LONG);
    const made = e.vaictl(['silence', 'web', '--for', '30m', '--reason', 'disk swap']);
    assert.equal(made.code, 0, made.stderr);
    const id = /silence\/(s-[0-9a-f]{8}) created/.exec(made.stdout)?.[1];
    assert.ok(id, made.stdout);
    const list = e.vaictl(['silence', 'list']);
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, new RegExp(`^${id} +web +(29|30)m left +\\S+ +disk swap$`, 'm'));
    await first.waitForService('web', (s) => s.maintenance?.some((m) => m.name === id) ?? false, 'the silence in status', LONG);

    // web dies and restart_cmd no longer brings it up.
    rmSync(path.join(e.run, 'fixed'));
    process.kill(pidIn(path.join(e.run, 'web.pid'))!, 'SIGKILL');
    const muted = await first.waitForStatus((d) => webRecords(d).find((r) => r.kind === 'recovery-failed'), 'the failure alert', LONG);
    assert.equal(muted.state, 'muted', JSON.stringify(muted));
    assert.equal(muted.mutedBy, `silence/${id}`);
    await first.stop();

    const second = await e.start();
    await second.waitForService('web', (s) => s.maintenance?.some((m) => m.name === id && m.reason === 'disk swap') ?? false, 'the silence in force after the restart', LONG);
    await moreAttempts(second);
    assert.equal(e.server.requests, 0, 'nothing sent while the silence lasts, across the restart');
    assert.match(e.vaictl(['silence', 'list']).stdout, new RegExp(`^${id} `, 'm'));

    const del = e.vaictl(['silence', 'delete', id]);
    assert.equal(del.code, 0, del.stderr);
    assert.equal(del.stdout, `silence/${id} deleted\n`);
    assert.equal(e.vaictl(['silence', 'list']).stdout, 'No silences found.\n');
    await waitFor(() => e.server.messages.length >= 1, { what: 'the person told after the silence', timeoutMs: LONG });
    await second.waitForService('web', (s) => s.maintenance === undefined, 'the silence gone from status', LONG);
    await moreAttempts(second);
    assert.equal(e.server.messages.length, 1, 'told once');
    assert.match(e.server.messages[0]!.title ?? '', /^web Recovery Failed on /);
    assert.match(e.server.messages[0]!.message, new RegExp(`still failing after silence/${id} ended`));
    const missing = e.vaictl(['silence', 'delete', id]);
    assert.equal(missing.code, 3);
  });
});

test('a fixed window that ends while the service still fails: the person is told once', async () => {
  await withEnv(async (e) => {
    e.dir.write('manifests/upgrade.yaml', fixedWindow('upgrade', Date.now() + 3_600_000, 'silence'));
    const v = await e.start();
    await v.waitForStatus((d) => webRecords(d).find((r) => r.kind === 'recovery-failed' && r.state === 'muted' && r.mutedBy === 'window/upgrade'), 'the failure alert muted', LONG);
    await moreAttempts(v);
    assert.equal(e.server.requests, 0);

    e.dir.write('manifests/upgrade.yaml', fixedWindow('upgrade', Date.now() + 2_000, 'silence'));
    await waitFor(() => e.server.messages.length >= 1, { what: 'the person told when the window ended', timeoutMs: LONG });
    await moreAttempts(v);
    assert.equal(e.server.messages.length, 1, 'told once');
    assert.match(e.server.messages[0]!.title ?? '', /^web Recovery Failed on /);
    assert.match(e.server.messages[0]!.message, /still failing after window\/upgrade ended/);
    const alerts = e.vaictl(['alerts']);
    assert.match(alerts.stdout, /web +recovery-failed .*muted \(window\/upgrade\)/);
    assert.match(alerts.stdout, /web +recovery-failed .*delivered/);
  });
});

test('cron mode (vaictl reconcile --once) honours vaictl silence: the failure alert is recorded as muted, nothing is sent', async () => {
  await withEnv(async (e) => {
    const made = e.vaictl(['silence', 'web', '--for', '30m', '--reason', 'cron-mode check']);
    assert.equal(made.code, 0, made.stderr);
    const id = /silence\/(s-[0-9a-f]{8}) created/.exec(made.stdout)?.[1];
    assert.ok(id, made.stdout);
    const once = e.vaictl(['reconcile', '--once', '--manifests', e.dir.join('manifests')]);
    assert.equal(once.code, 1, once.stdout + once.stderr);
    assert.ok(countLines(`${e.run}/web.starts`) >= 1, 'the pass tried to recover web');
    const alerts = e.vaictl(['alerts']);
    assert.equal(alerts.code, 0, alerts.stderr);
    assert.match(alerts.stdout, new RegExp(`web +recovery-failed .*muted \\(silence/${id}\\)`));
    assert.equal(e.server.requests, 0);
  }, { maxFailures: 1 });
});
