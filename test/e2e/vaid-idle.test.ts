// What a healthy, quiet host costs: between two checks a real vaid must sleep, not wake itself
// up on a fast timer (prom-client's 10 ms event-loop sampler and a 100 ms pid probe with no
// pid_file to probe did, ~110 wake-ups a second). Counted as the main thread's voluntary context
// switches from /proc, which no machine load changes, instead of CPU time, which load does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { testdir } from '../support/testdir.js';
import { freePort, startVaid } from '../support/vaid.js';

function wakeups(pid: number): number {
  const m = /^voluntary_ctxt_switches:\s+(\d+)$/m.exec(readFileSync(`/proc/${pid}/task/${pid}/status`, 'utf8'));
  assert.ok(m, 'voluntary_ctxt_switches in /proc');
  return Number(m[1]);
}

async function idleWakeups(extraArgs: string[]): Promise<number> {
  const dir = testdir({}, 'vai-e2e-');
  // A process check: no pid_file and no listener to watch, so nothing is due between checks.
  const marker = `${dir.path}/idle-marker`;
  const sleeper = spawn('sleep', ['600'], { stdio: 'ignore', argv0: marker });
  const docs = Array.from({ length: 5 }, (_, i) => `apiVersion: vai/v1
kind: Service
metadata:
  name: svc-${i}
spec:
  health_check:
    type: process
    process_name: ${JSON.stringify(marker)}
    interval_seconds: 60
  restart_cmd: 'true'
`);
  dir.write('manifests/services.yaml', docs.join('---\n'));
  const vaid = await startVaid({ manifests: dir.join('manifests'), stateDir: dir.join('state'), args: ['--log-level', 'warn', ...extraArgs] });
  try {
    await vaid.waitForStatus((d) => Object.values(d.services).filter((s) => s.phase === 'Healthy').length === 5 || undefined, 'all 5 services healthy');
    // The next checks are 54-66 s away: nothing is due in this window.
    const before = wakeups(vaid.pid);
    const seconds = 3;
    await new Promise((r) => setTimeout(r, seconds * 1000));
    return (wakeups(vaid.pid) - before) / seconds;
  } finally {
    await vaid.kill9();
    sleeper.kill('SIGKILL');
    dir.remove();
  }
}

test('an idle vaid with healthy services sleeps between checks: a few wake-ups a second at most', async () => {
  const perSecond = await idleWakeups([]);
  assert.ok(perSecond < 8, `vaid's main thread woke ${perSecond.toFixed(1)} times a second with nothing due`);
});

// The unit ships with --listen: prom-client's event-loop sampler (a 10 Hz libuv timer) and the
// HTTP server's connection checks ran whether or not anything scraped /metrics.
test('an idle vaid serving /metrics that nobody scrapes sleeps as well', async () => {
  const port = await freePort();
  const perSecond = await idleWakeups(['--listen', `127.0.0.1:${port}`]);
  assert.ok(perSecond < 8, `vaid --listen woke ${perSecond.toFixed(1)} times a second with nothing due`);
});
