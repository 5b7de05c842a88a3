// vaid as a real subprocess recovering real services (node HTTP servers on 127.0.0.1): the seed's
// scenarios end to end. Every status read validates against the schema (test/support/vaid.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync, unlinkSync, mkdirSync, readFileSync, readdirSync, readlinkSync } from 'node:fs';
import path from 'node:path';
import { testdir, type TestDir } from '../support/testdir.js';
import { waitFor } from '../support/wait.js';
import { ROOT, answers, countLines, freePort, httpServiceManifest, killPidFiles, pidIn, startService, startVaid, type VaidProcess } from '../support/vaid.js';
import { startsAndRestarts } from '../support/restart-count.js';

interface Env {
  dir: TestDir;
  run: string;
  vaids: VaidProcess[];
}

async function withEnv(fn: (e: Env) => Promise<void>): Promise<void> {
  const dir = testdir({}, 'vai-e2e-');
  const run = dir.join('run');
  mkdirSync(run, { recursive: true });
  const e: Env = { dir, run, vaids: [] };
  try {
    await fn(e);
  } finally {
    for (const v of e.vaids) await v.kill9();
    killPidFiles(run);
    dir.remove();
  }
}

async function start(e: Env, manifests: string, args: string[] = []): Promise<VaidProcess> {
  e.dir.write('manifests/services.yaml', manifests);
  const v = await startVaid({ manifests: e.dir.join('manifests'), stateDir: e.dir.join('state'), args });
  e.vaids.push(v);
  return v;
}

const healthy = (s: { phase: string }) => s.phase === 'Healthy';

// What a user reads as the reason for restarting a service killed with SIGKILL: what the health
// check saw of the kill. A check that connects after it is refused; one in flight when the kill
// lands is reset (or closed, had the process read the request). Which one is timing, and each is
// true, so the reason must be one of them, name the endpoint and count the failure.
const killedReason = (port: number) =>
  new RegExp(`^(connect ECONNREFUSED 127\\.0\\.0\\.1:${port}|read ECONNRESET|connection closed before any response) \\(GET http://127\\.0\\.0\\.1:${port}/health\\), 1 consecutive failure$`);

/**
 * True once a process (vaid) holds an established TCP connection to 127.0.0.1:port, e.g. a
 * check waiting in a frozen service's backlog. Only its own sockets count: the test's own
 * keep-alive connection from waiting on the service would otherwise match.
 */
function connectedTo(pid: number, port: number): boolean {
  const hex = port.toString(16).toUpperCase().padStart(4, '0');
  const inodes = readFileSync('/proc/net/tcp', 'utf8')
    .split('\n')
    .slice(1)
    .map((l) => l.trim().split(/\s+/))
    .filter((f) => f[2] === `0100007F:${hex}` && f[3] === '01')
    .map((f) => f[9]);
  if (inodes.length === 0) return false;
  const held = new Set(
    readdirSync(`/proc/${pid}/fd`).map((fd) => {
      try {
        return readlinkSync(`/proc/${pid}/fd/${fd}`);
      } catch {
        return '';
      }
    }),
  );
  return inodes.some((i) => held.has(`socket:[${i}]`));
}

test('kill -9 a service: vaid restarts it, healthy again, restart count 1, the reason recorded', async () => {
  await withEnv(async (e) => {
    const port = await freePort();
    await startService('web', port, e.run);
    const vaid = await start(e, httpServiceManifest({ name: 'web', port, runDir: e.run }));
    const first = await vaid.waitForService('web', healthy, 'web seen healthy');
    assert.equal(startsAndRestarts(first), 0);
    const pid = pidIn(`${e.run}/web.pid`)!;
    process.kill(pid, 'SIGKILL');
    const s = await vaid.waitForService('web', (x) => startsAndRestarts(x) === 1 && healthy(x), 'web restarted after kill -9');
    assert.ok(await answers(`http://127.0.0.1:${port}/health`));
    assert.notEqual(pidIn(`${e.run}/web.pid`), pid);
    assert.match(s.restarts.lastReason!, killedReason(port));
    assert.equal(s.counters.recoveriesSucceeded, first.counters.recoveriesSucceeded + 1);
    assert.ok(s.events.some((ev) => ev.reason === 'Recovered'));
    const logged = vaid.records().filter((r) => r.service === 'web' && typeof r.command === 'string');
    assert.ok(logged.length >= 2, 'the log names the commands run');
    assert.ok(logged.every((r) => r.generation === 1));
    const { code } = await vaid.stop();
    assert.equal(code, 0);
  });
});

