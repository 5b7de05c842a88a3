// Issue 16, finding 8: the wall clock steps (NTP) and retries must not stop. A real vaid runs
// under Debian's libfaketime with its wall clock stepped 1 h back, then 1 h forward, while its
// monotonic clock runs on, as NTP leaves it. A crash-looping service must keep being retried at
// the pace of its policy: before the fix a backward step stopped every restart for an hour.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { testdir } from '../support/testdir.js';
import { freePort, startVaid } from '../support/vaid.js';
import { waitFor } from '../support/wait.js';

const LIB = ['/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1', '/usr/lib/aarch64-linux-gnu/faketime/libfaketimeMT.so.1'].find((f) => existsSync(f));
const skip = LIB ? false : 'libfaketime is not installed (apt-get install faketime)';
if (skip && process.env.CI === 'true') throw new Error(`the clock-step test needs faketime under CI: ${skip}`);
if (skip) process.stderr.write(`skipping vaid-clock-step: ${skip}\n`);

const STARTUP_S = 1;

test('a crash-looping service is retried at policy pace through a 1 h step back and a 1 h step forward of the wall clock', { skip }, async () => {
  const port = await freePort(); // nothing listens: every check fails, every restart "fails"
  const dir = testdir({}, 'vai-clockstep-');
  const offset = dir.join('faketime');
  writeFileSync(offset, '+0\n');
  // Each restart records the system's uptime: a monotonic clock libfaketime does not touch.
  const restarts = dir.join('restarts.log');
  dir.write(
    'manifests/loop.yaml',
    [
      'apiVersion: vai/v1',
      'kind: Service',
      'metadata: { name: loop }',
      'spec:',
      `  health_check: { type: tcp, port: ${port}, interval_seconds: 0.5, timeout_seconds: 1, failure_threshold: 1 }`,
      `  restart_cmd: ${JSON.stringify(`cut -d' ' -f1 /proc/uptime >> ${restarts}`)}`,
      `  startup_delay_seconds: ${STARTUP_S}`,
      '  max_failures: 3',
      '  failure_window_seconds: 60',
      '  backoff_initial_seconds: 2',
      '  backoff_max_seconds: 4',
      '',
    ].join('\n'),
  );
  const count = () => (existsSync(restarts) ? readFileSync(restarts, 'utf8').split('\n').filter(Boolean).length : 0);
  const vaid = await startVaid({
    manifests: dir.join('manifests'),
    stateDir: dir.join('state'),
    env: { LD_PRELOAD: LIB!, FAKETIME_TIMESTAMP_FILE: offset, FAKETIME_CACHE_DURATION: '1', FAKETIME_DONT_FAKE_MONOTONIC: '1' },
  });
  try {
    // In backoff: max_failures attempts failed, the next waits.
    await waitFor(() => count() >= 4, { what: 'four restarts before the step', timeoutMs: 90_000 });
    writeFileSync(offset, '-3600\n');
    // vaid sees the step: its log lines (pino stamps them with the wall clock) are an hour back ...
    await waitFor(() => vaid.records().some((r) => Date.parse(String(r.time)) < Date.now() - 1_800_000), { what: 'vaid on a wall clock 1 h back', timeoutMs: 30_000 });
    // ... and keeps retrying: at most backoff_max + startup + a check apart (~6 s); allow for load.
    const atBack = count();
    await waitFor(() => count() >= atBack + 3, { what: 'three more restarts after the 1 h step back', timeoutMs: 90_000 });
    writeFileSync(offset, '+0\n');
    const atForward = count();
    await waitFor(() => count() >= atForward + 3, { what: 'three more restarts after the 1 h step forward', timeoutMs: 90_000 });
    // Never faster than the policy: a verify deadline that expired at once (forward step) would
    // restart again without waiting startup_delay_seconds.
    const ups = readFileSync(restarts, 'utf8').split('\n').filter(Boolean).map(Number);
    const gaps = ups.slice(1).map((u, i) => u - ups[i]!);
    assert.ok(gaps.every((g) => g >= STARTUP_S - 0.05), `restarts at least startup_delay_seconds apart: gaps ${gaps.map((g) => g.toFixed(2)).join(', ')} s`);
    const s = vaid.readStatus()!.services.loop!;
    assert.ok(s.backoff.delaySeconds <= 4, `backoff within backoff_max_seconds: ${s.backoff.delaySeconds}`);
  } finally {
    await vaid.stop();
    dir.remove();
  }
});
