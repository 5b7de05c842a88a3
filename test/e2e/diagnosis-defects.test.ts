// The defects of issue 17, each on a real vaid with real processes: a frozen TCP server that
// the kernel keeps accepting for; a stop_cmd whose SIGTERM a frozen process never handles; a
// manifest fix during CrashLoopBackOff; a pid_file left naming a dead master while its worker
// serves. Each asserts what `vaictl describe -o json` shows.
import os from 'node:os';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { waitFor } from '../support/wait.js';
import { freePort, pidIn } from '../support/vaid.js';
import { FAULT_SERVICE, describeJson, describeText, running, startFault, startFaultVaid, withFaultEnv } from '../support/diagnosis.js';
import { startsAndRestarts } from '../support/restart-count.js';

// Alert titles name the host (vaid's hostname: no manifest here sets a host label).
const HOST = os.hostname();

const healthy = (s: { phase: string }) => s.phase === 'Healthy';

test('a TCP server frozen with SIGSTOP behind a tcp check is found frozen, killed after stop_timeout_seconds (its SIGTERM never handled), and restarted', async () => {
  await withFaultEnv(async (e) => {
    const port = await freePort();
    const pidFile = `${e.run}/frozen.pid`;
    const pid = await startFault(['--tcp', '--port', String(port)], pidFile);
    const vaid = await startFaultVaid(
      e,
      `apiVersion: vai/v1
kind: Service
metadata: { name: frozen }
spec:
  health_check: { type: tcp, port: ${port}, interval_seconds: 1, timeout_seconds: 1 }
  pid_file: ${pidFile}
  stop_cmd: 'kill "$(cat ${pidFile})"'
  stop_timeout_seconds: 2
  restart_cmd: 'node ${FAULT_SERVICE} --tcp --port ${port} --pid-file ${pidFile} >> ${e.run}/frozen.log 2>&1 &'
  startup_delay_seconds: 10
`,
    );
    await vaid.waitForService('frozen', healthy, 'frozen seen healthy');
    process.kill(pid, 'SIGSTOP');
    const frozenAt = performance.now();
    const s = await vaid.waitForService('frozen', (x) => startsAndRestarts(x) === 1 && healthy(x), 'the frozen server restarted', 90_000);
    const tookMs = performance.now() - frozenAt;
    console.log(`# frozen -> restarted and healthy in ${Math.round(tookMs)} ms (interval 1 s + timeout 1 s + stop_timeout 2 s)`);
    assert.equal(running(pid), false, 'the frozen process is gone');
    assert.notEqual(pidIn(pidFile), pid);
    const d = describeJson(vaid.stateDir, 'frozen');
    assert.equal(d.lastFailure?.reason, 'ProcessFrozen');
    assert.match(d.lastFailure!.message, new RegExp(`^process ${pid} \\(.*fault-service\\.mjs.*\\) is stopped \\(SIGSTOP\\) since \\d+\\.\\d s`));
    assert.ok(d.lastFailure!.evidence.some((x) => /state T/.test(x)), d.lastFailure!.evidence.join('\n'));
    const esc = d.events.find((x) => x.reason === 'StopEscalated');
    assert.ok(esc, `a StopEscalated event: ${JSON.stringify(d.events)}`);
    assert.match(esc.message, new RegExp(`^process ${pid} \\(.*\\) was still running \\d+(\\.\\d)? s after stop_cmd: sent SIGCONT and SIGKILL$`));
    assert.ok(d.events.some((x) => x.reason === 'ProcessFrozen'));
    const text = describeText(vaid.stateDir, 'frozen');
    assert.match(text, /Last Failure:\n\s+Cause:\s+ProcessFrozen/);
    console.log(`# describe frozen:\n${text}`);
  });
});

test('a hung service without stop_cmd: its known process gets SIGTERM, then SIGCONT and SIGKILL after stop_timeout_seconds', async () => {
  await withFaultEnv(async (e) => {
    const port = await freePort();
    const pidFile = `${e.run}/hung.pid`;
    const pid = await startFault(['--tcp', '--port', String(port)], pidFile);
    const vaid = await startFaultVaid(
      e,
      `apiVersion: vai/v1
kind: Service
metadata: { name: hung }
spec:
  health_check: { type: tcp, port: ${port}, interval_seconds: 1, timeout_seconds: 1 }
  pid_file: ${pidFile}
  stop_timeout_seconds: 1
  restart_cmd: 'node ${FAULT_SERVICE} --tcp --port ${port} --pid-file ${pidFile} >> ${e.run}/hung.log 2>&1 &'
  startup_delay_seconds: 10
`,
    );
    await vaid.waitForService('hung', healthy, 'hung seen healthy');
    process.kill(pid, 'SIGSTOP');
    await vaid.waitForService('hung', (x) => startsAndRestarts(x) === 1 && healthy(x), 'the hung server restarted', 90_000);
    assert.equal(running(pid), false);
    const d = describeJson(vaid.stateDir, 'hung');
    const esc = d.events.find((x) => x.reason === 'StopEscalated');
    assert.ok(esc, JSON.stringify(d.events));
    assert.match(esc.message, new RegExp(`^process ${pid} .* after SIGTERM: sent SIGCONT and SIGKILL$`));
  });
});

