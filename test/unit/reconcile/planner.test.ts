// The planner, one row per scenario of the seed and of DESIGN.md. Each row drives plan() (and
// completeRestart() after a restart action, as the controller does) through a short story of
// observations on a fixed timeline, then checks what a person would notice.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Value } from '@sinclair/typebox/value';
import { ServiceSpecSchema, type ServiceSpec } from '../../../src/manifest/schema.js';
import type { DesiredService } from '../../../src/manifest/types.js';
import type { CheckResult, CommandResult } from '../../../src/executor/types.js';
import type { ServiceStatus } from '../../../src/status/schema.js';
import { completeRestart, plan, type Action, type DependencyState, type DesiredRun, type PlanResult } from '../../../src/reconcile/planner.js';
import { statusDocumentProblems } from '../../../src/status/validate.js';

const T0 = Date.UTC(2026, 0, 1, 10, 0, 0);

function service(name: string, spec: Omit<Partial<ServiceSpec>, 'health_check'> & { health_check?: Partial<ServiceSpec['health_check']> } = {}, generation = 1): DesiredService {
  const full = Value.Default(ServiceSpecSchema, {
    restart_cmd: `start-${name} &`,
    ...spec,
    health_check: { type: 'http', endpoint: `http://127.0.0.1:9000/${name}`, interval_seconds: 60, ...(spec.health_check ?? {}) },
  }) as ServiceSpec;
  return { name, labels: {}, annotations: {}, spec: full, generation, source: { file: '/m/x.yaml', line: 1, column: 1 }, format: 'native' };
}

const ok: CheckResult = { health: 'healthy', reason: 'CheckPassed', message: 'HTTP 200 from http://127.0.0.1:9000/ after 3 ms', latencyMs: 3 };
const http503: CheckResult = { health: 'unhealthy', reason: 'HttpStatus', message: 'HTTP 503 from http://127.0.0.1:9000/minio/health/live', latencyMs: 4 };
const refused: CheckResult = { health: 'unhealthy', reason: 'ConnectFailed', message: 'connect ECONNREFUSED 127.0.0.1:9000', latencyMs: 1 };
const hung: CheckResult = { health: 'unhealthy', reason: 'Timeout', message: 'timed out after 5 s', latencyMs: 5000 };
const blind: CheckResult = { health: 'unknown', reason: 'ExecutorUnavailable', message: 'Docker engine unreachable', latencyMs: 1 };
const cmdOk: CommandResult = { ok: true, exitCode: 0, signal: null, timedOut: false, unavailable: false, durationMs: 10, message: 'exit 0 after 10 ms' };

function validService(s: ServiceStatus): void {
  const doc = {
    apiVersion: 'vai/v1',
    kind: 'Status',
    formatVersion: 1,
    vaid: { pid: 1, version: 't', startedAt: new Date(T0).toISOString(), hostname: 'h' },
    writtenAt: new Date(T0).toISOString(),
    manifests: { dir: '/m', generation: 1, revision: null, attemptedRevision: null, appliedAt: null, errors: [] },
    services: { [s.name]: s },
    alerts: { outboxSize: 0, dropped: 0, recent: [] },
  };
  assert.equal(statusDocumentProblems(doc), null);
}

/** One service's story: each step plans at a time, running the restart commands when asked. */
class Story {
  status: ServiceStatus | null = null;
  now = T0;
  results: PlanResult[] = [];
  restarts = 0;
  stopsFirst = 0;
  alerts: Array<{ kind: string; id: string; dependents: string[] }> = [];

  constructor(
    public svc: DesiredService,
    public deps: DependencyState[] = [],
    public dependents: string[] = [],
  ) {}

