// The planner's cause decisions and the truthful counters and messages of issue 17, one row per
// story a person would tell. Pure: plan() with observations and diagnoses on a fixed timeline.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Value } from '@sinclair/typebox/value';
import { ServiceSpecSchema, type ServiceSpec } from '../../../src/manifest/schema.js';
import type { DesiredService } from '../../../src/manifest/types.js';
import type { CheckResult, CommandResult } from '../../../src/executor/types.js';
import type { ServiceStatus } from '../../../src/status/schema.js';
import type { Diagnosis } from '../../../src/diagnosis/observation.js';
import { completeRestart, plan, type DependencyState, type PlanResult } from '../../../src/reconcile/planner.js';
import { decideCause } from '../../../src/reconcile/failure-cause.js';
import { describeService } from '../../../src/cli/printers/describe-service.js';
import { formatAlert } from '../../../src/notify/format.js';

const T0 = Date.UTC(2026, 0, 1, 10, 0, 0);

function service(spec: Omit<Partial<ServiceSpec>, 'health_check'> & { health_check?: Partial<ServiceSpec['health_check']> } = {}, generation = 1): DesiredService {
  const full = Value.Default(ServiceSpecSchema, {
    restart_cmd: 'start-web &',
    ...spec,
    health_check: { type: 'tcp', port: 9000, interval_seconds: 10, timeout_seconds: 1, ...(spec.health_check ?? {}) },
  }) as ServiceSpec;
  return { name: 'web', labels: {}, annotations: {}, spec: full, generation, source: { file: '/m/x.yaml', line: 1, column: 1 }, format: 'native' };
}

const ok: CheckResult = { health: 'healthy', reason: 'CheckPassed', message: 'connected to 127.0.0.1:9000 after 1 ms', latencyMs: 1 };
const refused: CheckResult = { health: 'unhealthy', reason: 'ConnectFailed', message: 'connect ECONNREFUSED 127.0.0.1:9000', latencyMs: 1 };
const closed: CheckResult = { health: 'unhealthy', reason: 'ConnectFailed', message: 'connection closed before any response (GET http://127.0.0.1:9000/)', latencyMs: 1 };
const cmdOk: CommandResult = { ok: true, exitCode: 0, signal: null, timedOut: false, unavailable: false, durationMs: 10, message: 'exit 0 after 10 ms' };

class Story {
  status: ServiceStatus | null = null;
  now = T0;
  last!: PlanResult;
  constructor(
    public svc: DesiredService,
    public deps: DependencyState[] = [],
  ) {}

  step(obs: CheckResult, o: { after?: number; diagnosis?: Diagnosis; restart?: CommandResult } = {}): PlanResult {
    this.now += o.after ?? 1000;
    const r = plan({ name: 'web', service: this.svc, desired: 'Running', observation: obs, previous: this.status, dependencies: this.deps, dependents: [], now: this.now, restartRequest: null, random: 0.5, ...(o.diagnosis ? { diagnosis: o.diagnosis } : {}) });
    this.status = r.status;
    this.last = r;
    if (r.actions.some((a) => a.type === 'restart')) {
      const after = completeRestart({ status: r.status!, service: this.svc, stop: null, restart: o.restart ?? cmdOk, now: this.now });
      this.status = after.status;
    }
    return r;
  }
}

test('verification polls are not consecutive failures: one failed check and one failed attempt are 2, not 22', () => {
  const s = new Story(service({ startup_delay_seconds: 5 }));
  s.step(ok);
  s.step(refused);
  assert.equal(s.status!.recovery?.state, 'Verifying');
  for (let i = 0; i < 20; i++) s.step(refused, { after: 200 });
  s.step(refused, { after: 2000 });
  assert.equal(s.status!.consecutiveFailures, 2);
  assert.match(s.status!.restarts.lastReason!, /, 2 consecutive failures$/);
});

test('waiting on a Healthy dependency last checked before the failure: the event says it is re-checked, not that it is unhealthy', () => {
  const db = { name: 'db', status: { name: 'db', phase: 'Healthy', lastCheck: { at: new Date(T0 - 60_000).toISOString(), health: 'healthy', reason: 'CheckPassed', latencyMs: 1, message: 'ok' } } as ServiceStatus };
  const s = new Story(service({ dependencies: ['db'] }), [db]);
  s.step(ok);
  s.step(refused);
  const ev = s.status!.events.find((e) => e.reason === 'WaitingForDependency');
  assert.equal(ev?.message, 'not restarting until db has been checked again');
});

