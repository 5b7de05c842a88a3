// /healthz of a real vaid reports its real health: 200 "ok" while it works, and 503 naming the
// failing check when a failure is provoked for real: the state dir made unwritable (immutable
// for root, mode 0555 otherwise) so status.json writes fail; the manifest directory moved away;
// and the only worker held by a restart command that does not end (--concurrency 1), so the
// other service's checks wait.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, readFileSync, renameSync } from 'node:fs';
import net from 'node:net';
import { spawnSync } from 'node:child_process';
import { testdir, type TestDir } from '../support/testdir.js';
import { waitFor } from '../support/wait.js';
import { killGroupOf, startVaid, vaidMissing, type RunningVaid } from './web-daemon.js';

const skip = vaidMissing();
let dir: TestDir;
let listener: net.Server;
let port: number;
const running: RunningVaid[] = [];
const unlockers: Array<() => void> = [];
const hungPidFiles: string[] = [];

async function get(url: string): Promise<{ status: number; body: string }> {
  const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  return { status: res.status, body: await res.text() };
}

/** Polls url until it answers with status; returns that answer. */
function answers(url: string, status: number, what: string, timeoutMs = 60_000) {
  return waitFor(async () => {
    const r = await get(url);
    return r.status === status && r;
  }, { what, timeoutMs, intervalMs: 200 });
}

function tcpService(name: string): string {
  return [
    'apiVersion: vai/v1',
    'kind: Service',
    `metadata: { name: ${name} }`,
    'spec:',
    `  health_check: { type: tcp, host: 127.0.0.1, port: ${port}, interval_seconds: 0.5, timeout_seconds: 5 }`,
    '  restart_cmd: "true"',
    '',
  ].join('\n');
}

/** A vaid with --listen over DIR/SUB/manifests (state in DIR/SUB/state), stopped after the tests. */
async function vaidIn(sub: string, extraArgs: string[] = []): Promise<{ vaid: RunningVaid; url: string; stateDir: string }> {
  const stateDir = dir.join(sub, 'state');
  const vaid = startVaid(['--manifests', dir.join(sub, 'manifests'), '--state-dir', stateDir, '--listen', '127.0.0.1:0', ...extraArgs], { stateDir });
  running.push(vaid);
  return { vaid, url: await vaid.url(), stateDir };
}

/** Makes dir refuse new files for real; returns how to undo it, or a reason it cannot. */
function makeUnwritable(path: string): (() => void) | string {
  if (process.getuid?.() !== 0) {
    chmodSync(path, 0o555);
    return () => chmodSync(path, 0o755);
  }
  // Root ignores modes; an immutable directory refuses root too.
  const r = spawnSync('chattr', ['+i', path], { encoding: 'utf8' });
  if (r.status !== 0) return `chattr +i is not available here (${r.error?.message ?? r.stderr.trim()})`;
  return () => void spawnSync('chattr', ['-i', path]);
}

before(async () => {
  if (skip) return;
  dir = testdir({}, 'vai-web-healthz-');
  listener = net.createServer((s) => s.destroy());
  await new Promise<void>((r) => listener.listen(0, '127.0.0.1', r));
  port = (listener.address() as net.AddressInfo).port;
});

after(async () => {
  if (skip) return;
  for (const undo of unlockers) undo();
  for (const f of hungPidFiles) if (existsSync(f)) killGroupOf(Number(readFileSync(f, 'utf8')));
  for (const v of running) await v.stop();
  await new Promise((r) => listener.close(r));
  dir.remove();
});