// The kill lands while a check is in flight, made certain by freezing the service first: the
// probe's check then waits in the frozen process's accept backlog (timeout 30 s, far beyond
// any delay of a loaded machine) until the kill resets it.
test('kill -9 a service while a check waits for its answer: the check sees the reset, the service is restarted', async () => {
  await withEnv(async (e) => {
    const port = await freePort();
    await startService('midcheck', port, e.run);
    const vaid = await start(e, httpServiceManifest({ name: 'midcheck', port, runDir: e.run, interval: 3600, timeout: 30 }));
    await vaid.waitForService('midcheck', healthy, 'midcheck seen healthy');
    const pid = pidIn(`${e.run}/midcheck.pid`)!;
    process.kill(pid, 'SIGSTOP');
    await waitFor(() => connectedTo(vaid.pid, port), { what: 'the check connected to the frozen service' });
    process.kill(pid, 'SIGKILL');
    const s = await vaid.waitForService('midcheck', (x) => startsAndRestarts(x) === 1 && healthy(x), 'restarted after kill -9 mid-check');
    // The kernel finished the handshake; whether vaid's loop had seen its connect complete before
    // the reset arrived is timing (CI under load: "connect ECONNRESET"). Either way, the reset.
    assert.match(s.restarts.lastReason!, /^(read|connect) ECONNRESET \(GET /);
    assert.match(s.restarts.lastReason!, killedReason(port));
    assert.notEqual(pidIn(`${e.run}/midcheck.pid`), pid);
  });
});

// An interval of an hour: only the watch of the listening process can notice the crash in time.
test('kill -9 a service that has no pid_file: the process listening on its port is watched, so it is restarted long before the next check', async () => {
  await withEnv(async (e) => {
    const port = await freePort();
    await startService('nopid', port, e.run);
    const vaid = await start(e, httpServiceManifest({ name: 'nopid', port, runDir: e.run, interval: 3600, pidFile: false }));
    await vaid.waitForService('nopid', healthy, 'nopid seen healthy');
    const pid = pidIn(`${e.run}/nopid.pid`)!;
    const watching = await waitFor(() => vaid.records().find((r) => r.service === 'nopid' && r.pid === pid && /watching pid/.test(String(r.msg))), { what: 'vaid watching the listener' });
    assert.match(String(watching.msg), new RegExp(`listener on 127\\.0\\.0\\.1:${port}`));
    process.kill(pid, 'SIGKILL');
    const s = await vaid.waitForService('nopid', (x) => startsAndRestarts(x) === 1 && healthy(x), 'restarted after kill -9');
    assert.match(s.restarts.lastReason!, /ECONNREFUSED/);
    // The kernel's exit notice (pidfd) says it, or, where refused, the probe does.
    const said = [`nopid: listener process ${pid} is gone; checking now`, `nopid: listener on 127.0.0.1:${port} (pid ${pid}) exited; checking now`];
    assert.ok(vaid.records().some((r) => r.service === 'nopid' && said.includes(String(r.msg))), 'vaid says the watched process went away');
    const next = pidIn(`${e.run}/nopid.pid`)!;
    assert.notEqual(next, pid);
    await waitFor(() => vaid.records().some((r) => r.service === 'nopid' && r.pid === next && /watching pid/.test(String(r.msg))), { what: 'the new process watched' });
  });
});

test('a service that hands its listening socket to a new process is checked, never restarted, and the new pid is watched', async () => {
  await withEnv(async (e) => {
    const port = await freePort();
    const pidFile = `${e.run}/reload.pid`;
    const fixture = path.join(ROOT, 'test/support/services/handoff-service.mjs');
    const child = spawn(process.execPath, [fixture, '--port', String(port), '--pid-file', pidFile], { detached: true, stdio: 'ignore' });
    child.unref();
    try {
      await waitFor(() => pidIn(pidFile), { what: 'handoff service listening' });
      const first = pidIn(pidFile)!;
      const vaid = await start(e, httpServiceManifest({ name: 'reload', port, runDir: e.run, interval: 3600, pidFile: false, restartCmd: `echo started >> ${e.run}/reload.starts` }));
      await vaid.waitForService('reload', healthy, 'reload seen healthy');
      await waitFor(() => vaid.records().some((r) => r.service === 'reload' && r.pid === first && /watching pid/.test(String(r.msg))), { what: 'vaid watching the first process' });
      const checks = vaid.readStatus()!.services.reload!.counters.checks;
      process.kill(first, 'SIGUSR2');
      const next = await waitFor(() => {
        const p = pidIn(pidFile);
        return p !== null && p !== first ? p : null;
      }, { what: 'the successor serving' });
      await waitFor(() => vaid.records().some((r) => r.service === 'reload' && r.pid === next && /watching pid/.test(String(r.msg))), { what: 'vaid watching the successor' });
      // Check-only changes reach status.json within 1.5 s.
      const s = await vaid.waitForService('reload', (x) => x.counters.checks > checks, 'the check the gone pid caused');
      assert.equal(s.counters.checks, checks + 1, 'one check');
      assert.equal(s.lastCheck?.health, 'healthy');
      assert.equal(startsAndRestarts(s), 0, 'not restarted');
      assert.equal(s.phase, 'Healthy');
      assert.equal(countLines(`${e.run}/reload.starts`), 0, 'restart_cmd never ran');
      assert.equal(countLines(`${e.run}/reload.stops`), 0, 'stop_cmd never ran');
    } finally {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // group already gone
      }
    }
  });
});

