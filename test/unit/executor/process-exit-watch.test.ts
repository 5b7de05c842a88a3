// The kernel's exit notice (pidfd) for real processes: a SIGKILLed one, a zombie nobody reaps,
// a pid that already names another process. Where the kernel or koffi refuses, the watcher
// says so and returns null (the caller polls): the test then checks that refusal is explained.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { ProcessExitWatcher } from '../../../src/executor/process-exit-watch.js';
import { parseStat } from '../../../src/executor/listener-process.js';
import type { WatchedProcess } from '../../../src/executor/types.js';
import { testdir } from '../../support/testdir.js';
import { startGroup } from '../../support/services/processes.js';
import { waitFor } from '../../support/wait.js';

const dir = testdir();
after(() => dir.remove());

function watched(pid: number): WatchedProcess {
  return { pid, startTime: parseStat(readFileSync(`/proc/${pid}/stat`, 'latin1'))!.startTime, what: 'test' };
}

const watcher = new ProcessExitWatcher();
const probe = watcher.watch(watched(process.pid), () => undefined);
const refused = probe === null ? (watcher.refused ?? 'refused without a reason') : false;
probe?.();
if (refused && process.env.CI === 'true') throw new Error(`pidfd watching refused under CI: ${refused}`);

test('watching is available here, or its refusal says why', () => {
  if (refused) assert.match(refused, /\S/);
  else assert.equal(watcher.size, 0, 'an unwatched process holds nothing');
});

test('a SIGKILLed process is reported exited once, and nothing is left watched', { skip: refused }, async () => {
  const p = startGroup('sleep', ['1000']);
  let exits = 0;
  try {
    assert.ok(watcher.watch(watched(p.pid), () => exits++));
    assert.equal(watcher.size, 1);
    process.kill(p.pid, 'SIGKILL');
    await waitFor(() => exits === 1, { what: 'the exit notice' });
    assert.equal(watcher.size, 0);
  } finally {
    await p.kill();
  }
  assert.equal(exits, 1);
});

test('a zombie that nobody reaps is reported exited (no wait for PID 1)', { skip: refused }, async () => {
  const pidFile = dir.join('zombie.pid');
  // The parent execs into sleep, which never reaps: its child stays a zombie once it exits.
  const p = startGroup('bash', ['-c', `sleep 1000 & echo $! > ${pidFile}; exec sleep 1000`]);
  let exited = false;
  try {
    const child = await waitFor(() => existsSync(pidFile) && Number(readFileSync(pidFile, 'utf8')), { what: 'child pid file' });
    assert.ok(watcher.watch(watched(child), () => (exited = true)));
    process.kill(child, 'SIGKILL');
    await waitFor(() => exited, { what: 'the zombie reported exited' });
    assert.match(readFileSync(`/proc/${child}/stat`, 'latin1'), /\) Z /, 'still a zombie: seen by the pidfd, not by its absence');
  } finally {
    await p.kill();
  }
});

test('a pid that now names a process started at another time is reported exited at once', { skip: refused }, async () => {
  const p = startGroup('sleep', ['1000']);
  let exited = false;
  try {
    const w = watched(p.pid);
    assert.ok(watcher.watch({ ...w, startTime: w.startTime - 1 }, () => (exited = true)));
    await waitFor(() => exited, { what: 'the reused pid reported' });
    assert.equal(watcher.size, 0);
  } finally {
    await p.kill();
  }
});

test('a stopped watch never reports, and watches come and go while one poll waits', { skip: refused }, async () => {
  const a = startGroup('sleep', ['1000']);
  const b = startGroup('sleep', ['1000']);
  const seen: string[] = [];
  try {
    const stopA = watcher.watch(watched(a.pid), () => seen.push('a'));
    assert.ok(stopA);
    assert.ok(watcher.watch(watched(b.pid), () => seen.push('b')));
    stopA();
    assert.equal(watcher.size, 1);
    process.kill(a.pid, 'SIGKILL');
    process.kill(b.pid, 'SIGKILL');
    await waitFor(() => seen.includes('b'), { what: 'b reported' });
    assert.deepEqual(seen, ['b']);
  } finally {
    await a.kill();
    await b.kill();
  }
});