  step(obs: CheckResult | null, o: { after?: number; desired?: DesiredRun; restartRequest?: number; restartResult?: CommandResult } = {}): PlanResult {
    this.now += o.after ?? 1000;
    const r = plan({
      name: this.svc.name,
      service: this.svc,
      desired: o.desired ?? 'Running',
      observation: obs,
      previous: this.status,
      dependencies: this.deps,
      dependents: this.dependents,
      now: this.now,
      restartRequest: o.restartRequest ?? null,
      random: 0.5,
    });
    this.record(r);
    const restart = r.actions.find((a): a is Extract<Action, { type: 'restart' }> => a.type === 'restart');
    if (restart && r.status) {
      this.restarts++;
      if (restart.stopFirst) this.stopsFirst++;
      assert.equal(r.status.recovery?.state, 'Restarting', 'write-ahead: status says Restarting before the command runs');
      this.now += 50;
      const after = completeRestart({ status: r.status, service: this.svc, stop: restart.stopFirst ? cmdOk : null, restart: o.restartResult ?? cmdOk, now: this.now });
      this.record(after);
      return { ...after, actions: r.actions };
    }
    return r;
  }

  private record(r: PlanResult): void {
    this.results.push(r);
    for (const a of r.actions) if (a.type === 'notify') this.alerts.push({ kind: a.alert.kind, id: a.alert.id, dependents: a.alert.dependents });
    if (r.status) validService(r.status);
    // The store treats a recorded status as immutable and reuses the JSON of the parts a new
    // status shares with it: a plan that wrote into its previous status would throw here.
    if (r.status) deepFreeze(r.status);
    this.status = r.status;
  }

  get s(): ServiceStatus {
    assert.ok(this.status);
    return this.status;
  }

  condition(type: string) {
    return this.s.conditions.find((c) => c.type === type);
  }
}

function deepFreeze<T>(v: T): T {
  if (typeof v === 'object' && v !== null && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const x of Object.values(v)) deepFreeze(x);
  }
  return v;
}

/** A dependency's status as it would be after being observed at `at` in `phase`. */
function depStatus(name: string, phase: ServiceStatus['phase'], checkedAt: number, health: 'healthy' | 'unhealthy' = phase === 'Healthy' ? 'healthy' : 'unhealthy'): DependencyState {
  const st = new Story(service(name));
  st.now = checkedAt - 1000;
  st.step(health === 'healthy' ? ok : refused);
  const s = structuredClone(st.s);
  s.phase = phase;
  if (phase === 'CrashLoopBackOff') s.backoff = { ...s.backoff, delaySeconds: 10, nextAttemptAt: new Date(checkedAt + 10_000).toISOString() };
  return { name, status: s };
}

test('first check healthy: Healthy, no action, next check within the interval ±10%', () => {
  const st = new Story(service('minio'));
  const r = st.step(ok);
  assert.equal(st.s.phase, 'Healthy');
  assert.deepEqual(r.actions, []);
  assert.equal(r.requeue?.kind, 'interval');
  assert.ok(r.requeue!.afterMs >= 54_000 && r.requeue!.afterMs <= 66_000);
  assert.equal(st.condition('Healthy')?.status, 'True');
});

test('healthy services share check ticks: the next check is on the 100 ms grid, and nextCheckAt says when', () => {
  const dues = new Set<number>();
  for (const [i, after] of [1037, 1049, 1012].entries()) {
    const st = new Story(service(`svc-${i}`, { health_check: { interval_seconds: 1 } }));
    const r = st.step(ok, { after });
    const due = st.now + r.requeue!.afterMs;
    assert.equal(due % 100, 0, 'on a tick');
    assert.ok(r.requeue!.afterMs >= 850 && r.requeue!.afterMs <= 1150, 'the interval ±10%, ± half a tick');
    assert.equal(st.s.nextCheckAt, new Date(due).toISOString());
    dues.add(due);
  }
  assert.equal(dues.size, 1, 'checks finished within one tick are due together');
});

test('crashed: restart with the failing check as the reason, verify passes -> Healthy, restart count 1', () => {
  const st = new Story(service('minio'));
  st.step(ok);
  const r = st.step(http503);
  assert.equal(st.restarts, 1);
  assert.equal(st.s.phase, 'Recovering');
  assert.equal(st.s.recovery?.state, 'Verifying');
  assert.equal(r.requeue?.kind, 'verify');
  assert.equal(r.requeue?.afterMs, 0, 'verification starts as soon as restart_cmd returns');
  assert.equal(st.s.restarts.lastReason, 'HTTP 503 from http://127.0.0.1:9000/minio/health/live, 1 consecutive failure');
  st.step(ok, { after: 30 });
  assert.equal(st.s.phase, 'Healthy');
  assert.equal(st.s.restarts.count, 1);
  assert.equal(st.s.counters.recoveriesSucceeded, 1);
  assert.ok(st.s.events.some((e) => e.reason === 'Recovered'));
  assert.ok(st.s.events.some((e) => e.reason === 'Restarting' && e.message.includes('HTTP 503')));
  assert.deepEqual(st.alerts, [], 'a recovery that works needs no person');
});

