// Findings 1, 2, 3, 7, 9, 10 of the root-daemon hardening issue, with the real vaid as root and a
// real unprivileged user (useradd) who owns one service's directories: FIFOs, symlinks swapped
// in for directories, /dev/zero, a read-only mount, a deleted manifest dir, planted markers.
// Each test fails on the code before the fix (see docs/security.md for what each one saw).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { testdir, type TestDir } from '../support/testdir.js';
import { waitFor } from '../support/wait.js';
import { killPidFiles, startVaid, type VaidProcess } from '../support/vaid.js';
import { createUser, rootOrSkip } from '../support/unprivileged-user.js';
import type { ServiceStatus } from '../../src/status/schema.js';
import { startsAndRestarts } from '../support/restart-count.js';

const skip = rootOrSkip();

function manifest(name: string, spec: string[]): string {
  return ['apiVersion: vai/v1', 'kind: Service', `metadata: { name: ${name} }`, 'spec:', ...spec.map((l) => `  ${l}`), ''].join('\n');
}

/** A service that is healthy while RUN/NAME.up exists; its restart touches it and prints a line. */
function fileService(dir: TestDir, name: string, extra: string[] = [], interval = 0.2): string {
  const up = dir.join('run', `${name}.up`);
  return manifest(name, [
    `health_check: { type: custom, command: "test -f ${up}", interval_seconds: ${interval}, timeout_seconds: 2 }`,
    `restart_cmd: "echo restarted ${name}; touch ${up}"`,
    'startup_delay_seconds: 2',
    ...extra,
  ]);
}

function setup(t: { after(fn: () => unknown): void }): { dir: TestDir; track(v: VaidProcess): VaidProcess } {
  const dir = testdir({}, 'vai-hard-');
  // The test user must reach its own dirs inside the tree.
  chmodSync(dir.path, 0o755);
  mkdirSync(dir.join('run'));
  const running: VaidProcess[] = [];
  t.after(async () => {
    for (const v of running) await v.kill9();
    killPidFiles(dir.join('run'));
    dir.remove();
  });
  return { dir, track: (v) => (running.push(v), v) };
}

const restarts = (s: ServiceStatus | undefined): number => startsAndRestarts(s) ?? 0;

async function breakAndWaitRecovered(vaid: VaidProcess, dir: TestDir, name: string, what: string, timeoutMs = 45_000): Promise<ServiceStatus> {
  const before = restarts(vaid.readStatus()?.services[name]);
  rmSync(dir.join('run', `${name}.up`), { force: true });
  return vaid.waitForService(name, (s) => restarts(s) > before && s.phase === 'Healthy', what, timeoutMs);
}

function events(s: ServiceStatus): string {
  return s.events.map((e) => `${e.reason}: ${e.message}`).join('\n');
}

test('finding 1: a FIFO put in place of a service log, or as a restart request, does not freeze vaid', { skip: skip ?? false }, async (t) => {
  const { dir, track } = setup(t);
  const user = createUser(t);
  const owned = dir.join('owned');
  mkdirSync(owned);
  user.chown(owned);
  dir.write('manifests/mine.yaml', fileService(dir, 'mine', [`log_path: ${owned}/app.log`]));
  dir.write('manifests/other.yaml', fileService(dir, 'other'));
  const vaid = track(await startVaid({ manifests: dir.join('manifests'), stateDir: dir.join('state') }));
  await vaid.waitForService('mine', (s) => s.phase === 'Healthy' && restarts(s) >= 1, 'mine healthy after its first restart');
  await vaid.waitForService('other', (s) => s.phase === 'Healthy', 'other healthy');

  // The service owner swaps the log for a FIFO nobody reads, and makes the service fail.
  rmSync(path.join(owned, 'app.log'), { force: true });
  user.run(['mkfifo', path.join(owned, 'app.log')]);
  const mine = await breakAndWaitRecovered(vaid, dir, 'mine', 'mine restarted although its log is a FIFO');
  assert.match(events(mine), /CommandDegraded: restart_cmd ran with its output discarded: cannot open log file .*app\.log.*not a regular file/);
  await breakAndWaitRecovered(vaid, dir, 'other', 'other still recovered: vaid is not frozen');

  // A FIFO as a restart request: refused and removed, and vaid keeps recovering.
  writeFileSync(dir.join('run', 'noop'), '');
  spawnSync('mkfifo', [dir.join('state', 'requests', 'other.restart')]);
  await breakAndWaitRecovered(vaid, dir, 'other', 'other recovered after a FIFO request');
  await waitFor(() => vaid.records().some((r) => /restart request refused and removed: .*other\.restart.*not a regular file/.test(String(r.msg))), { what: 'the FIFO request refused with a warning' });
});

