// The limits read a service's pid_file the way the probes do (core/safe-open): a pid_file its
// service's owner replaced with a symlink (to /dev/zero, a FIFO, another process's pid file) names
// no process to measure. Before, the limits followed the link with a plain readFileSync.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { symlinkSync, writeFileSync } from 'node:fs';
import { ProcessLimits } from '../../../src/executor/limits.js';
import { serviceSpec } from '../../support/service-spec.js';
import { testdir } from '../../support/testdir.js';

test('limits measure the pid in a regular pid_file and refuse one reached through a symlink', async (t) => {
  const dir = testdir();
  t.after(() => dir.remove());
  writeFileSync(dir.join('real.pid'), `${process.pid}\n`);
  symlinkSync(dir.join('real.pid'), dir.join('link.pid'));
  const base = { health: 'healthy' as const, reason: 'CheckPassed' as const, message: 'ok', latencyMs: 1 };
  const target = (pidFile: string) => ({
    name: 'svc',
    spec: serviceSpec({ health_check: { type: 'tcp', port: 1 } as never, pid_file: pidFile, limits: { memory_mb: 1_000_000, for_checks: 1 } as never }),
    defaultLogPath: dir.join('svc.log'),
    workingDir: dir.path,
  });
  const real = await new ProcessLimits().apply(target('real.pid'), base, Date.now());
  assert.equal(real.usage?.rootPid, process.pid, real.message);
  const linked = await new ProcessLimits().apply(target('link.pid'), base, Date.now());
  assert.equal(linked.usage, undefined);
  assert.match(linked.message, /cannot find the service's process/);
});
