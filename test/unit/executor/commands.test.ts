import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, symlinkSync, writeFileSync, statSync, existsSync } from 'node:fs';
import { LocalExecutor } from '../../../src/executor/local-executor.js';
import { healthCheck, target } from './target.js';
import { testdir } from '../../support/testdir.js';
import { pidsMatching } from '../../support/services/processes.js';
import { waitFor } from '../../support/wait.js';

const dir = testdir();
after(() => dir.remove());
const ex = new LocalExecutor();
const hc = healthCheck({ type: 'tcp', port: 1 });
const tag = () => Math.random().toString(36).slice(2, 8);

test('restart_cmd: exit 0 is ok, output goes to the per-service log file (0640, dirs 0750)', async () => {
  const t = target('web', { health_check: hc, restart_cmd: 'echo restarting "$VAI_SERVICE"; echo oops >&2' }, dir.path);
  const r = await ex.run(t, 'restart');
  assert.equal(r.ok, true);
  assert.equal(r.exitCode, 0);
  assert.equal(r.unavailable, false);
  assert.match(r.message, /^exit 0 after [\d.]+ m?s$/);
  const log = readFileSync(t.defaultLogPath, 'utf8');
  assert.match(log, /restarting web\noops\n/);
  assert.match(log, /\[vai [^\]]+\] restart_cmd: exit 0/);
  assert.equal(statSync(t.defaultLogPath).mode & 0o777, 0o640);
  assert.equal(statSync(dir.join('logs')).mode & 0o777, 0o750);
});

test('a failing command is not ok and says its exit code; log_path is relative to the manifest dir', async () => {
  const t = target('web', { health_check: hc, restart_cmd: 'echo nope; exit 7', log_path: 'var/web.log' }, dir.path);
  const r = await ex.run(t, 'restart');
  assert.equal(r.ok, false);
  assert.equal(r.exitCode, 7);
  assert.match(readFileSync(dir.join('var/web.log'), 'utf8'), /nope/);
});

test('a restart_cmd ending in & returns when the shell exits and leaves its daemon running', async () => {
  const m = `vai-daemon-${tag()}`;
  const t = target('d', { health_check: hc, restart_cmd: `(exec -a ${m} sleep 1000) >> daemon.log 2>&1 &` }, dir.path);
  try {
    const r = await ex.run(t, 'restart');
    assert.equal(r.ok, true);
    assert.ok(r.durationMs < 30_000);
    await waitFor(() => pidsMatching(m).length === 1, { what: 'daemon running' });
  } finally {
    for (const pid of pidsMatching(m)) process.kill(pid, 'SIGKILL');
  }
});

test('a daemon that keeps stdout open does not make vai wait (output goes to a file, not a pipe)', async () => {
  const m = `vai-noisy-${tag()}`;
  const t = target('n', { health_check: hc, restart_cmd: `(exec -a ${m} sleep 1000) &` }, dir.path);
  try {
    const r = await ex.run(t, 'restart');
    assert.equal(r.ok, true);
    assert.equal(r.timedOut, false);
  } finally {
    await waitFor(() => pidsMatching(m).length === 1, { what: 'daemon running' });
    for (const pid of pidsMatching(m)) process.kill(pid, 'SIGKILL');
  }
});

test('timeout: the whole group gets SIGTERM, then SIGKILL after the grace', async () => {
  const m = `vai-slow-${tag()}`;
  const t = target('s', { health_check: hc, stop_cmd: `(trap "" TERM; exec -a ${m} sleep 1000) & (exec -a ${m} sleep 1000) & wait`, command_timeout_seconds: 0.3 }, dir.path);
  const r = await ex.run(t, 'stop');
  assert.equal(r.ok, false);
  assert.equal(r.timedOut, true);
  assert.equal(r.message, 'killed after timeout of 300 ms');
  await waitFor(() => pidsMatching(m).length === 0, { what: 'group gone', timeoutMs: 30_000 });
});

test('no stop_cmd is fine (nothing to do); no restart_cmd is not', async () => {
  const t = target('e', { health_check: hc }, dir.path);
  assert.equal((await ex.run(t, 'stop')).ok, true);
  const r = await ex.run(t, 'restart');
  assert.equal(r.ok, false);
  assert.match(r.message, /no restart_cmd/);
});

test('service fields are never spliced into the command text', async () => {
  const t = target('x', { health_check: hc, restart_cmd: 'printf "%s" "$VAI_LOG_PATH" > logpath.txt', log_path: 'a b;$(touch pwned)/x.log' }, dir.path);
  const r = await ex.run(t, 'restart');
  assert.equal(r.ok, true);
  assert.equal(readFileSync(dir.join('logpath.txt'), 'utf8'), dir.join('a b;$(touch pwned)/x.log'));
  assert.equal(existsSync(dir.join('pwned')), false);
});

test('the log file is never opened through a symlink planted in its place; the command runs with its output discarded, and says so', async () => {
  const victim = dir.write('victim.txt', 'precious\n');
  symlinkSync(victim, dir.join('planted.log'));
  const t = target('p', { health_check: hc, restart_cmd: 'echo overwritten', log_path: 'planted.log' }, dir.path);
  const r = await ex.run(t, 'restart');
  assert.equal(r.ok, true, 'a logging problem never vetoes the restart');
  assert.match(r.warnings?.join('\n') ?? '', /output discarded: cannot open log file .*planted\.log: .*symlink/);
  assert.equal(readFileSync(victim, 'utf8'), 'precious\n');
  writeFileSync(dir.join('unused'), '');
});

test('an aborted command is killed and reported not ok', async () => {
  const m = `vai-abort-${tag()}`;
  const t = target('a', { health_check: hc, restart_cmd: `exec -a ${m} sleep 1000` }, dir.path);
  const ac = new AbortController();
  const p = ex.run(t, 'restart', ac.signal);
  await waitFor(() => pidsMatching(m).length === 1, { what: 'command running' });
  ac.abort();
  const r = await p;
  assert.equal(r.ok, false);
  assert.match(r.message, /cancelled|killed/);
  await waitFor(() => pidsMatching(m).length === 0, { what: 'command gone' });
});

test("a command's own lines keep their numbers: $LINENO and bash's error lines count from the manifest's first line", async () => {
  const t = target(`lines-${tag()}`, { health_check: hc, restart_cmd: 'echo "first $LINENO"\necho "second $LINENO"\nno-such-command-here' }, dir.path);
  const r = await ex.run(t, 'restart');
  assert.equal(r.ok, false);
  const log = readFileSync(t.defaultLogPath, 'utf8');
  assert.match(log, /^first 1$/m);
  assert.match(log, /^second 2$/m);
  assert.match(log, /line 3: no-such-command-here: command not found/);
});