test('hung (check timed out): stop_cmd runs before restart_cmd', () => {
  const st = new Story(service('api', { stop_cmd: 'pkill -f api-server' }));
  st.step(ok);
  st.step(hung);
  assert.equal(st.restarts, 1);
  assert.equal(st.stopsFirst, 1);
  assert.match(st.s.restarts.lastReason!, /timed out after 5 s, 1 consecutive failure/);
});

test('verification polls fast at first and slower later, never past the deadline', () => {
  const st = new Story(service('minio', { startup_delay_seconds: 5 }));
  st.step(ok);
  st.step(refused);
  const delays: number[] = [];
  for (let i = 0; i < 40 && st.s.recovery; i++) {
    const r = st.step(refused, { after: delays.at(-1) ?? 0 });
    if (r.requeue?.kind === 'verify') delays.push(r.requeue.afterMs);
  }
  assert.equal(delays[0], 25);
  assert.ok(Math.max(...delays) <= 500);
  assert.ok(delays.at(-1)! > delays[0]!, 'polls slow down');
});

test('dependency down: recover it first, don\'t restart api', () => {
  const db = depStatus('db', 'Degraded', T0 + 500, 'unhealthy');
  const st = new Story(service('api', { dependencies: ['db'] }), [db]);
  st.step(ok, { after: 0 });
  const r = st.step(refused);
  assert.equal(st.restarts, 0);
  assert.equal(st.s.phase, 'WaitingForDependency');
  assert.deepEqual(r.actions.filter((a) => a.type === 'enqueue').map((a) => (a as { names: string[] }).names), [['db']]);
  assert.equal(st.condition('DependenciesReady')?.status, 'False');
  assert.match(st.condition('DependenciesReady')!.message, /db is Degraded/);
  assert.equal(r.requeue?.kind, 'dependency');
  st.deps = [depStatus('db', 'Recovering', st.now, 'unhealthy')];
  const again = st.step(refused);
  assert.equal(again.actions.length, 0, 'a dependency already recovering is not checked again on api\'s behalf');
  assert.equal(st.s.events.filter((e) => e.reason === 'WaitingForDependency')[0]?.count, 1, 'one event per wait');
});

test('dependency and dependent crash together: db still looks healthy from an older check, so check db first', () => {
  const db = depStatus('db', 'Healthy', T0 + 100);
  const st = new Story(service('api', { dependencies: ['db'] }), [db]);
  st.step(ok, { after: 0 });
  const r = st.step(refused);
  assert.equal(st.restarts, 0);
  assert.equal(st.s.phase, 'WaitingForDependency');
  assert.ok(r.actions.some((a) => a.type === 'enqueue'));
  assert.match(st.condition('DependenciesReady')!.message, /db has not been checked since this service started failing/);
});

test('dependency healthy again and dependent passes its re-check: Healthy with no restart', () => {
  const st = new Story(service('api', { dependencies: ['db'] }), [depStatus('db', 'Recovering', T0)]);
  st.step(ok, { after: 0 });
  st.step(refused);
  st.deps = [depStatus('db', 'Healthy', st.now + 500)];
  st.step(ok);
  assert.equal(st.s.phase, 'Healthy');
  assert.equal(st.restarts, 0);
  assert.equal(st.s.restarts.count, 0);
  assert.equal(st.condition('DependenciesReady')?.status, 'True');
});

test('dependency healthy again but dependent still failing: now restart it', () => {
  const st = new Story(service('api', { dependencies: ['db'] }), [depStatus('db', 'Recovering', T0)]);
  st.step(ok, { after: 0 });
  st.step(refused);
  st.deps = [depStatus('db', 'Healthy', st.now + 500)];
  st.step(refused);
  assert.equal(st.restarts, 1);
  assert.equal(st.s.restarts.lastReason, 'connect ECONNREFUSED 127.0.0.1:9000, 2 consecutive failures');
});

