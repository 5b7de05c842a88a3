// Resource hygiene: however a check or command ends, no process, descriptor or timer remains;
// and what a restart_cmd leaves in the background outlives vai itself.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { LocalExecutor } from '../../../src/executor/local-executor.js';
import { healthCheck, target } from './target.js';
import { testdir } from '../../support/testdir.js';
import { openFdCount, pidsMatching } from '../../support/services/processes.js';
import { waitFor } from '../../support/wait.js';

const dir = testdir();
after(() => dir.remove());
const here = path.dirname(fileURLToPath(import.meta.url));

function timers(): number {
  return process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
}

async function pool<T>(items: T[], width: number, f: (x: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < items.length) await f(items[next++]!);
  }));
}

test('200 hanging custom checks and 50 hanging commands leave no process, descriptor or timer', async () => {
  const m = `vai-leak-${Math.random().toString(36).slice(2, 8)}`;
  const ex = new LocalExecutor();
  const check = target('c', { health_check: healthCheck({ type: 'custom', command: `echo hi; (exec -a ${m} sleep 1000) & exec -a ${m} sleep 1000`, timeout_seconds: 0.2 }) }, dir.path);
  const cmd = target('r', { health_check: healthCheck({ type: 'tcp', port: 1 }), restart_cmd: `(trap "" TERM; exec -a ${m} sleep 1000) & exec -a ${m} sleep 1000`, command_timeout_seconds: 0.2 }, dir.path);
  // Warm up so lazily opened descriptors (libuv signal pipe, log dir) are in the baseline.
  await ex.check(check);
  await ex.run(cmd, 'restart');
  await waitFor(() => pidsMatching(m).length === 0, { what: 'warm-up processes gone' });
  const fdBefore = openFdCount();
  const timersBefore = timers();

  const results: string[] = [];
  await pool(Array.from({ length: 200 }, (_, i) => i), 50, async () => {
    const r = await ex.check(check);
    results.push(r.reason);
  });
  await pool(Array.from({ length: 50 }, (_, i) => i), 25, async () => {
    const r = await ex.run(cmd, 'restart');
    results.push(r.timedOut ? 'CommandTimeout' : r.message);
  });
  assert.equal(results.filter((r) => r === 'Timeout').length, 200);
  assert.equal(results.filter((r) => r === 'CommandTimeout').length, 50);

  await waitFor(() => pidsMatching(m).length === 0, { what: 'every hanging process gone', timeoutMs: 60_000 });
  await waitFor(() => openFdCount() <= fdBefore || undefined, { what: `descriptors back to ${fdBefore} (now ${openFdCount()})` });
  assert.ok(timers() <= timersBefore, `timers: ${timers()} > ${timersBefore}`);
});

test('a restart_cmd with & keeps its daemon alive after the vai process exits', async () => {
  const m = `vai-survivor-${Math.random().toString(36).slice(2, 8)}`;
  const runner = path.join(here, '../../support/services/run-command.ts');
  const child = spawn(process.execPath, ['--import', 'tsx', runner, 'svc', dir.path, `(exec -a ${m} sleep 1000) >> survivor.log 2>&1 &`], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (c) => (out += c));
  const code = await new Promise<number | null>((r) => child.once('close', r));
  try {
    assert.equal(code, 0);
    assert.equal(JSON.parse(out).ok, true);
    const pids = await waitFor(() => pidsMatching(m).length === 1 && pidsMatching(m), { what: 'daemon alive after vai exited' });
    // Its own session: a Ctrl-C or hangup aimed at vai's terminal does not reach it.
    const sid = (pid: number) => Number(statFields(pid)[3]);
    assert.notEqual(sid(pids[0]!), sid(process.pid));
  } finally {
    for (const pid of pidsMatching(m)) process.kill(pid, 'SIGKILL');
  }
});

function statFields(pid: number): string[] {
  const s = readFileSync(`/proc/${pid}/stat`, 'latin1');
  return s.slice(s.lastIndexOf(')') + 2).split(' ');
}