test('a manifest fix during CrashLoopBackOff restarts at once (the backoff is reset, with an event), and the broken attempt says CommandFailed with its output', async () => {
  await withFaultEnv(async (e) => {
    const port = await freePort();
    const pidFile = `${e.run}/cfg.pid`;
    const manifest = (restart: string) => `apiVersion: vai/v1
kind: Service
metadata: { name: cfg }
spec:
  health_check: { type: http, endpoint: "http://127.0.0.1:${port}/health", interval_seconds: 1, timeout_seconds: 1 }
  pid_file: ${pidFile}
  restart_cmd: ${JSON.stringify(restart)}
  startup_delay_seconds: 2
  max_failures: 1
  backoff_initial_seconds: 300
  notify_on_fail: alerts
`;
    const broken = `node ${FAULT_SERVICE} --port ${port} --fail "nginx: [emerg] unknown directive \\"servr\\" in /etc/nginx/nginx.conf:12"`;
    const vaid = await startFaultVaid(e, manifest(broken));
    const looping = await vaid.waitForService('cfg', (x) => x.phase === 'CrashLoopBackOff', 'cfg in CrashLoopBackOff', 60_000);
    assert.ok(looping.backoff.delaySeconds >= 300);
    const d = describeJson(vaid.stateDir, 'cfg');
    assert.equal(d.lastFailure?.reason, 'CommandFailed');
    assert.match(d.lastFailure!.message, /^restart_cmd exit 1 after \d+ ms: nginx: \[emerg\] unknown directive "servr"/);
    assert.ok(d.lastFailure!.commandTail?.some((l) => /unknown directive "servr" in \/etc\/nginx\/nginx\.conf:12/.test(l)), JSON.stringify(d.lastFailure));
    const alert = await waitFor(() => e.ntfy.messages.find((m) => m.title === `cfg Recovery Failed on ${HOST}`), { what: 'the recovery-failed alert', timeoutMs: 60_000 });
    assert.match(alert.message, /^Cause: CommandFailed: restart_cmd exit 1 after \d+ ms: nginx: \[emerg\] unknown directive/m);
    assert.match(alert.message, /^Evidence: restart_cmd: exit code 1 after \d+ ms$/m);
    assert.doesNotMatch(alert.message, /Manual intervention needed/);
    console.log(`# describe cfg:\n${describeText(vaid.stateDir, 'cfg')}\n# ntfy body:\n${alert.message}`);

    const fixedAt = Date.now();
    e.dir.write('manifests/service.yaml', manifest(`node ${FAULT_SERVICE} --port ${port} --pid-file ${pidFile} >> ${e.run}/cfg.log 2>&1 &`));
    const s = await vaid.waitForService('cfg', healthy, 'cfg healthy after the fix (the backoff was 300 s)', 60_000);
    assert.ok(Date.now() - fixedAt < 300_000);
    assert.equal(s.backoff.nextAttemptAt, null);
    const reset = s.events.find((x) => x.reason === 'BackOffReset');
    assert.ok(reset, JSON.stringify(s.events));
    assert.match(reset.message, /^generation 2 applied: crash-loop backoff reset/);
  });
});

test('kill -9 of a master whose worker keeps serving: PidFileStale is recorded, and the listening worker is watched instead', async () => {
  await withFaultEnv(async (e) => {
    const port = await freePort();
    const pidFile = `${e.run}/master.pid`;
    const master = await startFault(['--master', '--port', String(port)], pidFile);
    const vaid = await startFaultVaid(
      e,
      `apiVersion: vai/v1
kind: Service
metadata: { name: master }
spec:
  health_check: { type: http, endpoint: "http://127.0.0.1:${port}/health", interval_seconds: 3600, timeout_seconds: 1 }
  pid_file: ${pidFile}
  restart_cmd: 'node ${FAULT_SERVICE} --master --port ${port} --pid-file ${pidFile} >> ${e.run}/master.log 2>&1 &'
  startup_delay_seconds: 10
`,
    );
    await vaid.waitForService('master', healthy, 'master seen healthy');
    const worker = Number((await (await fetch(`http://127.0.0.1:${port}/health`)).text()).trim());
    assert.ok(worker > 0 && worker !== master);
    e.cleanups.push(() => {
      try {
        process.kill(worker, 'SIGKILL');
      } catch {
        // Gone already.
      }
    });
    process.kill(master, 'SIGKILL');
    const stale = await vaid.waitForService('master', (x) => x.conditions.some((c) => c.type === 'PidFile' && c.reason === 'PidFileStale'), 'PidFileStale recorded');
    assert.equal(stale.phase, 'Healthy');
    assert.equal(startsAndRestarts(stale), 0, 'the worker still serves: no restart');
    const d = describeJson(vaid.stateDir, 'master');
    const ev = d.events.find((x) => x.reason === 'PidFileStale');
    assert.ok(ev);
    assert.match(ev.message, new RegExp(`names pid ${master}, which is gone, yet the check passes`));
    await waitFor(() => vaid.records().find((r) => r.service === 'master' && r.pid === worker && /watching pid/.test(String(r.msg))), { what: 'the worker watched' });
    // Only the watch can see this in time: the next check is an hour away.
    process.kill(worker, 'SIGKILL');
    await vaid.waitForService('master', (x) => startsAndRestarts(x) === 1 && healthy(x), 'restarted after the worker died', 60_000);
  });
});