test('failing while a dependency is down: the cause is DependencyNotReady, naming it', () => {
  const db = { name: 'db', status: { name: 'db', phase: 'CrashLoopBackOff', backoff: { nextAttemptAt: new Date(T0 + 60_000).toISOString() }, lastCheck: null } as unknown as ServiceStatus };
  const s = new Story(service({ dependencies: ['db'] }), [db]);
  s.step(ok);
  s.step(refused);
  assert.equal(s.status!.lastFailure?.reason, 'DependencyNotReady');
  assert.equal(s.status!.lastFailure?.message, `db is in CrashLoopBackOff (next attempt at ${new Date(T0 + 60_000).toISOString()})`);
  assert.deepEqual(s.status!.failureCounts, { ConnectionRefused: 0, DependencyNotReady: 1 });
});

test('waiting on a manually stopped dependency: no "checking redis first" (vai never checks it on our behalf)', () => {
  const redis = { name: 'redis', status: { name: 'redis', phase: 'Stopped', lastCheck: null } as unknown as ServiceStatus };
  const s = new Story(service({ dependencies: ['redis'] }), [redis]);
  s.step(ok);
  const r = s.step(refused);
  const rec = s.status!.conditions.find((c) => c.type === 'Recovering');
  assert.equal(rec?.message, 'waiting for redis (Stopped)');
  assert.equal(r.actions.some((a) => a.type === 'enqueue'), false);
});

