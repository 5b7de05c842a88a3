import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { processCheck } from '../../../src/executor/checks/process.js';
import { LocalExecutor } from '../../../src/executor/local-executor.js';
import { healthCheck, target } from './target.js';
import { testdir } from '../../support/testdir.js';
import { startGroup } from '../../support/services/processes.js';
import { waitFor } from '../../support/wait.js';

const dir = testdir();
after(() => dir.remove());
/** Pids (other than this process) whose command line contains text. */
function shellsWith(text: string): number[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d) && Number(d) !== process.pid)
    .filter((d) => {
      try {
        return readFileSync(`/proc/${d}/cmdline`, 'utf8').includes(text);
      } catch {
        return false;
      }
    })
    .map(Number);
}

const marker = () => `vai-proc-${Math.random().toString(36).slice(2, 10)}`;

test('a running process whose command line matches is healthy, and the message names its pid', async () => {
  const m = marker();
  const p = startGroup('bash', ['-c', `exec -a ${m}-daemon sleep 1000`]);
  try {
    const r = await waitFor(() => {
      const res = processCheck(healthCheck({ type: 'process', process_name: `${m}-d[a-z]+` }));
      return res.health === 'healthy' && res;
    }, { what: 'process visible' });
    assert.match(r.message, new RegExp(`^pid ${p.pid} matches`));
  } finally {
    await p.kill();
  }
  const gone = processCheck(healthCheck({ type: 'process', process_name: m }));
  assert.equal(gone.health, 'unhealthy');
  assert.equal(gone.reason, 'ProcessNotFound');
  assert.match(gone.message, new RegExp(`no process matches "${m}"`));
});

test('pgrep -f semantics: arguments count, joined by spaces', async () => {
  const m = marker();
  const p = startGroup('bash', ['-c', `exec -a sleep-${m} sleep 1000`]);
  try {
    await waitFor(() => processCheck(healthCheck({ type: 'process', process_name: `sleep-${m} 1000$` })).health === 'healthy', { what: 'match with args' });
  } finally {
    await p.kill();
  }
});

test('never matches vai itself nor the shell of a command vai is running', async () => {
  const m = marker();
  // vai's own command line does not carry the marker, so put it in a running restart_cmd's text.
  // `; true` keeps bash itself alive: bash execs the last command of a -c list in place of the
  // shell, which would take the marker away within a millisecond and leave nothing to test.
  const ex = new LocalExecutor();
  const t = target('svc', { health_check: healthCheck({ type: 'process', process_name: m }), restart_cmd: `: ${m}; sleep 5; true` }, dir.path);
  const running = ex.run(t, 'restart');
  try {
    // The check proves something only while the shell carrying the marker runs: wait for it to
    // appear (a loaded machine can take longer than any fixed pause), and see it still there after.
    await waitFor(() => shellsWith(m).length > 0, { what: 'the restart_cmd shell running' });
    const r = await ex.check(t);
    assert.equal(r.health, 'unhealthy', r.message);
    assert.ok(shellsWith(m).length > 0, 'the shell was still running during the check');
  } finally {
    await running;
  }
});

test('an invalid pattern is a check error (unknown), not a dead service', () => {
  const r = processCheck(healthCheck({ type: 'process', process_name: '(unclosed' }));
  assert.equal(r.health, 'unknown');
  assert.equal(r.reason, 'CheckError');
  assert.match(r.message, /invalid process_name pattern/);
});

test('nor a fork of that shell (a subshell, or the instant before it execs a command): same command line, same group', async () => {
  const m = marker();
  const ex = new LocalExecutor();
  // `( ... )` forks a copy of the shell that stays a shell: the fork-before-exec of every command,
  // held open long enough to be seen on any machine.
  const t = target('svc', { health_check: healthCheck({ type: 'process', process_name: m }), restart_cmd: `: ${m}; (sleep 5; true); true` }, dir.path);
  const running = ex.run(t, 'restart');
  try {
    await waitFor(() => shellsWith(m).length >= 2, { what: 'the restart_cmd shell and its subshell running' });
    const r = await ex.check(t);
    assert.equal(r.health, 'unhealthy', r.message);
    assert.ok(shellsWith(m).length >= 2, 'both shells were still running during the check');
  } finally {
    await running;
  }
});
