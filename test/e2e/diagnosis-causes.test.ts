// Each cause of issue 17 from a real fault, seen by a real vaid: a process squatting on the
// service's port, a full tmpfs under log_path, a kernel OOM kill under a memory cgroup, a start
// slower than startup_delay_seconds, a service that dies right after a good start. Each asserts
// the cause in `vaictl describe -o json` and, where an alert follows, the body ntfy received.
import os from 'node:os';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { waitFor } from '../support/wait.js';
import { freePort, pidIn } from '../support/vaid.js';
import { FAULT_SERVICE, describeJson, describeText, startFault, startFaultVaid, withFaultEnv } from '../support/diagnosis.js';
import { startsAndRestarts } from '../support/restart-count.js';

// Alert titles name the host (vaid's hostname: no manifest here sets a host label).
const HOST = os.hostname();

const healthy = (s: { phase: string }) => s.phase === 'Healthy';
const isRoot = process.getuid?.() === 0;
const CI = process.env.CI === 'true';

function skipUnlessRoot(t: { skip: (m: string) => void }, what: string): boolean {
  if (isRoot || CI) return false;
  t.skip(`${what} needs root (not running as root)`);
  return true;
}

test('a process holding the port: the failed attempt names it (PortInUse, pid and command line), in describe and in the alert', async () => {
  await withFaultEnv(async (e) => {
    const port = await freePort();
    const holderPid = await startFault(['--tcp', '--port', String(port)], `${e.run}/holder.pid`);
    // The squatter must visibly predate the restart (start times are known to the second).
    await waitFor(() => Date.now() - Number(execFileSync('stat', ['-c', '%Y', `${e.run}/holder.pid`], { encoding: 'utf8' })) * 1000 > 2500, { what: 'the holder older than 2 s', timeoutMs: 10_000 });
    const vaid = await startFaultVaid(
      e,
      `apiVersion: vai/v1
kind: Service
metadata: { name: squat }
spec:
  health_check: { type: http, endpoint: "http://127.0.0.1:${port}/health", interval_seconds: 1, timeout_seconds: 1 }
  restart_cmd: 'node ${FAULT_SERVICE} --port ${port} --pid-file ${e.run}/squat.pid >> ${e.run}/squat.log 2>&1 &'
  log_path: ${e.run}/squat.log
  startup_delay_seconds: 1
  max_failures: 1
  backoff_initial_seconds: 60
  notify_on_fail: alerts
`,
    );
    await vaid.waitForService('squat', (x) => x.phase === 'CrashLoopBackOff', 'a failed attempt, then CrashLoopBackOff', 60_000);
    const d = describeJson(vaid.stateDir, 'squat');
    assert.equal(d.lastFailure?.reason, 'PortInUse', JSON.stringify(d.lastFailure));
    assert.match(d.lastFailure!.message, new RegExp(`^port 127\\.0\\.0\\.1:${port} is held by another process: pid ${holderPid} \\(\\S*node \\S*fault-service\\.mjs --tcp --port ${port} --pid-file \\S+holder\\.pid\\)$`));
    assert.ok(d.lastFailure!.logTail?.some((l) => /cannot listen on 127\.0\.0\.1:\d+: listen EADDRINUSE/.test(l)), JSON.stringify(d.lastFailure));
    assert.ok(d.events.some((x) => x.reason === 'PortInUse'));
    const alert = await waitFor(() => e.ntfy.messages.find((m) => m.title === `squat Recovery Failed on ${HOST}`), { what: 'the alert', timeoutMs: 60_000 });
    assert.match(alert.message, new RegExp(`^Cause: PortInUse: port 127\\.0\\.0\\.1:${port} is held by another process: pid ${holderPid} `, 'm'));
    assert.match(alert.message, new RegExp(`^Evidence: listener on 127\\.0\\.0\\.1:${port}: pid ${holderPid} started `, 'm'));
    const text = describeText(vaid.stateDir, 'squat');
    assert.match(text, /Last Failure:\n {2}Cause: +PortInUse \(recovery attempt 1, /);
    console.log(`# describe squat:\n${text}\n# ntfy body:\n${alert.message}`);
  });
});

test('a full filesystem under log_path (a 1 MiB tmpfs): DiskFull with the free space seen, in describe and in the alert', async (t) => {
  if (skipUnlessRoot(t, 'mount -t tmpfs')) return;
  await withFaultEnv(async (e) => {
    const port = await freePort();
    const logs = e.dir.join('full');
    mkdirSync(logs, { recursive: true });
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', logs]);
    e.cleanups.push(() => {
      execFileSync('umount', ['-l', logs]);
    });
    try {
      execFileSync('dd', ['if=/dev/zero', `of=${logs}/filler`, 'bs=64k'], { stdio: 'ignore' });
    } catch {
      // dd stops at ENOSPC: that is the point.
    }
    const vaid = await startFaultVaid(
      e,
      `apiVersion: vai/v1
kind: Service
metadata: { name: full }
spec:
  health_check: { type: http, endpoint: "http://127.0.0.1:${port}/health", interval_seconds: 1, timeout_seconds: 1 }
  log_path: ${logs}/full.log
  restart_cmd: 'echo "starting" >> ${logs}/full.log || exit 1; node ${FAULT_SERVICE} --port ${port} --pid-file ${e.run}/full.pid &'
  startup_delay_seconds: 1
  max_failures: 1
  backoff_initial_seconds: 60
  notify_on_fail: alerts
`,
    );
    await vaid.waitForService('full', (x) => x.phase === 'CrashLoopBackOff', 'a failed attempt, then CrashLoopBackOff', 60_000);
    const d = describeJson(vaid.stateDir, 'full');
    assert.equal(d.lastFailure?.reason, 'DiskFull', JSON.stringify(d.lastFailure));
    assert.equal(d.lastFailure!.message, `no space left on the filesystem of ${logs} (log_path): 0 B free of 1.0 MiB`);
    const alert = await waitFor(() => e.ntfy.messages.find((m) => m.title === `full Recovery Failed on ${HOST}`), { what: 'the alert', timeoutMs: 60_000 });
    assert.match(alert.message, /^Cause: DiskFull: no space left on the filesystem of .* \(log_path\): 0 B free of 1\.0 MiB$/m);
    assert.match(alert.message, /^Evidence: .*\(log_path\): 0 B free of 1\.0 MiB, \d+ of \d+ inodes free$/m);
    console.log(`# describe full:\n${describeText(vaid.stateDir, 'full')}\n# ntfy body:\n${alert.message}`);
  });
});

/** A memory cgroup for the test's service: v2 (memory.max) where the machine has it, else v1. */
function memoryCgroup(name: string, bytes: number): { dir: string; procs: string; remove: () => void } | string {
  const v2 = '/sys/fs/cgroup';
  if (existsSync(`${v2}/cgroup.controllers`) && readFileSync(`${v2}/cgroup.controllers`, 'utf8').includes('memory')) {
    const dir = `${v2}/${name}`;
    mkdirSync(dir);
    writeFileSync(`${dir}/memory.max`, String(bytes));
    writeFileSync(`${dir}/memory.swap.max`, '0');
    return { dir, procs: `${dir}/cgroup.procs`, remove: () => rmdirSync(dir) };
  }
  const v1 = '/sys/fs/cgroup/memory';
  if (!existsSync(`${v1}/memory.limit_in_bytes`)) return 'no memory cgroup controller (v2 or v1) on this machine';
  const dir = `${v1}/${name}`;
  mkdirSync(dir);
  writeFileSync(`${dir}/memory.limit_in_bytes`, String(bytes));
  try {
    writeFileSync(`${dir}/memory.memsw.limit_in_bytes`, String(bytes));
  } catch {
    // No swap accounting: swappiness 0 keeps it from swapping instead of dying.
  }
  writeFileSync(`${dir}/memory.swappiness`, '0');
  return { dir, procs: `${dir}/cgroup.procs`, remove: () => rmdirSync(dir) };
}

test('the kernel kills the service for memory (a memory cgroup limit): OOMKilled with the kernel\'s record and the cgroup counter', async (t) => {
  if (skipUnlessRoot(t, 'a memory cgroup')) return;
  await withFaultEnv(async (e) => {
    const port = await freePort();
    const pidFile = `${e.run}/oom.pid`;
    const cg = memoryCgroup(`vai-oom-test-${process.pid}`, 160 * 1024 * 1024);
    if (typeof cg === 'string') {
      if (CI) assert.fail(cg);
      t.skip(cg);
      return;
    }
    e.cleanups.push(() => {
      for (const p of readFileSync(cg.procs, 'utf8').split('\n').filter(Boolean)) process.kill(Number(p), 'SIGKILL');
      return waitFor(() => readFileSync(cg.procs, 'utf8').trim() === '', { what: 'the cgroup empty' }).then(() => cg.remove());
    });
    const vaid = await startFaultVaid(
      e,
      `apiVersion: vai/v1
kind: Service
metadata: { name: hog }
spec:
  # A process thrashing at its memory limit answers slowly before the kernel kills it: three
  # failed checks in a row let the kill happen first (else the cause is, truly, a Timeout).
  health_check: { type: http, endpoint: "http://127.0.0.1:${port}/health", interval_seconds: 1, timeout_seconds: 1, failure_threshold: 3 }
  pid_file: ${pidFile}
  restart_cmd: '(echo $BASHPID > ${cg.procs} && exec node ${FAULT_SERVICE} --port ${port} --pid-file ${pidFile}) >> ${e.run}/hog.log 2>&1 &'
  startup_delay_seconds: 10
`,
    );
    await vaid.waitForService('hog', (x) => healthy(x) && startsAndRestarts(x) === 1, 'hog started by vaid');
    const pid = pidIn(pidFile)!;
    process.kill(pid, 'SIGUSR2');
    const s = await vaid.waitForService('hog', (x) => startsAndRestarts(x) === 2 && healthy(x), 'hog restarted after the OOM kill', 90_000);
    assert.equal(s.lastFailure?.kind, 'check');
    const d = describeJson(vaid.stateDir, 'hog');
    assert.equal(d.lastFailure?.reason, 'OOMKilled', JSON.stringify(d.lastFailure));
    assert.ok(d.lastFailure!.evidence.some((l) => new RegExp(`^kernel: Memory cgroup out of memory: Killed process ${pid} \\(node\\)`).test(l)), d.lastFailure!.evidence.join('\n'));
    assert.ok(d.lastFailure!.evidence.some((l) => /^cgroup \/vai-oom-test-\d+: memory\.(events|oom_control) oom_kill [1-9]/.test(l)), d.lastFailure!.evidence.join('\n'));
    assert.ok(d.events.some((x) => x.reason === 'OOMKilled'));
    console.log(`# OOMKilled evidence: ${JSON.stringify(d.lastFailure!.evidence)}`);
  });
});

test('a service that starts in 3 s with startup_delay_seconds 1: StartupTooSlow with the measured time', async () => {
  await withFaultEnv(async (e) => {
    const port = await freePort();
    const pidFile = `${e.run}/slow.pid`;
    const vaid = await startFaultVaid(
      e,
      `apiVersion: vai/v1
kind: Service
metadata: { name: slow }
spec:
  health_check: { type: http, endpoint: "http://127.0.0.1:${port}/health", interval_seconds: 1, timeout_seconds: 1 }
  pid_file: ${pidFile}
  restart_cmd: 'node ${FAULT_SERVICE} --port ${port} --start-delay-ms 3000 --pid-file ${pidFile} >> ${e.run}/slow.log 2>&1 &'
  startup_delay_seconds: 1
  max_failures: 1
  backoff_initial_seconds: 120
  notify_on_fail: alerts
`,
    );
    const s = await vaid.waitForService('slow', (x) => x.lastFailure?.reason === 'StartupTooSlow', 'StartupTooSlow recorded', 60_000);
    assert.equal(s.phase, 'Healthy');
    assert.equal(startsAndRestarts(s), 1, 'the slow start was not killed by a second restart');
    const d = describeJson(vaid.stateDir, 'slow');
    assert.match(d.lastFailure!.message, /^startup_delay_seconds is 1 s; this start took (\d+\.\d) s$/);
    const took = Number(/took (\d+\.\d) s/.exec(d.lastFailure!.message)![1]);
    assert.ok(took >= 3, `took ${took} s: the service needs 3 s`);
    console.log(`# ${d.lastFailure!.message}`);
    const alert = await waitFor(() => e.ntfy.messages.find((m) => m.title === `slow Recovery Failed on ${HOST}`), { what: 'the alert of the failed attempt', timeoutMs: 60_000 });
    assert.match(alert.message, /^Cause: ConnectionRefused: connect ECONNREFUSED/m);
  });
});

test('restart_cmd succeeds but the service dies a moment later: ExitedAfterStart with the log tail', async () => {
  await withFaultEnv(async (e) => {
    const port = await freePort();
    const pidFile = `${e.run}/dies.pid`;
    const vaid = await startFaultVaid(
      e,
      `apiVersion: vai/v1
kind: Service
metadata: { name: dies }
spec:
  health_check: { type: http, endpoint: "http://127.0.0.1:${port}/health", interval_seconds: 1, timeout_seconds: 1 }
  pid_file: ${pidFile}
  log_path: ${e.run}/dies.log
  restart_cmd: 'node ${FAULT_SERVICE} --port ${port} --pid-file ${pidFile} --start-delay-ms 30000 --exit-after-ms 300 --exit-message "FATAL: could not open lock file /var/run/postgresql/.s.PGSQL.5432.lock" >> ${e.run}/dies.log 2>&1 &'
  startup_delay_seconds: 2
  max_failures: 1
  backoff_initial_seconds: 120
  notify_on_fail: alerts
`,
    );
    await vaid.waitForService('dies', (x) => x.phase === 'CrashLoopBackOff', 'a failed attempt, then CrashLoopBackOff', 60_000);
    const d = describeJson(vaid.stateDir, 'dies');
    assert.equal(d.lastFailure?.reason, 'ExitedAfterStart', JSON.stringify(d.lastFailure));
    assert.match(d.lastFailure!.message, /^restart_cmd succeeded but the service did not stay up: process \d+ \(written to .*dies\.pid after the restart\) exited$/);
    assert.ok(d.lastFailure!.logTail?.some((l) => /FATAL: could not open lock file/.test(l)));
    const alert = await waitFor(() => e.ntfy.messages.find((m) => m.title === `dies Recovery Failed on ${HOST}`), { what: 'the alert', timeoutMs: 60_000 });
    assert.match(alert.message, /^Cause: ExitedAfterStart: /m);
    assert.match(alert.message, /^Evidence: log: FATAL: could not open lock file/m);
  });
});