test('a working vaid answers 200 ok; unwritable state dir: 503 naming status-write; writable again: 200', { skip }, async (t) => {
  dir.write('a/manifests/db.yaml', tcpService('db'));
  const { vaid, url, stateDir } = await vaidIn('a');
  await waitFor(() => vaid.status()?.services.db?.phase === 'Healthy', { what: 'db Healthy', timeoutMs: 60_000 });

  assert.deepEqual(await get(`${url}/healthz`), { status: 200, body: 'ok\n' });
  assert.deepEqual(await get(`${url}/healthz?verbose`), {
    status: 200,
    body: '[+]reconcile-loop ok\n[+]status-write ok\n[+]manifests ok\n[+]notifiers ok\n[+]self ok\n[+]history ok\nhealthz check passed\n',
  });

  const undo = makeUnwritable(stateDir);
  if (typeof undo === 'string') return t.skip(undo);
  unlockers.push(undo);
  // Each check of db changes its lastCheck, so status.json is written again within ~1.5 s.
  const sick = await answers(`${url}/healthz`, 503, '/healthz 503 after the state dir became unwritable');
  assert.match(sick.body, /^\[\+\]reconcile-loop ok$/m);
  assert.match(sick.body, /^\[-\]status-write failed: status\.json cannot be written since \S+ \(\d+ failed attempts?\): (EPERM|EACCES)/m);
  assert.match(sick.body, /\nhealthz check failed\n$/);
  const one = await get(`${url}/healthz/status-write`);
  assert.equal(one.status, 503);
  assert.equal((await get(`${url}/healthz?exclude=status-write`)).status, 200);

  undo();
  unlockers.splice(unlockers.indexOf(undo), 1);
  await answers(`${url}/healthz`, 200, '/healthz 200 once status.json can be written again');
  await vaid.stop();
});

test('the manifest directory moved away: 503 naming manifests, the services keep running; back: 200', { skip }, async () => {
  dir.write('b/manifests/db.yaml', tcpService('db'));
  const { vaid, url } = await vaidIn('b');
  await waitFor(() => vaid.status()?.services.db?.phase === 'Healthy', { what: 'db Healthy', timeoutMs: 60_000 });

  renameSync(dir.join('b/manifests'), dir.join('b/moved'));
  const sick = await answers(`${url}/healthz`, 503, '/healthz 503 after the manifest dir disappeared');
  assert.match(sick.body, new RegExp(`^\\[-\\]manifests failed: ${dir.join('b/manifests').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: cannot read the manifest directory: ENOENT$`, 'm'));
  assert.match(sick.body, /^\[\+\]reconcile-loop ok$/m);
  assert.equal(vaid.status()?.services.db?.phase, 'Healthy', 'the last good manifests stay applied');

  renameSync(dir.join('b/moved'), dir.join('b/manifests'));
  await answers(`${url}/healthz`, 200, '/healthz 200 with the manifests back');
  await vaid.stop();
});

test('the only worker held by a restart that does not end: 503 naming reconcile-loop once the stall limit passes', { skip }, async () => {
  const pidFile = dir.join('c/hung-restart.pid');
  hungPidFiles.push(pidFile);
  dir.write('c/manifests/db.yaml', tcpService('db'));
  // A service that fails its check at once and whose first restart_cmd hangs for 10 minutes
  // (later ones return at once, so nothing hangs after the test kills the first).
  dir.write('c/manifests/stuck.yaml', [
    'apiVersion: vai/v1',
    'kind: Service',
    'metadata: { name: stuck }',
    'spec:',
    '  health_check: { type: custom, command: "false", interval_seconds: 1, timeout_seconds: 5 }',
    `  restart_cmd: ${JSON.stringify(`[ -e ${pidFile} ] && exit 0; echo $$ > ${pidFile}; exec sleep 600`)}`,
    '  command_timeout_seconds: 600',
    '',
  ].join('\n'));
  const { vaid, url } = await vaidIn('c', ['--concurrency', '1']);
  try {
    await waitFor(() => existsSync(pidFile) && readFileSync(pidFile, 'utf8').trim() !== '', { what: 'the hung restart_cmd running', timeoutMs: 60_000 });
    assert.equal((await get(`${url}/healthz/reconcile-loop`)).status, 200, 'a restart in progress is not a stall yet');
    // The limit is the 30 s floor (3 × the shortest interval, 1 s, is less).
    const sick = await answers(`${url}/healthz`, 503, '/healthz 503 while db waits for the only worker', 120_000);
    assert.match(sick.body, /^\[-\]reconcile-loop failed: 1 service waits? for a free worker and no reconcile finished for \d+s \(limit 30s: the floor of 30s\)$/m);
    assert.match(sick.body, /^\[\+\]status-write ok$/m);
  } finally {
    if (existsSync(pidFile)) killGroupOf(Number(readFileSync(pidFile, 'utf8')));
  }
  // With the restart command gone the worker is free again and the loop makes progress.
  await answers(`${url}/healthz/reconcile-loop`, 200, 'reconcile-loop ok again');
  await vaid.stop();
});
