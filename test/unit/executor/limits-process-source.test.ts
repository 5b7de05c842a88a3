// Without a pid_file the limits measure the owner of the check's loopback port, or the first match
// of a process check: real child processes here, one listening on 127.0.0.1, found through /proc.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { ProcessLimits } from '../../../src/executor/limits.js';
import type { HealthCheck } from '../../../src/manifest/schema.js';
import { healthCheck, serviceSpec } from '../../support/service-spec.js';
import { testdir } from '../../support/testdir.js';

const LISTENER = `const s = require('node:net').createServer(() => {}); s.listen(0, '127.0.0.1', () => console.log(s.address().port)); setInterval(() => {}, 1000);`;

function stop(c: ChildProcess): void {
  if (c.exitCode === null && c.signalCode === null && c.pid) process.kill(c.pid, 'SIGKILL');
}

test('the owner of the loopback port, and the first match of a process check, are the measured root', async (t) => {
  const dir = testdir();
  t.after(() => dir.remove());
  const marker = `vai-limits-source-${process.pid}-${Date.now()}`;
  const child = spawn(process.execPath, ['-e', LISTENER, marker], { stdio: ['ignore', 'pipe', 'ignore'] });
  t.after(() => stop(child));
  const [line] = (await once(child.stdout!, 'data')) as [Buffer];
  const port = Number(line.toString().trim());
  const base = { health: 'healthy' as const, reason: 'CheckPassed' as const, message: 'ok', latencyMs: 1 };
  const target = (hc: HealthCheck) => ({
    name: `svc-${hc.type}`,
    spec: serviceSpec({ health_check: hc, restart_cmd: 'true', limits: { memory_mb: 1_000_000, for_checks: 1 } as never }),
    defaultLogPath: dir.join('svc.log'),
    workingDir: dir.path,
  });
  const limits = new ProcessLimits();
  const byPort = await limits.apply(target(healthCheck({ type: 'tcp', host: '127.0.0.1', port })), base, 1000);
  assert.equal(byPort.usage?.rootPid, child.pid, byPort.message);
  assert.match(byPort.message, /^ok; RSS \d+ MB of 1000000 MB$/);
  const byMatch = await limits.apply(target(healthCheck({ type: 'process', process_name: marker })), base, 1000);
  assert.equal(byMatch.usage?.rootPid, child.pid, byMatch.message);

  stop(child);
  await once(child, 'exit');
  const gone = await limits.apply(target(healthCheck({ type: 'tcp', host: '127.0.0.1', port })), base, 5000);
  assert.equal(gone.usage, undefined, 'the listener is gone: nothing to measure');
  assert.match(gone.message, /limits: vai cannot find the service's process/);
});
