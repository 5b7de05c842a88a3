// The limits share one /proc pass among the checks of PROC_TABLE_REUSE_MS (a pass per check was
// most of a limit's cost in the bench), yet each service's CPU share is taken between two passes'
// own times, a service checked again within the window gets a fresh pass, and a process newer
// than the pass is found. The proc dir here is a directory of real stat files the test writes:
// the real /proc cannot be made to show set figures.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { PROC_TABLE_REUSE_MS, ProcessLimits } from '../../../src/executor/limits.js';
import { serviceSpec } from '../../support/service-spec.js';
import { testdir } from '../../support/testdir.js';

const PAGE = 4096;
const MB = 1024 * 1024;

test('one /proc pass serves several services within the window; CPU shares stay exact; a new pid is read afresh', async (t) => {
  const dir = testdir();
  t.after(() => dir.remove());
  const proc = dir.join('proc');
  const setStat = (pid: number, rssMb: number, ticks: number) => {
    mkdirSync(`${proc}/${pid}`, { recursive: true });
    writeFileSync(`${proc}/${pid}/stat`, `${pid} (svc) S 1 ${pid} ${pid} 0 -1 0 0 0 0 0 ${ticks} 0 0 0 20 0 1 0 0 0 ${(rssMb * MB) / PAGE} 0\n`);
  };
  const base = { health: 'healthy' as const, reason: 'CheckPassed' as const, message: 'ok', latencyMs: 1 };
  const target = (name: string, pid: number) => {
    writeFileSync(dir.join(`${name}.pid`), `${pid}\n`);
    return {
      name,
      spec: serviceSpec({ health_check: { type: 'tcp', port: 1 } as never, pid_file: `${name}.pid`, limits: { memory_mb: 1_000_000, cpu_percent: 100_000, for_checks: 1 } as never }),
      defaultLogPath: dir.join(`${name}.log`),
      workingDir: dir.path,
    };
  };
  setStat(100, 10, 0);
  const limits = new ProcessLimits(proc);
  const a = target('a', 100);
  const b = target('b', 100);
  assert.equal((await limits.apply(a, base, 1000)).usage?.rssBytes, 10 * MB);

  setStat(100, 20, 50);
  const reused = await limits.apply(b, base, 1000 + PROC_TABLE_REUSE_MS / 2);
  assert.equal(reused.usage?.rssBytes, 10 * MB, 'b, checked within the window, is served by a\'s pass');

  const again = await limits.apply(a, base, 1000 + PROC_TABLE_REUSE_MS * 0.6);
  assert.equal(again.usage?.rssBytes, 20 * MB, 'a checked again within the window reads afresh (its last sample is that pass)');
  // 50 ticks = 0.5 s of CPU over the 0.6 window between a's two passes.
  assert.equal(Math.round(again.usage!.cpuPercent!), Math.round((0.5 / ((PROC_TABLE_REUSE_MS * 0.6) / 1000)) * 100));

  setStat(200, 5, 0);
  const fresh = await limits.apply(target('c', 200), base, 1000 + PROC_TABLE_REUSE_MS * 0.7);
  assert.equal(fresh.usage?.rssBytes, 5 * MB, 'a pid the recent pass lacks is looked up in a new pass');

  setStat(100, 30, 50);
  const later = await limits.apply(b, base, 1000 + PROC_TABLE_REUSE_MS * 3);
  assert.equal(later.usage?.rssBytes, 30 * MB, 'past the window: a new pass');
});