test('finding 2: a directory on the log path swapped for a symlink is not written through', { skip: skip ?? false }, async (t) => {
  const { dir, track } = setup(t);
  const user = createUser(t);
  const owned = dir.join('owned');
  mkdirSync(path.join(owned, 'logs'), { recursive: true });
  user.chown(owned);
  user.chown(path.join(owned, 'logs'));
  const secret = dir.join('root-only');
  mkdirSync(secret, { mode: 0o700 });
  const passwd = path.join(secret, 'passwd');
  writeFileSync(passwd, 'root:x:0:0:root:/root:/bin/bash\n');
  dir.write('manifests/mine.yaml', fileService(dir, 'mine', [`log_path: ${owned}/logs/passwd`]));
  const vaid = track(await startVaid({ manifests: dir.join('manifests'), stateDir: dir.join('state') }));
  await vaid.waitForService('mine', (s) => s.phase === 'Healthy' && restarts(s) >= 1, 'mine healthy after its first restart');

  // The owner moves its logs dir away and puts a symlink to a root-only dir in its place.
  user.run(['mv', path.join(owned, 'logs'), path.join(owned, 'old-logs')]);
  user.run(['ln', '-s', secret, path.join(owned, 'logs')]);
  const mine = await breakAndWaitRecovered(vaid, dir, 'mine', 'mine restarted, its output discarded');
  assert.equal(readFileSync(passwd, 'utf8'), 'root:x:0:0:root:/root:/bin/bash\n', 'root appended to a file through the planted symlink');
  assert.match(events(mine), /CommandDegraded: .*output discarded: cannot open log file .*logs\/passwd: .*logs is a symlink/);

  // A missing log dir is not created by root inside a directory another user can write.
  const open = dir.join('open');
  mkdirSync(open);
  chmodSync(open, 0o777);
  dir.write('manifests/mine.yaml', fileService(dir, 'mine', [`log_path: ${open}/sub/app.log`]));
  await vaid.waitForService('mine', (s) => s.events.some((e) => e.reason === 'SpecChanged'), 'the new spec applied');
  const again = await breakAndWaitRecovered(vaid, dir, 'mine', 'mine restarted with no log dir created');
  assert.match(events(again), /will not create .*open\/sub: .*open is writable by other users/);
  assert.equal(spawnSync('test', ['-e', path.join(open, 'sub')]).status, 1, 'root created a dir inside a world-writable dir');
});

test('finding 3: a pid_file that is a FIFO or a symlink to /dev/zero neither stalls crash detection nor grows vaid', { skip: skip ?? false }, async (t) => {
  const { dir, track } = setup(t);
  const user = createUser(t);
  const owned = dir.join('owned');
  mkdirSync(owned);
  user.chown(owned);
  const runDir = dir.join('run');
  const daemon = (name: string) => {
    const pid = path.join(runDir, `${name}.pid`);
    // Alive and not a zombie (PID 1 reaps orphans late here; kill -0 succeeds on a zombie).
    const check = dir.write(`run/${name}-check.sh`, `s=$(ps -o stat= -p "$(cat ${pid})" 2>/dev/null); [ -n "$s" ] && [ "\${s#Z}" = "$s" ]\n`);
    return manifest(name, [
      // A long interval: only the pid probe can notice the crash in time.
      `health_check: { type: custom, command: "bash ${check}", interval_seconds: 600, timeout_seconds: 2 }`,
      `restart_cmd: "sleep 100000 >/dev/null 2>&1 & echo $! > ${pid}"`,
      `pid_file: ${pid}`,
      'startup_delay_seconds: 5',
    ]);
  };
  dir.write('manifests/worker.yaml', daemon('worker'));
  dir.write('manifests/mine.yaml', manifest('mine', ['health_check: { type: custom, command: "true", interval_seconds: 600 }', 'restart_cmd: "true"', `pid_file: ${owned}/mine.pid`]));
  user.run(['mkfifo', path.join(owned, 'mine.pid')]);
  const vaid = track(await startVaid({ manifests: dir.join('manifests'), stateDir: dir.join('state') }));
  await vaid.waitForService('worker', (s) => s.phase === 'Healthy' && restarts(s) >= 1, 'worker started');
  const crash = async (what: string) => {
    const before = restarts(vaid.readStatus()?.services.worker);
    const pid = Number(readFileSync(path.join(runDir, 'worker.pid'), 'utf8'));
    process.kill(pid, 'SIGKILL');
    await vaid.waitForService('worker', (s) => restarts(s) > before && s.phase === 'Healthy', what, 60_000);
  };
  await crash('worker restarted after kill -9 (the pid probe saw it) while another pid_file is a FIFO');

  user.run(['rm', path.join(owned, 'mine.pid')]);
  user.run(['ln', '-s', '/dev/zero', path.join(owned, 'mine.pid')]);
  // Several seconds of probes at 10 a second through /dev/zero.
  await crash('worker restarted after kill -9 while another pid_file points at /dev/zero');
  await new Promise((r) => setTimeout(r, 3000));
  const rssMb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${vaid.pid}/status`, 'utf8'))![1]) / 1024;
  assert.ok(rssMb < 400, `vaid's RSS is ${rssMb.toFixed(0)} MB`);
});

