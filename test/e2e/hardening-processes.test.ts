// Findings 13 and 14 of the root-daemon hardening issue, with the real vaid as root: a custom
// check whose script setsid()s a child (it leaves the shell's process group; it must not outlive
// the check, nor vaid), and a restart_cmd's `&` daemon writing fast into its log (the log must
// stay bounded by copy-then-truncate rotation while the daemon keeps its O_APPEND descriptor).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { randomUUID } from 'node:crypto';
import { testdir, type TestDir } from '../support/testdir.js';
import { waitFor } from '../support/wait.js';
import { killPidFiles, startVaid, VAICTL_BIN, type VaidProcess } from '../support/vaid.js';
import { rootOrSkip } from '../support/unprivileged-user.js';

const skip = rootOrSkip();

function manifest(name: string, spec: string[]): string {
  return ['apiVersion: vai/v1', 'kind: Service', `metadata: { name: ${name} }`, 'spec:', ...spec.map((l) => `  ${l}`), ''].join('\n');
}

/** Pids whose argv holds `marker` (read from /proc; a process gone meanwhile is skipped). */
function pidsWith(marker: string): number[] {
  const found: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const cmdline = readFileSync(`/proc/${name}/cmdline`, 'latin1');
      const state = readFileSync(`/proc/${name}/stat`, 'latin1');
      if (cmdline.includes(marker) && state.slice(state.lastIndexOf(')') + 2, state.lastIndexOf(')') + 3) !== 'Z') found.push(Number(name));
    } catch {
      // Exited while we looked.
    }
  }
  return found;
}

function killAll(pids: number[]): void {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Gone.
    }
  }
}

function setup(t: { after(fn: () => unknown): void }, markers: string[]): { dir: TestDir; track(v: VaidProcess): VaidProcess } {
  const dir = testdir({}, 'vai-hard-proc-');
  const running: VaidProcess[] = [];
  t.after(async () => {
    for (const v of running) await v.kill9();
    killPidFiles(dir.join('run'));
    for (const m of markers) killAll(pidsWith(m));
    dir.remove();
  });
  dir.write('run/.keep', '');
  return { dir, track: (v) => (running.push(v), v) };
}

test('finding 13: a custom check that setsids a child leaks no process, per check or after vaid stops; a restart_cmd daemon keeps running', { skip: skip ?? false }, async (t) => {
  const escaped = `vai-escaped-${randomUUID()}`;
  const daemon = `vai-daemon-${randomUUID()}`;
  const { dir, track } = setup(t, [escaped, daemon]);
  // The check passes once the daemon's pid file exists; each run leaves a setsid()ed sleeper behind.
  dir.write(
    'bin/check.sh',
    `setsid bash -c 'exec -a ${escaped} sleep 1000' </dev/null >/dev/null 2>&1 &\ntest -f ${dir.join('run', 'd.pid')}\n`,
  );
  dir.write(
    'manifests/leaky.yaml',
    manifest('leaky', [
      `health_check: { type: custom, command: "bash ${dir.join('bin', 'check.sh')}", interval_seconds: 0.3, timeout_seconds: 5 }`,
      `restart_cmd: "setsid bash -c 'exec -a ${daemon} sleep 1000' </dev/null >/dev/null 2>&1 & echo $! > ${dir.join('run', 'd.pid')}"`,
      'startup_delay_seconds: 5',
    ]),
  );
  const vaid = track(await startVaid({ manifests: dir.join('manifests'), stateDir: dir.join('state') }));
  const checked = await vaid.waitForService('leaky', (s) => s.phase === 'Healthy' && s.counters.checks >= 12, 'leaky healthy after a dozen checks', 90_000);
  assert.ok(checked.counters.checks >= 12);
  // Each check's shell has exited; what it left in its cgroup (or group) was killed with it. A
  // check may be running right now, so allow that one run's sleeper while it lasts.
  const leftover = await waitFor(() => {
    const p = pidsWith(escaped);
    return p.length <= 1 ? p : null;
  }, { what: `at most the running check's sleeper (${escaped}) alive`, timeoutMs: 60_000, intervalMs: 100 }).catch(() => pidsWith(escaped));
  assert.ok(leftover.length <= 1, `${leftover.length} setsid()ed children of finished checks still run (pids ${leftover.join(', ')})`);
  // The restart_cmd's daemon is not a leftover: it keeps running.
  assert.equal(pidsWith(daemon).length, 1, 'the daemon restart_cmd started with & still runs');

  await vaid.stop();
  const afterStop = await waitFor(() => (pidsWith(escaped).length === 0 ? [] : null), { what: 'no check leftover after vaid stopped', timeoutMs: 30_000, intervalMs: 100 }).catch(() => pidsWith(escaped));
  assert.deepEqual(afterStop, [], `setsid()ed check children outlived vaid (pids ${afterStop.join(', ')})`);
  assert.equal(pidsWith(daemon).length, 1, 'the service daemon outlives vaid, as before');
});