test('SIGSTOP a service: the check times out, stop_cmd then restart_cmd, healthy again', async () => {
  await withEnv(async (e) => {
    const port = await freePort();
    const vaid = await start(e, httpServiceManifest({ name: 'hung', port, runDir: e.run, timeout: 0.5 }));
    await vaid.waitForService('hung', (s) => healthy(s) && startsAndRestarts(s) === 1);
    const stopsBefore = countLines(`${e.run}/hung.stops`);
    const pid = pidIn(`${e.run}/hung.pid`)!;
    process.kill(pid, 'SIGSTOP');
    const s = await vaid.waitForService('hung', (x) => startsAndRestarts(x) === 2 && healthy(x), 'hung service restarted');
    assert.match(s.restarts.lastReason!, /timed out|timeout/i);
    assert.equal(countLines(`${e.run}/hung.stops`), stopsBefore + 1, 'stop_cmd ran once before the restart');
    assert.notEqual(pidIn(`${e.run}/hung.pid`), pid);
    await waitFor(() => {
      try {
        process.kill(pid, 0);
        return false;
      } catch {
        return true;
      }
    }, { what: 'the frozen process to be gone' });
  });
});

// An interval of an hour: only the probe seeing the process frozen can start the check in time.
test('SIGSTOP: the probe sees the process frozen and checks at once; the check times out and the service is restarted', async () => {
  await withEnv(async (e) => {
    const port = await freePort();
    await startService('frozen', port, e.run);
    const vaid = await start(e, httpServiceManifest({ name: 'frozen', port, runDir: e.run, interval: 3600, timeout: 0.5 }));
    await vaid.waitForService('frozen', healthy, 'frozen seen healthy');
    const pid = pidIn(`${e.run}/frozen.pid`)!;
    process.kill(pid, 'SIGSTOP');
    const s = await vaid.waitForService('frozen', (x) => startsAndRestarts(x) === 1 && healthy(x), 'restarted after SIGSTOP');
    assert.match(s.restarts.lastReason!, /timed out/);
    assert.ok(vaid.records().some((r) => r.service === 'frozen' && String(r.msg) === 'frozen: pid_file process is stopped (SIGSTOP); checking now'));
    assert.notEqual(pidIn(`${e.run}/frozen.pid`), pid);
  });
});