test('finding 7: a read-only log dir never prevents a restart', { skip: skip ?? false }, async (t) => {
  const { dir, track } = setup(t);
  const logs = dir.join('state', 'logs');
  mkdirSync(logs, { recursive: true });
  const m = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', logs], { encoding: 'utf8' });
  if (m.status !== 0) {
    if (process.env.CI === 'true') assert.fail(`mount failed: ${m.stderr}`);
    t.skip(`cannot mount tmpfs here: ${m.stderr.trim()}`);
    return;
  }
  try {
    dir.write('manifests/plain.yaml', fileService(dir, 'plain'));
    const vaid = track(await startVaid({ manifests: dir.join('manifests'), stateDir: dir.join('state') }));
    await vaid.waitForService('plain', (s) => s.phase === 'Healthy' && restarts(s) >= 1, 'plain healthy');
    rmSync(path.join(logs, 'plain.log'), { force: true });
    const r = spawnSync('mount', ['-o', 'remount,ro', logs], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const s = await breakAndWaitRecovered(vaid, dir, 'plain', 'plain restarted with its default log on a read-only mount');
    assert.match(events(s), /CommandDegraded: restart_cmd ran with its output discarded: cannot open log file .*plain\.log: .*(read-only|EROFS)/);
    await vaid.kill9();
  } finally {
    spawnSync('umount', ['-l', logs]);
  }
});

test('finding 9: with the manifest dir deleted (mid re-clone), commands run in the nearest existing dir and say so', { skip: skip ?? false }, async (t) => {
  const { dir, track } = setup(t);
  mkdirSync(dir.join('tree'));
  dir.write('tree/manifests/plain.yaml', fileService(dir, 'plain'));
  const vaid = track(await startVaid({ manifests: dir.join('tree/manifests'), stateDir: dir.join('state') }));
  await vaid.waitForService('plain', (s) => s.phase === 'Healthy' && restarts(s) >= 1, 'plain healthy');
  renameSync(dir.join('tree/manifests'), dir.join('tree/manifests.old'));
  rmSync(dir.join('tree/manifests.old'), { recursive: true, force: true });
  const s = await breakAndWaitRecovered(vaid, dir, 'plain', 'plain restarted with its manifest dir gone');
  assert.match(events(s), /CommandDegraded: restart_cmd ran in .*tree: its working directory .*tree\/manifests does not exist/);
});

test('finding 10: a marker dir others can write, or a marker another user owns, does not stop recovery', { skip: skip ?? false }, async (t) => {
  const { dir, track } = setup(t);
  const user = createUser(t);
  const markers = dir.join('markers');
  mkdirSync(markers);
  chmodSync(markers, 0o777);
  dir.write('manifests/plain.yaml', fileService(dir, 'plain'));
  const vaid = track(await startVaid({ manifests: dir.join('manifests'), stateDir: dir.join('state'), markerDir: markers }));
  await vaid.waitForService('plain', (s) => s.phase === 'Healthy' && restarts(s) >= 1, 'plain healthy');
  user.run(['touch', path.join(markers, 'plain.stopped')]);
  await breakAndWaitRecovered(vaid, dir, 'plain', 'plain still recovered despite a marker any user could write');
  await waitFor(() => vaid.records().some((r) => /markers is owned by uid 0 with mode 777: it must be owned by root and not group\/world-writable/.test(String(r.msg))), { what: 'a warning about the marker dir' });

  // The dir fixed, the stranger's marker is still ignored; root's own marker stops the service.
  chmodSync(markers, 0o755);
  await breakAndWaitRecovered(vaid, dir, 'plain', 'plain recovered: a marker owned by another user is ignored');
  await waitFor(() => vaid.records().some((r) => /plain\.stopped is owned by uid \d+, not root: ignored/.test(String(r.msg))), { what: 'a warning about the foreign marker' });
  rmSync(path.join(markers, 'plain.stopped'));
  writeFileSync(path.join(markers, 'plain.stopped'), '');
  await vaid.waitForService('plain', (s) => s.phase === 'Stopped', 'root\'s marker stops it');
});
