// The planner's state machine as a table: (phase / recovery state, observation, desired run
// state, dependency state) -> (phase', actions), one row per transition, named as a person
// would say it. Each row starts from a status built for it, plans once, and checks the phase
// and the actions (planner.test.ts tells longer stories over several plans).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Value } from '@sinclair/typebox/value';
import { ServiceSpecSchema, type ServiceSpec } from '../../../src/manifest/schema.js';
import type { DesiredService } from '../../../src/manifest/types.js';
import type { CheckResult, CommandResult } from '../../../src/executor/types.js';
import type { ServiceStatus } from '../../../src/status/schema.js';
import { newServiceStatus } from '../../../src/status/service-status.js';
import { plan, type Action, type DependencyState, type DesiredRun, type PlanInput, type RestartOutcome } from '../../../src/reconcile/planner.js';

const NOW = Date.UTC(2026, 0, 1, 12, 0, 0);
const iso = (ms: number) => new Date(ms).toISOString();
const ago = (s: number) => iso(NOW - s * 1000);
const ahead = (s: number) => iso(NOW + s * 1000);

function service(spec: Partial<ServiceSpec> = {}): DesiredService {
  const full = Value.Default(ServiceSpecSchema, {
    restart_cmd: 'start-api &',
    startup_delay_seconds: 30,
    max_failures: 3,
    failure_window_seconds: 600,
    backoff_initial_seconds: 10,
    backoff_max_seconds: 300,
    dependencies: ['db'],
    ...spec,
    health_check: { type: 'tcp', port: 9000, interval_seconds: 10, failure_threshold: 1, success_threshold: 1, ...(spec.health_check ?? {}) },
  }) as ServiceSpec;
  return { name: 'api', labels: {}, annotations: {}, spec: full, generation: 1, source: { file: '/m/api.yaml', line: 1, column: 1 }, format: 'native' };
}

const passes: CheckResult = { health: 'healthy', reason: 'CheckPassed', message: 'connected', latencyMs: 1 };
const fails: CheckResult = { health: 'unhealthy', reason: 'ConnectFailed', message: 'connect ECONNREFUSED 127.0.0.1:9000', latencyMs: 1 };
const blind: CheckResult = { health: 'unknown', reason: 'ExecutorUnavailable', message: 'Docker engine unreachable', latencyMs: 1 };
const exit0: CommandResult = { ok: true, exitCode: 0, signal: null, timedOut: false, unavailable: false, durationMs: 5, message: 'exit 0' };
const cannotRun: CommandResult = { ok: false, exitCode: null, signal: null, timedOut: false, unavailable: true, durationMs: 1, message: 'Docker engine unreachable' };

/** A status in a given state, as vaid would have recorded it. */
type From = 'new' | 'Healthy' | 'Degraded' | 'WaitingForDependency' | 'CrashLoopBackOff' | 'CrashLoopBackOff, due' | 'Restarting' | 'Verifying' | 'Verifying, deadline passed' | 'Verifying, deadline passed, last allowed attempt' | 'CrashLoopBackOff, a time an hour off';

function from(state: From, svc: DesiredService): ServiceStatus | null {
  if (state === 'new') return null;
  const s = newServiceStatus(svc, 'Running', ago(3600));
  s.observedGeneration = 1;
  s.counters = { checks: 100, failedChecks: 0, recoveriesAttempted: 0, recoveriesSucceeded: 0 };
  s.lastCheck = { at: ago(10), health: 'healthy', reason: 'CheckPassed', latencyMs: 1, message: 'connected' };
  s.phase = 'Healthy';
  s.phaseSince = ago(3000);
  if (state === 'Healthy') return s;
  const failing = () => {
    s.lastCheck = { at: ago(10), health: 'unhealthy', reason: 'ConnectFailed', latencyMs: 1, message: fails.message };
    s.consecutiveFailures = 1;
    s.incident = { seq: 1, open: true, notifiedFailure: false, notifiedCrashLoop: false, openedAt: ago(120), attempts: 0 };
  };
  failing();
  if (state === 'Degraded') return { ...s, phase: 'Degraded' };
  if (state === 'WaitingForDependency') return { ...s, phase: 'WaitingForDependency' };
  if (state.startsWith('CrashLoopBackOff')) {
    s.phase = 'CrashLoopBackOff';
    s.incident = { ...s.incident, attempts: 3, notifiedFailure: true, notifiedCrashLoop: true };
    const next = state === 'CrashLoopBackOff, due' ? ago(1) : state === 'CrashLoopBackOff, a time an hour off' ? ahead(3600) : ahead(5);
    s.backoff = { failures: [ago(100), ago(60), ago(20)], delaySeconds: 10, nextAttemptAt: next, healthySince: null };
    return s;
  }
  s.phase = 'Recovering';
  const attempt = state === 'Verifying, deadline passed, last allowed attempt' ? 3 : 1;
  s.incident = { ...s.incident, attempts: attempt, notifiedFailure: attempt > 1 };
  if (attempt === 3) s.backoff = { ...s.backoff, failures: [ago(300), ago(200)] };
  const deadline = state === 'Restarting' ? null : state === 'Verifying' ? ahead(20) : ago(1);
  s.recovery = { state: state === 'Restarting' ? 'Restarting' : 'Verifying', attempt, reason: 'connect ECONNREFUSED', startedAt: ago(31), deadline };
  return s;
}