test('dependency in CrashLoopBackOff or manually stopped: dependent waits, names it, never alerts on its own', () => {
  for (const [phase, words] of [['CrashLoopBackOff', /db is in CrashLoopBackOff \(next attempt at/], ['Stopped', /db is manually stopped/]] as const) {
    const st = new Story(service('api', { dependencies: ['db'], startup_delay_seconds: 1 }), [depStatus('db', phase, T0 + 100)]);
    st.step(ok, { after: 0 });
    for (let i = 0; i < 50; i++) {
      st.deps = [depStatus('db', phase, st.now)];
      st.step(refused, { after: 10_000 });
    }
    assert.equal(st.restarts, 0);
    assert.deepEqual(st.alerts, []);
    assert.equal(st.s.phase, 'WaitingForDependency');
    assert.match(st.condition('DependenciesReady')!.message, words);
  }
});

test('resource exhaustion: restart does not help -> attempt failed after startup delay -> one recovery-failed alert naming dependents', () => {
  const st = new Story(service('minio', { startup_delay_seconds: 5 }), [], ['api', 'web']);
  st.step(ok);
  st.step(refused);
  st.step(refused, { after: 2000 });
  assert.equal(st.s.phase, 'Recovering', 'still inside the startup delay');
  assert.equal(st.alerts.length, 0);
  st.step(refused, { after: 4000 });
  assert.equal(st.s.backoff.failures.length, 1);
  assert.ok(st.s.events.some((e) => e.reason === 'RecoveryFailed'));
  assert.deepEqual(st.alerts.map((a) => a.kind), ['recovery-failed']);
  assert.equal(st.alerts[0]!.id, 'minio:recovery-failed:1');
  assert.deepEqual(st.alerts[0]!.dependents, ['api', 'web']);
  assert.equal(st.restarts, 2, 'below max_failures the next attempt follows at once');
});

test('crash loop: max_failures attempts, then CrashLoopBackOff 10s doubling to the 300s cap; never gives up; one crash-loop alert', () => {
  const st = new Story(service('minio', { startup_delay_seconds: 1 }));
  st.step(ok);
  const delays: number[] = [];
  let lastNext: string | null = null;
  for (let i = 0; i < 400 && st.restarts < 12; i++) {
    const r = st.step(refused, { after: 1100 });
    if (st.s.phase === 'CrashLoopBackOff' && st.s.backoff.nextAttemptAt !== lastNext) {
      lastNext = st.s.backoff.nextAttemptAt;
      delays.push(st.s.backoff.delaySeconds);
    }
    if (r.requeue?.kind === 'backoff') assert.ok(st.s.backoff.nextAttemptAt);
    if (st.s.phase === 'CrashLoopBackOff') st.now = Date.parse(st.s.backoff.nextAttemptAt!) - 1100;
  }
  assert.equal(st.restarts, 12, 'keeps retrying at the cap');
  assert.deepEqual(delays.slice(0, 7), [10, 20, 40, 80, 160, 300, 300]);
  assert.deepEqual(st.alerts.map((a) => a.kind), ['recovery-failed', 'crash-loop']);
  assert.equal(st.condition('BackOff')?.status, 'True');
});

test('crash loop: the first backoff starts after exactly max_failures failed attempts', () => {
  const st = new Story(service('minio', { startup_delay_seconds: 1, max_failures: 3 }));
  st.step(ok);
  for (let i = 0; i < 100 && st.s.phase !== 'CrashLoopBackOff'; i++) st.step(refused, { after: 1100 });
  assert.equal(st.s.phase, 'CrashLoopBackOff');
  assert.equal(st.restarts, 3);
  assert.equal(st.s.backoff.failures.length, 3);
  assert.equal(Date.parse(st.s.backoff.nextAttemptAt!) - st.now, 10_000);
  const r = st.step(refused, { after: 5000 });
  assert.equal(st.restarts, 3, 'no attempt before nextAttemptAt');
  assert.equal(r.requeue?.kind, 'backoff');
  assert.ok(r.requeue!.afterMs <= 5000);
  st.step(refused, { after: 5000 });
  assert.equal(st.restarts, 4, 'the attempt comes at nextAttemptAt');
});

test('manual stop: marker present and service down -> Stopped, no action, still observed', () => {
  const st = new Story(service('minio'));
  st.step(ok);
  const r = st.step(refused, { desired: 'Stopped' });
  assert.equal(st.s.phase, 'Stopped');
  assert.deepEqual(r.actions, []);
  assert.equal(st.s.lastCheck?.health, 'unhealthy');
  assert.equal(st.condition('ManuallyStopped')?.status, 'True');
  assert.ok(st.s.events.some((e) => e.reason === 'ManuallyStopped'));
});

test('marker removed while the service is down: recovered', () => {
  const st = new Story(service('minio'));
  st.step(refused, { desired: 'Stopped' });
  st.step(refused, { desired: 'Stopped' });
  st.step(refused);
  assert.equal(st.restarts, 1);
  assert.equal(st.condition('ManuallyStopped')?.status, 'False');
});

test('marker created mid-recovery: vai stops acting at once', () => {
  const st = new Story(service('minio'));
  st.step(ok);
  st.step(refused);
  assert.ok(st.s.recovery);
  const r = st.step(refused, { desired: 'Stopped', after: 100 });
  assert.equal(st.s.recovery, null);
  assert.deepEqual(r.actions, []);
  assert.equal(st.s.phase, 'Stopped');
});

test('disabled: enabled false -> Disabled, no action however unhealthy', () => {
  const st = new Story(service('minio', { enabled: false }));
  for (let i = 0; i < 5; i++) assert.deepEqual(st.step(refused, { desired: 'Disabled' }).actions, []);
  assert.equal(st.s.phase, 'Disabled');
  assert.equal(st.restarts, 0);
});

test('config change of a healthy service: new generation observed, no restart', () => {
  const st = new Story(service('minio'));
  st.step(ok);
  st.svc = service('minio', { health_check: { interval_seconds: 30 } }, 2);
  const r = st.step(ok);
  assert.deepEqual(r.actions, []);
  assert.equal(st.s.generation, 2);
  assert.equal(st.s.observedGeneration, 2);
  assert.ok(st.s.events.some((e) => e.reason === 'SpecChanged'));
  assert.ok(r.requeue!.afterMs <= 33_000, 'the new interval applies');
});

test('vaid restarted mid-recovery (Restarting in status): verify, never restart again', () => {
  const st = new Story(service('minio'));
  st.step(ok);
  st.now += 1000;
  const r0 = plan({ name: 'minio', service: st.svc, desired: 'Running', observation: refused, previous: st.status, dependencies: [], dependents: [], now: st.now, restartRequest: null, random: 0.5 });
  assert.equal(r0.status?.recovery?.state, 'Restarting');
  // vaid is killed here, before completeRestart: the write-ahead status is what it reloads.
  st.status = r0.status;
  st.restarts = 0;
  const r = st.step(refused, { after: 3000 });
  assert.equal(st.restarts, 0);
  assert.equal(st.s.recovery?.state, 'Verifying');
  assert.equal(r.requeue?.kind, 'verify');
  assert.ok(st.s.events.some((e) => e.reason === 'ResumedRecovery'));
  st.step(ok, { after: 100 });
  assert.equal(st.s.phase, 'Healthy');
  assert.equal(st.s.restarts.count, 1);
});

test('vaid restarted mid-recovery (Verifying, deadline passed, still down): one failed attempt, counted once', () => {
  const st = new Story(service('minio', { startup_delay_seconds: 5, max_failures: 1 }));
  st.step(ok);
  st.step(refused);
  const r = st.step(refused, { after: 60_000 });
  assert.equal(st.s.backoff.failures.length, 1);
  assert.equal(st.s.phase, 'CrashLoopBackOff');
  assert.equal(r.requeue?.kind, 'backoff');
  assert.equal(st.restarts, 1);
});

test('executor unavailable: phase Unknown, no restart, requeue soon', () => {
  const st = new Story(service('minio', { container: 'services-container' }));
  st.step(ok);
  for (let i = 0; i < 10; i++) {
    const r = st.step(blind);
    assert.deepEqual(r.actions, []);
    assert.equal(r.requeue?.kind, 'unknown');
  }
  assert.equal(st.s.phase, 'Unknown');
  assert.equal(st.condition('Healthy')?.status, 'Unknown');
  assert.equal(st.restarts, 0);
});

test('executor unavailable for long: looks again after 2 s, then less and less often, never later than its interval', () => {
  const st = new Story(service('minio', { container: 'services-container', health_check: { interval_seconds: 60 } }));
  st.step(ok);
  const delays: number[] = [];
  for (let i = 0; i < 8; i++) {
    const r = st.step(blind, { after: delays.at(-1) ?? 1000 });
    delays.push(r.requeue!.afterMs);
  }
  assert.equal(delays[0], 2000, 'the first retry is quick: the engine may be back at once');
  for (let i = 1; i < delays.length; i++) assert.ok(delays[i]! >= delays[i - 1]!, `retries slow down: ${delays.join(', ')}`);
  assert.equal(delays.at(-1), 60_000, `capped at the interval: ${delays.join(', ')}`);
  assert.equal(st.restarts, 0);
});

test('executor unavailable in the middle of a recovery: the verify poll backs off to the interval, a 15 min outage costs a few dozen checks', () => {
  const st = new Story(service('minio', { container: 'services-container', restart_container: true, startup_delay_seconds: 30, health_check: { interval_seconds: 60, failure_threshold: 1 } }));
  st.step(ok);
  st.step(refused);
  assert.equal(st.restarts, 1);
  assert.equal(st.s.recovery?.state, 'Verifying');
  const delays: number[] = [];
  let elapsed = 0;
  for (let i = 0; i < 5000 && elapsed < 15 * 60_000; i++) {
    const r = st.step(blind, { after: delays.at(-1) ?? 100 });
    assert.deepEqual(r.actions, [], 'nothing is done while the service cannot be observed');
    assert.equal(r.requeue?.kind, 'verify', 'still verifying the attempt');
    delays.push(r.requeue!.afterMs);
    elapsed += r.requeue!.afterMs;
  }
  assert.ok(delays.length <= 40, `${delays.length} polls in a 15 min outage (every ${delays.slice(-3).join(', ')} ms at the end)`);
  for (const ms of delays) assert.ok(ms <= 60_000, `never later than the interval: ${ms}`);
  assert.equal(delays.at(-1), 60_000, `backed off to the interval: ${delays.join(', ')}`);
  assert.ok(delays[0]! <= 500, `the first poll is quick: the engine may be back at once (${delays[0]})`);
  assert.equal(st.s.recovery?.attempt, 1, 'the attempt is still being verified, not restarted');
  const r = st.step(ok, { after: 60_000 });
  assert.equal(st.restarts, 1, 'observable again and healthy: no second restart');
  assert.equal(r.status?.phase, 'Healthy');
});

test('failure_threshold 3: two failed checks -> Degraded, no restart; the third -> restart saying 3 consecutive failures', () => {
  const st = new Story(service('minio', { health_check: { failure_threshold: 3 } }));
  st.step(ok);
  st.step(http503);
  st.step(http503);
  assert.equal(st.s.phase, 'Degraded');
  assert.equal(st.restarts, 0);
  st.step(http503);
  assert.equal(st.restarts, 1);
  assert.equal(st.s.recovery?.reason, 'HTTP 503 from http://127.0.0.1:9000/minio/health/live, 3 consecutive failures');
});

test('success_threshold 2: one pass after a restart is not yet Healthy', () => {
  const st = new Story(service('minio', { health_check: { success_threshold: 2 } }));
  st.step(ok);
  st.step(refused);
  st.step(ok, { after: 25 });
  assert.equal(st.s.phase, 'Recovering');
  st.step(ok, { after: 25 });
  assert.equal(st.s.phase, 'Healthy');
});

test('recovered after a failure notice: a recovered alert for the same incident', () => {
  const st = new Story(service('minio', { startup_delay_seconds: 1 }));
  st.step(ok);
  st.step(refused);
  st.step(refused, { after: 1100 });
  st.step(ok, { after: 30 });
  assert.equal(st.s.phase, 'Healthy');
  assert.deepEqual(st.alerts.map((a) => a.id), ['minio:recovery-failed:1', 'minio:recovered:1']);
  st.step(refused, { after: 60_000 });
  st.step(ok, { after: 30 });
  assert.equal(st.alerts.length, 2, 'a recovery without a failure notice sends nothing');
});

test('backoff is forgotten after backoff_reset_seconds healthy', () => {
  const st = new Story(service('minio', { startup_delay_seconds: 1, max_failures: 1, backoff_reset_seconds: 600 }));
  st.step(ok);
  st.step(refused);
  st.step(refused, { after: 1100 });
  assert.equal(st.s.backoff.delaySeconds, 10);
  st.step(ok, { after: 10_000 });
  assert.equal(st.s.phase, 'Healthy');
  st.step(ok, { after: 300_000 });
  assert.equal(st.s.backoff.delaySeconds, 10, 'not yet');
  st.step(ok, { after: 300_001 });
  assert.equal(st.s.backoff.delaySeconds, 0);
  assert.equal(st.s.backoff.failures.length, 0);
  assert.ok(st.s.events.some((e) => e.reason === 'BackOffReset'));
});

test('conditions change lastTransitionTime only when their status flips; repeated events fold with a count', () => {
  const st = new Story(service('minio', { restart_cmd: undefined }));
  st.step(ok);
  const t1 = st.condition('Healthy')!.lastTransitionTime;
  st.step(ok);
  assert.equal(st.condition('Healthy')!.lastTransitionTime, t1);
  st.step(refused);
  const t2 = st.condition('Healthy')!.lastTransitionTime;
  assert.notEqual(t2, t1);
  st.step(refused);
  assert.equal(st.condition('Healthy')!.lastTransitionTime, t2);
  const noCmd = st.s.events.find((e) => e.reason === 'NoRestartCommand');
  assert.equal(noCmd?.count, 2);
  assert.ok(st.s.events.length <= 50);
});

test('restart requested with vaictl restart: restarts now, even in backoff', () => {
  const st = new Story(service('minio', { startup_delay_seconds: 1, max_failures: 1 }));
  st.step(ok);
  st.step(refused);
  st.step(refused, { after: 1100 });
  assert.equal(st.s.phase, 'CrashLoopBackOff');
  st.step(refused, { after: 100, restartRequest: st.now });
  assert.equal(st.restarts, 2);
  assert.match(st.s.restarts.lastReason!, /requested by vaictl restart/);
});

test('restart requested for a manually stopped service: nothing happens', () => {
  const st = new Story(service('minio'));
  const r = st.step(ok, { desired: 'Stopped', restartRequest: T0 });
  assert.deepEqual(r.actions, []);
  assert.equal(st.restarts, 0);
});

test('service removed from the manifests: its status is forgotten', () => {
  const r = plan({ name: 'gone', service: null, desired: 'Running', observation: null, previous: null, dependencies: [], dependents: [], now: T0, restartRequest: null, random: 0 });
  assert.deepEqual(r, { status: null, actions: [{ type: 'forget' }], requeue: null });
});

test('restart_cmd that cannot run (executor unavailable): no failure counted, phase Unknown', () => {
  const st = new Story(service('minio', { container: 'c' }));
  st.step(ok);
  st.step(refused, { restartResult: { ...cmdOk, ok: false, unavailable: true, message: 'engine unreachable' } });
  assert.equal(st.s.phase, 'Unknown');
  assert.equal(st.s.recovery, null);
  assert.equal(st.s.backoff.failures.length, 0);
});

test('verification polls are not counted as checks (the success rates stay meaningful)', () => {
  const st = new Story(service('minio'));
  st.step(ok);
  st.step(refused);
  for (let i = 0; i < 10; i++) st.step(refused, { after: 25 });
  st.step(ok, { after: 25 });
  assert.equal(st.s.phase, 'Healthy');
  assert.deepEqual({ checks: st.s.counters.checks, failed: st.s.counters.failedChecks }, { checks: 2, failed: 1 });
});