test('SIGSTOP then SIGCONT before the check times out: checked, not restarted', async () => {
  await withEnv(async (e) => {
    const port = await freePort();
    await startService('paused', port, e.run);
    const vaid = await start(e, httpServiceManifest({ name: 'paused', port, runDir: e.run, interval: 3600, timeout: 10 }));
    const before = await vaid.waitForService('paused', healthy, 'paused seen healthy');
    const pid = pidIn(`${e.run}/paused.pid`)!;
    process.kill(pid, 'SIGSTOP');
    await waitFor(() => vaid.records().some((r) => r.service === 'paused' && /is stopped \(SIGSTOP\); checking now/.test(String(r.msg))), { what: 'the probe to see it stopped' });
    process.kill(pid, 'SIGCONT');
    const s = await vaid.waitForService('paused', (x) => x.counters.checks > before.counters.checks, 'the check the probe started');
    assert.equal(s.lastCheck?.health, 'healthy', 'the resumed service answered the check in flight');
    assert.equal(startsAndRestarts(s), 0);
    assert.equal(countLines(`${e.run}/paused.stops`), 0, 'stop_cmd never ran');
    assert.equal(pidIn(`${e.run}/paused.pid`), pid);
  });
});

test('dependency killed: it is recovered first and the dependent is not restarted when it heals', async () => {
  await withEnv(async (e) => {
    const dbPort = await freePort();
    const apiPort = await freePort();
    const manifests = [
      httpServiceManifest({ name: 'db', port: dbPort, runDir: e.run }),
      httpServiceManifest({ name: 'api', port: apiPort, runDir: e.run, dependsOn: { name: 'db', port: dbPort } }),
    ].join('---\n');
    const vaid = await start(e, manifests);
    await vaid.waitForStatus((d) => d.services.db && d.services.api && healthy(d.services.db) && healthy(d.services.api), 'db and api healthy');
    const apiStarts = countLines(`${e.run}/api.starts`);
    const before = vaid.readStatus()!;
    process.kill(pidIn(`${e.run}/db.pid`)!, 'SIGKILL');
    await vaid.waitForService('db', (s) => startsAndRestarts(s) === startsAndRestarts(before.services.db!) + 1 && healthy(s), 'db recovered');
    const api = await vaid.waitForService('api', healthy, 'api healthy again');
    assert.equal(startsAndRestarts(api), startsAndRestarts(before.services.api!), 'api was not restarted');
    assert.equal(countLines(`${e.run}/api.starts`), apiStarts, 'api restart_cmd never ran');
  });
});

test('a restart_cmd that never brings the service up: attempts bounded, CrashLoopBackOff, next attempt in status', async () => {
  await withEnv(async (e) => {
    const port = await freePort();
    const vaid = await start(
      e,
      httpServiceManifest({
        name: 'broken',
        port,
        runDir: e.run,
        startupDelay: 0.3,
        restartCmd: `echo started >> ${e.run}/broken.starts; exit 0`,
        extra: '  max_failures: 2\n  failure_window_seconds: 300\n  backoff_initial_seconds: 30\n',
      }),
    );
    const s = await vaid.waitForService('broken', (x) => x.phase === 'CrashLoopBackOff', 'CrashLoopBackOff');
    assert.equal(startsAndRestarts(s), 2);
    assert.equal(s.backoff.failures.length, 2);
    assert.ok(s.backoff.nextAttemptAt);
    const wait = Date.parse(s.backoff.nextAttemptAt) - Date.parse(s.backoff.failures.at(-1)!);
    assert.equal(wait, 30_000);
    assert.equal(s.conditions.find((c) => c.type === 'BackOff')?.status, 'True');
    // Several more checks pass by (interval 1 s) without another attempt.
    const checks = s.counters.checks;
    await vaid.waitForService('broken', (x) => x.counters.checks >= checks + 3, 'more checks');
    assert.equal(countLines(`${e.run}/broken.starts`), 2);
    assert.equal(vaid.readStatus()!.services.broken!.phase, 'CrashLoopBackOff');
  });
});

test('marker present: no action while down; marker removed: recovered', async () => {
  await withEnv(async (e) => {
    const port = await freePort();
    const markers = e.dir.join('state/manual-stop');
    mkdirSync(markers, { recursive: true });
    writeFileSync(`${markers}/quiet.stopped`, '');
    const vaid = await start(e, httpServiceManifest({ name: 'quiet', port, runDir: e.run }));
    const s = await vaid.waitForService('quiet', (x) => x.phase === 'Stopped' && x.counters.checks >= 3, 'observed while stopped');
    assert.equal(startsAndRestarts(s), 0);
    assert.equal(s.lastCheck?.health, 'unhealthy');
    assert.equal(countLines(`${e.run}/quiet.starts`), 0);
    assert.equal(s.conditions.find((c) => c.type === 'ManuallyStopped')?.status, 'True');
    unlinkSync(`${markers}/quiet.stopped`);
    const r = await vaid.waitForService('quiet', (x) => healthy(x) && startsAndRestarts(x) === 1, 'recovered after the marker went');
    assert.equal(r.conditions.find((c) => c.type === 'ManuallyStopped')?.status, 'False');
    assert.ok(await answers(`http://127.0.0.1:${port}/health`));
  });
});