const dbHealthy: DependencyState = { name: 'db', status: { ...newServiceStatus(service(), 'Running', ago(3600)), name: 'db', phase: 'Healthy', phaseSince: ago(3000), lastCheck: { at: ago(1), health: 'healthy', reason: 'CheckPassed', latencyMs: 1, message: 'ok' } } };
const dbDown: DependencyState = { name: 'db', status: { ...dbHealthy.status!, phase: 'Degraded', lastCheck: { at: ago(1), health: 'unhealthy', reason: 'ConnectFailed', latencyMs: 1, message: 'refused' } } };
const dbCrashLooping: DependencyState = { name: 'db', status: { ...dbDown.status!, phase: 'CrashLoopBackOff' } };
const dbHealedDuringCheck: DependencyState = { name: 'db', status: { ...dbHealthy.status!, phaseSince: iso(NOW - 50) } };
const dbOutsideSelector: DependencyState = { name: 'db', status: { name: 'db', phase: 'Healthy', lastCheck: { at: iso(8.64e15), health: 'healthy', reason: 'NotSelected', latencyMs: 0, message: 'db is outside this vaid\'s --selector' } } as ServiceStatus };

interface Row {
  name: string;
  from: From;
  observation: CheckResult | null;
  desired?: DesiredRun;
  dependency?: DependencyState;
  spec?: Partial<ServiceSpec>;
  input?: Partial<PlanInput>;
  /** The phase after the plan; null: nothing recorded (look again). */
  phase: ServiceStatus['phase'] | null;
  actions: string[];
  check?: (s: ServiceStatus | null) => void;
}