function sizeOf(file: string): number | null {
  try {
    return statSync(file).size;
  } catch {
    return null;
  }
}

test('finding 14: the log of a daemon started with & writing fast stays bounded, rotated copy-then-truncate with the kept count (plain and gzip)', { skip: skip ?? false }, async (t) => {
  const marker = `vai-chatty-${randomUUID()}`;
  const { dir, track } = setup(t, [marker]);
  // A daemon that keeps its O_APPEND stdout (the log) for its whole life and writes ~1 MB/s.
  dir.write('bin/chatty.sh', `line=$(head -c 1000 /dev/zero | tr '\\0' x)\nwhile :; do for i in $(seq 100); do echo "$line"; done; sleep 0.1; done\n`);
  const limitMb = 0.25;
  for (const [name, compress, keep] of [['plain', false, 3], ['zipped', true, 2]] as const) {
    dir.write(
      `manifests/${name}.yaml`,
      manifest(name, [
        `health_check: { type: custom, command: "test -f ${dir.join('run', `${name}.pid`)}", interval_seconds: 0.5, timeout_seconds: 5 }`,
        `restart_cmd: "bash -c 'exec -a ${marker} bash ${dir.join('bin', 'chatty.sh')}' & echo $! > ${dir.join('run', `${name}.pid`)}"`,
        `log_path: ${dir.join('logs', `${name}.log`)}`,
        `log_rotation: { max_mb: ${limitMb}, keep: ${keep}, compress: ${compress} }`,
        'startup_delay_seconds: 5',
      ]),
    );
  }
  const vaid = track(await startVaid({ manifests: dir.join('manifests'), stateDir: dir.join('state') }));
  for (const [name, keep, suffix] of [['plain', 3, ''], ['zipped', 2, '.gz']] as const) {
    const log = dir.join('logs', `${name}.log`);
    // Enough rotations that the oldest kept copy exists and older ones were dropped.
    await waitFor(() => sizeOf(`${log}.${keep}${suffix}`) !== null, { what: `${name}: ${keep} rotated copies`, timeoutMs: 90_000, intervalMs: 200 });
    let largest = 0;
    for (let i = 0; i < 20; i++) {
      largest = Math.max(largest, sizeOf(log) ?? 0);
      await new Promise((r) => setTimeout(r, 250));
    }
    // A look may land mid-rotation (copies shifted up, the new .1 still being written or gzipped):
    // the settled state between two rotations is the log and exactly `keep` copies.
    const expected = [`${name}.log`, ...Array.from({ length: keep }, (_, i) => `${name}.log.${i + 1}${suffix}`)].sort();
    const listing = () => readdirSync(dir.join('logs')).filter((f) => f.startsWith(`${name}.log`) && !f.endsWith('.tmp')).sort();
    await waitFor(() => listing().join() === expected.join(), { what: `${name}: the log and exactly ${keep} copies (${expected.join(' ')})`, timeoutMs: 60_000, intervalMs: 50 });
    // The daemon writes ~1 MB/s and passes are 2 s apart: without rotation the file grows without end.
    assert.ok(largest < 8 * 1024 * 1024, `${name}: the live log stayed bounded (largest seen ${largest} bytes)`);
    if (suffix) {
      const unzipped = gunzipSync(readFileSync(`${log}.1.gz`)).toString('latin1');
      assert.match(unzipped, /^x{1000}$/m, 'the gzip copy holds the daemon\'s lines');
    } else {
      assert.ok((sizeOf(`${log}.1`) ?? 0) >= limitMb * 1024 * 1024, 'a rotated copy holds at least the limit');
    }
  }
  // The same daemons kept writing through rotation: one process each, the log still growing.
  assert.equal(pidsWith(marker).length, 2, 'both chatty daemons still run (rotation never restarts or kills them)');
  const describe = spawnSync(process.execPath, [VAICTL_BIN, 'describe', 'zipped', '--state-dir', dir.join('state'), '--manifests', dir.join('manifests')], { encoding: 'utf8', timeout: 60_000 });
  assert.match(describe.stdout, /Log Rotation:\s+at 0\.25 MB, keep 2, gzip/);
  await vaid.stop();
});