test('kill -9 vaid in the middle of a recovery and start it again: no second restart', async () => {
  await withEnv(async (e) => {
    const port = await freePort();
    const slow = `echo started >> ${e.run}/slow.starts; sleep 1.5; node ${process.cwd()}/manifests/demo/bin/http-service.mjs --name slow --port ${port} --pid-file ${e.run}/slow.pid &`;
    const manifests = httpServiceManifest({ name: 'slow', port, runDir: e.run, restartCmd: slow, startupDelay: 10 });
    const vaid = await start(e, manifests);
    // The write-ahead: status says Restarting on disk while restart_cmd still runs.
    await vaid.waitForService('slow', (s) => s.recovery?.state === 'Restarting', 'Restarting on disk');
    await waitFor(() => countLines(`${e.run}/slow.starts`) === 1, { what: 'restart_cmd to be running' });
    await vaid.kill9();
    assert.equal(vaid.readStatus()!.services.slow!.recovery?.state, 'Restarting', 'vaid died before the command returned');
    const again = await startVaid({ manifests: e.dir.join('manifests'), stateDir: e.dir.join('state') });
    e.vaids.push(again);
    const s = await again.waitForService('slow', healthy, 'healthy after vaid restarted', 60_000);
    assert.equal(startsAndRestarts(s), 1, 'the interrupted attempt is verified, not repeated');
    assert.equal(countLines(`${e.run}/slow.starts`), 1);
    assert.ok(s.events.some((ev) => ev.reason === 'ResumedRecovery'));
    assert.equal(again.readStatus()!.vaid.pid, again.pid);
  });
});

test('a second vaid on the same state dir exits 1 naming the pid that holds the lock; SIGTERM exits 0 and releases it', async () => {
  await withEnv(async (e) => {
    const port = await freePort();
    const first = await start(e, httpServiceManifest({ name: 'one', port, runDir: e.run }));
    await first.waitForStatus((d) => d.vaid.pid === first.pid, 'first vaid wrote status');
    const second = await startVaid({ manifests: e.dir.join('manifests'), stateDir: e.dir.join('state') });
    e.vaids.push(second);
    const r = await second.exited;
    assert.equal(r.code, 1);
    assert.match(second.stderr(), new RegExp(`another vaid \\(pid ${first.pid}\\) holds .*vaid\\.lock`));
    assert.equal((await first.stop()).code, 0);
    const third = await startVaid({ manifests: e.dir.join('manifests'), stateDir: e.dir.join('state') });
    e.vaids.push(third);
    await third.waitForStatus((d) => d.vaid.pid === third.pid, 'third vaid took the released lock');
  });
});

test('SIGTERM during a restart command: vaid waits for it, records it, exits 0; the next vaid verifies without restarting', async () => {
  await withEnv(async (e) => {
    const port = await freePort();
    const slow = `echo started >> ${e.run}/term.starts; sleep 1; node ${process.cwd()}/manifests/demo/bin/http-service.mjs --name term --port ${port} --pid-file ${e.run}/term.pid &`;
    const vaid = await start(e, httpServiceManifest({ name: 'term', port, runDir: e.run, restartCmd: slow, startupDelay: 30 }));
    await waitFor(() => countLines(`${e.run}/term.starts`) === 1, { what: 'restart_cmd running' });
    const { code } = await vaid.stop();
    assert.equal(code, 0);
    const after = vaid.readStatus()!.services.term!;
    assert.equal(after.recovery?.state, 'Verifying', 'the command finished and its end was recorded before exit');
    assert.match(vaid.stdout(), /restart_cmd exit 0/);
    const again = await startVaid({ manifests: e.dir.join('manifests'), stateDir: e.dir.join('state') });
    e.vaids.push(again);
    const s = await again.waitForService('term', healthy, 'healthy under the next vaid');
    assert.equal(startsAndRestarts(s), 1);
    assert.equal(countLines(`${e.run}/term.starts`), 1);
  });
});