const ROWS: Row[] = [
  { name: 'first check passes: Healthy, nothing to do', from: 'new', observation: passes, dependency: dbHealthy, phase: 'Healthy', actions: [] },
  { name: 'healthy stays healthy', from: 'Healthy', observation: passes, dependency: dbHealthy, phase: 'Healthy', actions: [] },
  { name: 'one failure below failure_threshold: Degraded, no restart yet', from: 'Healthy', observation: fails, dependency: dbHealthy, spec: { health_check: { failure_threshold: 2 } as ServiceSpec['health_check'] }, phase: 'Degraded', actions: [] },
  { name: 'api just started failing, db last checked before that: check db first, no restart', from: 'Healthy', observation: fails, dependency: dbHealthy, phase: 'WaitingForDependency', actions: ['enqueue db'] },
  { name: 'still failing, db checked healthy since api began failing: restart api', from: 'Degraded', observation: fails, dependency: dbHealthy, phase: 'Recovering', actions: ['restart'] },
  { name: 'failure_threshold reached, stop_cmd set: stop first, then restart', from: 'Degraded', observation: fails, dependency: dbHealthy, spec: { stop_cmd: 'stop-api' }, phase: 'Recovering', actions: ['restart after stop'] },
  { name: 'dependency down: check db first, do not restart api', from: 'Healthy', observation: fails, dependency: dbDown, phase: 'WaitingForDependency', actions: ['enqueue db'] },
  { name: 'dependency crash-looping: wait on it without queueing it (it has its own schedule)', from: 'Healthy', observation: fails, dependency: dbCrashLooping, phase: 'WaitingForDependency', actions: [] },
  { name: 'dependency outside --selector counts as ready: restart api', from: 'Degraded', observation: fails, dependency: dbOutsideSelector, phase: 'Recovering', actions: ['restart'] },
  { name: 'waiting, dependency healthy again and api still fails: restart api now', from: 'WaitingForDependency', observation: fails, dependency: dbHealthy, phase: 'Recovering', actions: ['restart'] },
  { name: 'waiting, api passes once its dependency is back: Healthy without a restart', from: 'WaitingForDependency', observation: passes, dependency: dbHealthy, phase: 'Healthy', actions: [] },
  {
    name: 'dependency healed while the check ran: look again first, record nothing',
    from: 'Healthy',
    observation: fails,
    dependency: dbHealedDuringCheck,
    input: { observedFrom: NOW - 100, rechecksLeft: 3 },
    phase: null,
    actions: [],
  },
  { name: 'dependency healed while the check ran, no re-checks left: decide on this check', from: 'Degraded', observation: fails, dependency: dbHealedDuringCheck, input: { observedFrom: NOW - 100, rechecksLeft: 0 }, phase: 'Recovering', actions: ['restart'] },
  { name: 'restart commands running when vaid died: verify, never restart again', from: 'Restarting', observation: fails, dependency: dbHealthy, phase: 'Recovering', actions: [], check: (s) => assert.equal(s?.recovery?.state, 'Verifying') },
  {
    name: 'restart commands returned: Restarting becomes Verifying with a deadline',
    from: 'Restarting',
    observation: null,
    dependency: dbHealthy,
    input: { restartOutcome: { stop: null, restart: exit0 } satisfies RestartOutcome },
    phase: 'Recovering',
    actions: [],
    check: (s) => assert.equal(s?.recovery?.deadline, ahead(30)),
  },
  { name: 'restart could not run (engine down): Unknown, no new attempt', from: 'Restarting', observation: null, dependency: dbHealthy, input: { restartOutcome: { stop: null, restart: cannotRun } }, phase: 'Unknown', actions: [] },
  { name: 'verifying, still failing before the deadline: keep polling', from: 'Verifying', observation: fails, dependency: dbHealthy, phase: 'Recovering', actions: [] },
  { name: 'verifying, check passes: Healthy, recovered', from: 'Verifying', observation: passes, dependency: dbHealthy, phase: 'Healthy', actions: [], check: (s) => assert.equal(s?.recovery, null) },
  { name: 'deadline passed, still failing, attempts left: alert once and restart again', from: 'Verifying, deadline passed', observation: fails, dependency: dbHealthy, phase: 'Recovering', actions: ['notify recovery-failed', 'restart'] },
  {
    name: 'deadline passed on the last allowed attempt: crash loop, alert, back off',
    from: 'Verifying, deadline passed, last allowed attempt',
    observation: fails,
    dependency: dbHealthy,
    phase: 'CrashLoopBackOff',
    actions: ['notify crash-loop'],
    check: (s) => assert.equal(s?.backoff.nextAttemptAt, ahead(10)),
  },
  { name: 'in backoff, next attempt not due: wait', from: 'CrashLoopBackOff', observation: fails, dependency: dbHealthy, phase: 'CrashLoopBackOff', actions: [] },
  { name: 'in backoff, next attempt due: restart', from: 'CrashLoopBackOff, due', observation: fails, dependency: dbHealthy, phase: 'Recovering', actions: ['restart'] },
  {
    name: 'backoff time an hour off (another clock): brought back within the policy',
    from: 'CrashLoopBackOff, a time an hour off',
    observation: fails,
    dependency: dbHealthy,
    phase: 'CrashLoopBackOff',
    actions: [],
    check: (s) => assert.equal(s?.backoff.nextAttemptAt, ahead(10), 'no later than now + the current delay'),
  },
  { name: 'in backoff, check passes: Healthy', from: 'CrashLoopBackOff', observation: passes, dependency: dbHealthy, phase: 'Healthy', actions: ['notify recovered'] },
  { name: 'executor cannot see the service: Unknown, never act', from: 'Healthy', observation: blind, dependency: dbHealthy, phase: 'Unknown', actions: [] },
  { name: 'marker present: Stopped, observed, never acted on', from: 'Healthy', observation: fails, desired: 'Stopped', dependency: dbHealthy, phase: 'Stopped', actions: [] },
  { name: 'marker created mid-recovery: Stopped wins, recovery dropped', from: 'Verifying', observation: fails, desired: 'Stopped', dependency: dbHealthy, phase: 'Stopped', actions: [], check: (s) => assert.equal(s?.recovery, null) },
  { name: 'enabled: false: Disabled', from: 'Degraded', observation: fails, desired: 'Disabled', dependency: dbHealthy, phase: 'Disabled', actions: [] },
  { name: 'vaictl restart on a healthy service: restart now', from: 'Healthy', observation: passes, dependency: dbHealthy, input: { restartRequest: NOW - 1000 }, phase: 'Recovering', actions: ['restart'] },
  { name: 'failing without restart_cmd: Degraded, alert once, only observe', from: 'Degraded', observation: fails, dependency: dbHealthy, spec: { restart_cmd: undefined }, phase: 'Degraded', actions: ['notify recovery-failed'] },
];

function describeAction(a: Action): string {
  if (a.type === 'restart') return a.stopFirst ? 'restart after stop' : 'restart';
  if (a.type === 'enqueue') return `enqueue ${a.names.join(',')}`;
  if (a.type === 'notify') return `notify ${a.alert.kind}`;
  return a.type;
}

for (const row of ROWS) {
  test(`planner: ${row.name}`, () => {
    const svc = service(row.spec);
    const result = plan({
      name: 'api',
      service: svc,
      desired: row.desired ?? 'Running',
      observation: row.observation,
      previous: from(row.from, svc),
      dependencies: row.dependency ? [row.dependency] : [],
      dependents: [],
      now: NOW,
      restartRequest: null,
      random: 0.5,
      ...row.input,
    });
    assert.equal(result.status?.phase ?? null, row.phase);
    assert.deepEqual(result.actions.map(describeAction), row.actions);
    row.check?.(result.status);
  });
}