test('describe never shows "5 of 3 failed recoveries": over the limit it says so', () => {
  const s = new Story(service({ max_failures: 3 }));
  s.step(ok);
  const st = { ...s.status!, backoff: { failures: Array.from({ length: 5 }, (_, i) => new Date(T0 + i * 1000).toISOString()), delaySeconds: 40, nextAttemptAt: new Date(T0 + 99_000).toISOString(), healthySince: null } };
  const doc = { manifests: { errors: [], revision: null }, services: { web: st } } as never;
  const text = describeService({ doc, status: st, spec: s.svc, now: T0 + 10_000 });
  assert.doesNotMatch(text, /5 of 3/);
  assert.match(text, /Backoff: +5 failed recoveries in the last 300s \(limit 3: over it/);
});

test('frozen behind a passing check: looked at again when timeout_seconds will have passed, then ProcessFrozen and a restart that stops it first (no stop_cmd)', () => {
  const s = new Story(service({ health_check: { timeout_seconds: 2 } }));
  s.step(ok);
  const frozen = (since: number): Diagnosis => ({ process: { pid: 4242, command: 'memcached -p 9000', via: 'pid_file /run/mc.pid', fromPidFile: true, state: 'stopped', sinceMs: since } });
  const early = s.step(ok, { diagnosis: frozen(s.now + 1000 - 500) });
  assert.equal(early.status!.phase, 'Healthy');
  assert.ok(early.requeue!.afterMs <= 1500, `requeue ${early.requeue!.afterMs}`);
  const late = s.step(ok, { diagnosis: frozen(T0 + 500) });
  const restart = late.actions.find((a) => a.type === 'restart');
  assert.ok(restart && restart.type === 'restart' && restart.stopFirst, 'restart with stopFirst');
  assert.equal(late.status!.lastFailure?.reason, 'ProcessFrozen');
  assert.match(late.status!.lastFailure!.message, /^process 4242 \(memcached -p 9000\) is stopped \(SIGSTOP\) since 2\.\d s/);
});

test('a new spec generation during CrashLoopBackOff resets the backoff and restarts now', () => {
  const s = new Story(service({ max_failures: 1, backoff_initial_seconds: 300, startup_delay_seconds: 1 }));
  s.step(ok);
  s.step(refused);
  s.step(refused, { after: 2000 });
  assert.equal(s.status!.phase, 'CrashLoopBackOff');
  s.svc = service({ max_failures: 1, backoff_initial_seconds: 300, startup_delay_seconds: 1, restart_cmd: 'fixed &' }, 2);
  const r = s.step(refused);
  assert.ok(r.actions.some((a) => a.type === 'restart'), 'restarted at once');
  assert.ok(r.status!.events.some((e) => e.reason === 'BackOffReset' && /^generation 2 applied/.test(e.message)));
});

test('the port held by a process older than the restart: PortInUse naming its pid and command line', () => {
  const c = decideCause(closed, { listener: { pid: 777, command: 'python3 -m http.server 9000', startedAtMs: T0 - 60_000, port: '127.0.0.1:9000' } }, { startedAtMs: T0, commandFailure: null });
  assert.equal(c.reason, 'PortInUse');
  assert.equal(c.message, 'port 127.0.0.1:9000 is held by another process: pid 777 (python3 -m http.server 9000)');
  // Started by the restart itself: the service's own listener, not a squatter.
  assert.notEqual(decideCause(closed, { listener: { pid: 778, command: 'web', startedAtMs: T0 + 100, port: '127.0.0.1:9000' } }, { startedAtMs: T0, commandFailure: null }).reason, 'PortInUse');
});

test('disk full, inodes exhausted, OOM and a process that exited after a good start are told apart', () => {
  const disk = (free: number, inodes: number) => ({ path: '/var/log/web', what: 'log_path', freeBytes: free, totalBytes: 1 << 20, freeInodes: inodes, totalInodes: 100 });
  assert.equal(decideCause(refused, { disks: [disk(0, 50)] }, null).reason, 'DiskFull');
  assert.equal(decideCause(refused, { disks: [disk(900_000, 0)] }, null).reason, 'InodesExhausted');
  assert.equal(decideCause(refused, { disks: [disk(900_000, 50)] }, null).reason, 'ConnectionRefused');
  assert.equal(decideCause(refused, { oom: ['kernel: Memory cgroup out of memory: Killed process 4242 (web)'] }, null).reason, 'OOMKilled');
  const dead = (writtenAtMs: number): Diagnosis => ({ listener: null, process: { pid: 4243, command: '?', via: 'pid_file /run/web.pid', fromPidFile: true, state: 'dead', sinceMs: T0 + 900, writtenAtMs } });
  assert.equal(decideCause(refused, dead(T0 + 300), { startedAtMs: T0, commandFailure: null }).reason, 'ExitedAfterStart');
  // The pid file is the old process's: the new one may still be starting.
  assert.equal(decideCause(refused, dead(T0 - 60_000), { startedAtMs: T0, commandFailure: null }).reason, 'ConnectionRefused');
  assert.equal(decideCause(refused, { listener: null }, { startedAtMs: T0, commandFailure: null }).reason, 'ConnectionRefused');
});

test('a start slower than startup_delay_seconds: StartupTooSlow with how long it took, and the alert says Cause', () => {
  const s = new Story(service({ max_failures: 1, startup_delay_seconds: 1, notify_on_fail: 'alerts' }));
  s.step(ok);
  s.step(refused);
  s.step(refused, { after: 1500 });
  assert.equal(s.status!.phase, 'CrashLoopBackOff');
  const r = s.step(ok, { after: 1700 });
  assert.equal(r.status!.phase, 'Healthy');
  assert.equal(r.status!.lastFailure?.reason, 'StartupTooSlow');
  assert.equal(r.status!.lastFailure?.message, 'startup_delay_seconds is 1 s; this start took 3.2 s');
  const s2 = new Story(service({ notify_on_fail: 'alerts', startup_delay_seconds: 1 }));
  s2.step(ok);
  s2.step(refused);
  const failed = s2.step(refused, { after: 1500, diagnosis: { listener: null, process: { pid: 4243, command: '?', via: 'pid_file /run/web.pid', fromPidFile: true, state: 'dead', sinceMs: s2.now, writtenAtMs: s2.now + 500 } } });
  const alert = failed.actions.find((a) => a.type === 'notify');
  assert.ok(alert && alert.type === 'notify');
  const body = formatAlert(alert.alert, 'vps1').message;
  assert.match(body, /^Cause: ExitedAfterStart: restart_cmd succeeded but the service did not stay up/m);
  assert.doesNotMatch(body, /Manual intervention needed/);
});
