// Process limits end to end: a real vaid watches real processes through their pid_file; one
// allocates memory past limits.memory_mb and is restarted with cause MemoryLimit, one spins a
// busy loop past limits.cpu_percent and is restarted with CpuLimit. Then each runs the normal
// recovery (restart_cmd, verify), as for any failed check.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testdir } from '../support/testdir.js';
import { killPidFiles, startVaid } from '../support/vaid.js';
import { startsAndRestarts } from '../support/restart-count.js';

// Allocates ~20 MB every 200 ms and touches it, so RSS climbs; a restart starts it small again.
const HOG = `const a = []; setInterval(() => { const b = Buffer.alloc(20 * 1024 * 1024, 1); a.push(b); }, 200);`;
const SPIN = `for (;;) {}`;

test('a process allocating past memory_mb is restarted with MemoryLimit; a busy loop past cpu_percent with CpuLimit', { timeout: 180_000 }, async () => {
  const dir = testdir({}, 'vai-e2e-');
  const run = dir.join('run');
  dir.write('run/hog.js', HOG);
  dir.write('run/spin.js', SPIN);
  const svc = (name: string, script: string, limits: string) => `apiVersion: vai/v1
kind: Service
metadata:
  name: ${name}
spec:
  health_check:
    type: process
    process_name: "${run}/${script}"
    interval_seconds: 0.5
  pid_file: ${run}/${name}.pid
  stop_cmd: "kill $(cat ${run}/${name}.pid) 2>/dev/null; true"
  restart_cmd: "node ${run}/${script} >/dev/null 2>&1 & echo $! > ${run}/${name}.pid"
  startup_delay_seconds: 20
  limits: ${limits}
`;
  dir.write('manifests/hog.yaml', svc('hog', 'hog.js', '{ memory_mb: 120, for_checks: 2 }'));
  dir.write('manifests/spin.yaml', svc('spin', 'spin.js', '{ cpu_percent: 20, for_checks: 2 }'));
  const vaid = await startVaid({ manifests: dir.join('manifests'), stateDir: dir.join('state') });
  try {
    const hog = await vaid.waitForService('hog', (s) => startsAndRestarts(s) >= 2, 'hog restarted twice (once to start, once over its limit)', 120_000);
    assert.match(hog.restarts.lastReason ?? '', /^RSS \d+ MB > 120 MB for 2 checks \(pid \d+/);
    const spin = await vaid.waitForService('spin', (s) => startsAndRestarts(s) >= 2, 'spin restarted over its CPU limit', 120_000);
    assert.match(spin.restarts.lastReason ?? '', /^CPU \d+ % > 20 % for 2 checks \(pid \d+/);
    const doc = vaid.readStatus()!;
    const reasons = doc.services.hog!.events.map((e) => `${e.reason}: ${e.message}`).join('\n');
    assert.match(reasons, /RSS \d+ MB > 120 MB/);
  } finally {
    await vaid.kill9();
    killPidFiles(run);
    dir.remove();
  }
});
