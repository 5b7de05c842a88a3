// The planner: one service's whole truth in (spec, desired run state, the fresh observation,
// the previous status, its dependencies' statuses, now) -> the new status, the actions to take
// and when to look again. Pure and synchronous: no I/O, no clock, no randomness (the caller
// passes `random`), so every decision is table-testable and replays in a simulation.
//
// The recovery is a state machine kept in status (DESIGN.md "The reconcile of one service"):
//   Healthy -> failing (failure_threshold) -> dependencies ready? -> not in backoff? -> restart
//   restart: status says Restarting *before* the commands run (write-ahead), Verifying after;
//   Verifying: success_threshold passes -> Healthy; deadline passed -> attempt failed -> backoff.
// A status found in Restarting or Verifying (vaid restarted mid-recovery) is verified, never
// restarted again.
import path from 'node:path';
import type { DesiredService } from '../manifest/types.js';
import type { ServiceSpec } from '../manifest/schema.js';
import type { CheckResult, CommandResult } from '../executor/types.js';
import type { Alert, AlertKind } from '../notify/types.js';
import type { Phase, ServiceStatus } from '../status/schema.js';
import type { Mute } from '../notify/mute.js';
import type { RecordedStatus } from '../status/store.js';
import { setCondition, type ConditionUpdate } from '../status/conditions.js';
import { EventReason, recordEvent, type NewEvent } from '../status/events.js';
import { newServiceStatus, type DesiredRun } from '../status/service-status.js';
import { delayToTick, tickFor } from './check-ticks.js';
import { clampTimes } from './schedule-clamp.js';
import { backoffExpired, failuresInWindow, nextBackoffDelay, verifyPollDelay } from './crash-loop-backoff.js';
import type { Diagnosis } from '../diagnosis/observation.js';
import { cause, type CauseReason } from '../diagnosis/cause.js';
import { flapStep } from './flap-watch.js';
import { flapPolicyOf, type FlapPolicy, type Restart } from '../notify/flapping.js';
import { commandFailure, decideCause, frozenObservation, isHung, recordFailure, startupTooSlow } from './failure-cause.js';
import { adoptOnRestart, nextRollout, rolledBackMessage, rolloutVerified, rolloutVerifyFailed, syncRollout, type RolloutEvent, type RolloutInput } from './rollout.js';

export type { DesiredRun };

export interface DependencyState {
  name: string;
  /** null when the dependency has no status yet (never observed). */
  status: RecordedStatus | null;
}

export interface PlanInput {
  name: string;
  /** null when the service is no longer in the desired state. */
  service: DesiredService | null;
  desired: DesiredRun;
  /** The check just run, or null when none was run. */
  observation: CheckResult | null;
  previous: RecordedStatus | null;
  dependencies: readonly DependencyState[];
  /** Services that depend on this one (named in its alerts). */
  dependents: readonly string[];
  now: number;
  /** A `vaictl restart` request (epoch ms it was made), or null. */
  restartRequest: number | null;
  /** Uniform in [0, 1): jitter for the next interval check. */
  random: number;
  /** What the evidence gatherers saw (src/diagnosis): only on failure paths and after a probe saw the process stopped or gone. */
  diagnosis?: Diagnosis;
  /** When the observation's check began: a dependency that turned Healthy since may be why it failed. */
  observedFrom?: number;
  /** How many more times a failed check may be looked at again because a dependency healed meanwhile. */
  rechecksLeft?: number;
  /** The stop_cmd/restart_cmd of the restart this status is in, once they returned. */
  restartOutcome?: RestartOutcome | null;
  /** The hash of the spec (generations.ts), recorded so a restarted vaid knows an unchanged spec. */
  specHash?: string;
  /** Rollout of spec changes (rollout.ts); absent for a service whose spec.rollout.on_change is none. */
  rollout?: RolloutInput | null;
  /**
   * Maintenance windows and silences covering the service now (notify/mute.ts). One in mode
   * pause is read like a manual-stop marker that ends by itself: observe, never act.
   */
  mutes?: readonly Mute[];
  /** When that set next changes (a window opens or closes, a silence ends): look again then. */
  mutesChangeAt?: number | null;
  /** Flapping rule of the service's Notifier (the service's own `flapping:` wins); absent: 5 in 1 h. */
  notifierFlapping?: FlapPolicy;
  /** What people asked of the service from outside (an action over the endpoint: who, from where), recorded as events first. */
  notes?: readonly NewEvent[];
}

export interface RestartOutcome {
  stop: CommandResult | null;
  restart: CommandResult;
}

export type Action =
  /** Write-ahead the status, run stop_cmd (when stopFirst), then restart_cmd; then completeRestart(). */
  | { type: 'restart'; attempt: number; reason: string; stopFirst: boolean }
  /** Reconcile these services now (dependencies of a failing service). */
  | { type: 'enqueue'; names: string[]; reason: string }
  /** Submit this alert to the notifier before the returned status is recorded. */
  | { type: 'notify'; alert: Alert }
  /** The service left the desired state: drop its status and timers. */
  | { type: 'forget' };

/**
 * Why to look again: 'interval' is the regular check; the others are parts of a recovery that a
 * one-shot pass (vaictl reconcile --once) follows through ('verify', 'dependency') or not.
 */
export type RequeueKind = 'interval' | 'verify' | 'dependency' | 'backoff' | 'unknown' | 'recheck';

export interface Requeue {
  afterMs: number;
  kind: RequeueKind;
}

export interface PlanResult {
  status: ServiceStatus | null;
  actions: Action[];
  requeue: Requeue | null;
}

const UNKNOWN_RETRY_MS = 2000;
/** Causes found beyond what the check said: a crash with one gets its own event (CheckFailed has the rest). */
const DIAGNOSED: ReadonlySet<CauseReason> = new Set(['PortInUse', 'OOMKilled', 'DiskFull', 'InodesExhausted', 'ProcessFrozen', 'ExitedAfterStart']);
const BUSY_PHASES: ReadonlySet<Phase> = new Set(['Recovering', 'CrashLoopBackOff', 'WaitingForDependency', 'Stopped', 'Disabled']);

/** Builder for one plan: the status under construction, its events and actions. */
class Draft {
  readonly t: string;
  readonly actions: Action[] = [];
  private readonly events: NewEvent[] = [];
  private readonly conditions: ConditionUpdate[] = [];
  /** The restart that recovered the service in this plan (flapping counts them). */
  recoveredRestart: Restart | null = null;

  constructor(
    public s: ServiceStatus,
    readonly input: PlanInput,
    readonly service: DesiredService,
  ) {
    this.t = iso(input.now);
  }

  get spec(): ServiceSpec {
    return this.service.spec;
  }

  event(type: NewEvent['type'], reason: NewEvent['reason'] | CauseReason, message: string): void {
    this.events.push({ type, reason, message });
  }

  condition(c: ConditionUpdate): void {
    this.conditions.push(c);
  }

  phase(p: Phase): void {
    if (this.s.phase !== p) this.s.phaseSince = this.t;
    this.s.phase = p;
  }

  /**
   * `id`: an id decided elsewhere (flapping, from status times); `once.key`: the alert is about
   * that key, not the incident (sent once per key); `once.reason`: its own cause (a notice).
   */
  notify(kind: AlertKind, message: string, opts: { id?: string; once?: { key: string; reason?: string } } = {}): void {
    const { id, once } = opts;
    const s = this.s;
    this.actions.push({
      type: 'notify',
      alert: {
        id: id ?? (once ? `${s.name}:${kind}:${once.key}` : `${s.name}:${kind}:${s.incident.seq}`),
        kind,
        service: s.name,
        spec: this.spec,
        at: this.t,
        message,
        attempt: s.incident.attempts ?? 0,
        dependents: [...this.input.dependents],
        ...(Object.keys(this.service.labels).length ? { labels: { ...this.service.labels } } : {}),
        ...(this.service.source.file ? { workingDir: path.dirname(this.service.source.file) } : {}),
        ...(once?.reason ? { cause: { reason: once.reason, message, evidence: [] } } : {}),
        ...(kind !== 'recovered' && kind !== 'flapping-resolved' && !once?.reason && s.lastFailure ? { cause: { reason: s.lastFailure.reason, message: s.lastFailure.message, evidence: [...s.lastFailure.evidence] } } : {}),
      },
    });
  }

  finish(requeue: Requeue | null): PlanResult {
    const generation = this.service.generation;
    this.watchFlapping();
    let conditions = this.s.conditions;
    for (const c of this.conditions) conditions = setCondition(conditions, c, this.t, generation);
    let events = this.s.events;
    for (const e of [...(this.input.notes ?? []), ...this.events]) events = recordEvent(events, e, this.t);
    this.s.conditions = conditions;
    this.s.events = events;
    const change = this.input.mutesChangeAt;
    // A window that opens or closes before the next look changes what vai may do: look then.
    if (requeue && change !== null && change !== undefined && change >= this.input.now && this.input.now + requeue.afterMs > change) requeue = { ...requeue, afterMs: change - this.input.now };
    this.s.nextCheckAt = requeue ? iso(this.input.now + requeue.afterMs) : null;
    shareUnchanged(this.s, this.input.previous);
    return { status: this.s, actions: this.actions, requeue };
  }

  private watchFlapping(): void {
    const s = this.s;
    if (!s.flapping && !this.recoveredRestart) return;
    const policy = this.spec.flapping ? flapPolicyOf(this.spec.flapping, undefined) : (this.input.notifierFlapping ?? flapPolicyOf(undefined, undefined));
    const step = flapStep(s.name, s.flapping, this.recoveredRestart, this.input.now, policy);
    if (step.state) s.flapping = step.state;
    else delete s.flapping;
    if (!step.notice) return;
    this.event(step.notice.kind === 'flapping' ? 'Warning' : 'Normal', step.notice.kind === 'flapping' ? EventReason.Flapping : EventReason.FlappingResolved, step.notice.message.split('\n')[0]!);
    this.notify(step.notice.kind, step.notice.message, { id: step.notice.id });
  }
}

export function plan(input: PlanInput): PlanResult {
  const { service, previous, now } = input;
  if (!service) return { status: null, actions: [{ type: 'forget' }], requeue: null };
  if (input.restartOutcome && previous) return completeRestart({ status: previous, service, ...input.restartOutcome, now, notes: input.notes });
  // A dependency that turned Healthy while the check ran may be why it failed: a restart on a
  // failure that began before the heal would be wrong, so look again first, recording nothing.
  if (input.observation?.health === 'unhealthy' && (input.rechecksLeft ?? 0) > 0 && healedSince(input.dependencies, input.observedFrom)) {
    return { status: null, actions: [], requeue: { afterMs: 0, kind: 'recheck' } };
  }
  const s: ServiceStatus = previous ? editable(previous) : newServiceStatus(service, input.desired, iso(now));
  const d = new Draft(s, input, service);

  if (previous && previous.generation !== service.generation) {
    d.event('Normal', EventReason.SpecChanged, `generation ${service.generation} applied (was ${previous.generation})`);
    // A new spec is a new pod template: its attempts start afresh, not after the old backoff.
    if (s.backoff.nextAttemptAt || s.backoff.failures.length > 0) {
      s.backoff = { failures: [], delaySeconds: 0, nextAttemptAt: null, healthySince: s.backoff.healthySince };
      d.event('Normal', EventReason.BackOffReset, `generation ${service.generation} applied: crash-loop backoff reset, failed attempts forgotten`);
    }
  }
  if (previous && previous.desired !== input.desired) desiredChanged(d, previous.desired, input.desired);
  s.generation = service.generation;
  if (input.specHash !== undefined && s.specHash !== input.specHash) s.specHash = input.specHash;
  s.desired = input.desired;
  syncRolloutStatus(d);
  if (!sameRecord(s.labels, service.labels)) s.labels = { ...service.labels };
  const src = service.source;
  if (s.source.file !== src.file || s.source.line !== src.line || s.source.column !== src.column) s.source = { file: src.file, line: src.line, column: src.column };
  clampTimes(s, now, service.spec, iso);
  s.backoff.failures = failuresInWindow(s.backoff.failures, now, service.spec);
  if (s.incident.attempts === undefined) s.incident.attempts = 0;

  const frozen = frozenObservation(input.observation, input.diagnosis, service.spec, now);
  observe(d, frozen.obs);
  pidFileCondition(d);
  s.observedGeneration = service.generation;
  d.condition(
    input.desired === 'Stopped'
      ? { type: 'ManuallyStopped', status: 'True', reason: 'MarkerPresent', message: `marker ${s.name}.stopped is present: vai observes but never acts` }
      : { type: 'ManuallyStopped', status: 'False', reason: 'NoMarker', message: '' },
  );
  const deps = dependencyReadiness(input.dependencies, null);
  d.condition(deps.length ? { type: 'DependenciesReady', status: 'False', reason: 'DependencyNotReady', message: deps.join('; ') } : readyDependencies(input));

  maintenance(d);
  if (input.desired !== 'Running') return notRunning(d);
  const pause = input.mutes?.find((m) => m.mode === 'pause');
  if (pause) return paused(d, pause);
  if (input.restartRequest !== null && !s.recovery) return requested(d, input.restartRequest);
  const obs = frozen.obs;
  if (!obs || obs.health === 'unknown') return unknown(d);
  if (s.recovery) return verifying(d, obs);
  if (obs.health === 'healthy') return recheckFrozen(rollOut(d) ?? healthy(d), frozen.recheckMs, now);
  return unhealthy(d, obs);
}

function rolloutEvent(d: Draft, e: RolloutEvent): void {
  d.event(e.type, e.reason, e.message);
}

function syncRolloutStatus(d: Draft): void {
  const r = syncRollout(d.s.rollout, d.input.rollout ?? null, d.s.recovery !== null, d.t);
  if (r.rollout !== d.s.rollout) {
    if (r.rollout) d.s.rollout = r.rollout;
    else delete d.s.rollout;
  }
  for (const e of r.events) rolloutEvent(d, e);
}

/** Healthy, with a change to roll out: restart with the new spec now, or look again soon. */
function rollOut(d: Draft): PlanResult | null {
  const step = nextRollout(d.s.rollout, d.input.rollout ?? null);
  if (step.kind === 'none') return null;
  if (step.kind === 'wait') {
    // One event per wait; looked at again soon, as the dependency or the free slot comes.
    if (!d.s.events.some((e) => e.reason === 'RolloutWaiting' && e.message === step.event.message)) rolloutEvent(d, step.event);
    const r = healthy(d);
    const afterMs = Math.min(1000, intervalMs(d.spec));
    return r.status ? { ...r, requeue: { afterMs, kind: 'interval' }, status: { ...r.status, nextCheckAt: iso(d.input.now + afterMs) } } : r;
  }
  if (!hasRestartAction(d.spec)) return null;
  d.s.rollout = step.rollout;
  rolloutEvent(d, step.event);
  return startRestart(d, step.reason);
}

/** Frozen, not yet for the check's timeout: look again when it will have been. */
function recheckFrozen(r: PlanResult, recheckMs: number | null, now: number): PlanResult {
  if (recheckMs === null || !r.requeue || r.requeue.afterMs <= recheckMs || !r.status) return r;
  return { ...r, requeue: { afterMs: recheckMs, kind: 'interval' }, status: { ...r.status, nextCheckAt: iso(now + recheckMs) } };
}

/** A pid_file naming a gone pid while the check passes is recorded, and the listener owner watched instead. */
function pidFileCondition(d: Draft): void {
  const p = d.input.diagnosis?.process;
  if (p === undefined || !d.spec.pid_file) return;
  const obs = d.input.observation;
  if (p && p.state === 'dead' && p.fromPidFile && obs?.health === 'healthy') {
    const message = `${p.via} names pid ${p.pid}, which is gone, yet the check passes: vai watches the process listening on the check's port instead`;
    if (!d.s.conditions.some((c) => c.type === 'PidFile' && c.reason === 'PidFileStale')) d.event('Warning', EventReason.PidFileStale, message);
    d.condition({ type: 'PidFile', status: 'False', reason: 'PidFileStale', message });
  } else if (p === null && d.s.conditions.some((c) => c.type === 'PidFile')) {
    d.condition({ type: 'PidFile', status: 'True', reason: 'PidFileCurrent', message: 'the pid_file names a running process' });
  }
}

/** After the restart commands return: Restarting -> Verifying (or back to Unknown if they could not run). */
export function completeRestart(input: {
  status: RecordedStatus;
  service: DesiredService;
  stop: CommandResult | null;
  restart: CommandResult;
  now: number;
  notes?: readonly NewEvent[] | undefined;
}): PlanResult {
  const s = editable(input.status);
  const d = new Draft(s, { ...emptyInput(input.service, input.now), previous: input.status, ...(input.notes ? { notes: input.notes } : {}) }, input.service);
  if (!s.recovery) return d.finish(intervalRequeue(d));
  if (input.stop && !input.stop.ok) d.event('Warning', EventReason.CommandFailed, `stop_cmd ${input.stop.message}`);
  if (input.stop?.escalation) d.event('Warning', EventReason.StopEscalated, input.stop.escalation);
  for (const w of [...(input.stop?.warnings ?? []).map((x) => `stop_cmd ${x}`), ...(input.restart.warnings ?? []).map((x) => `restart_cmd ${x}`)]) d.event('Warning', EventReason.CommandDegraded, w);
  if (input.restart.unavailable) {
    s.recovery = null;
    d.phase('Unknown');
    d.event('Warning', EventReason.RestartUnavailable, `restart could not run: ${input.restart.message}`);
    d.condition({ type: 'Recovering', status: 'False', reason: 'ExecutorUnavailable', message: input.restart.message });
    return d.finish({ afterMs: Math.min(UNKNOWN_RETRY_MS, intervalMs(d.spec)), kind: 'unknown' });
  }
  if (!input.restart.ok) {
    const f = commandFailure('restart_cmd', input.restart, d.t, s.recovery.attempt);
    d.event('Warning', EventReason.CommandFailed, f.message);
    recordFailure(s, f, false);
  }
  s.recovery = { ...s.recovery, state: 'Verifying', deadline: iso(input.now + d.spec.startup_delay_seconds * 1000) };
  d.condition({ type: 'Recovering', status: 'True', reason: 'Verifying', message: `attempt ${s.recovery.attempt}: waiting up to ${d.spec.startup_delay_seconds}s for the check to pass` });
  return d.finish({ afterMs: 0, kind: 'verify' });
}

function observe(d: Draft, obs: CheckResult | null): void {
  const s = d.s;
  const before = s.lastCheck?.health ?? null;
  if (obs) {
    s.lastCheck = { at: d.t, health: obs.health, reason: obs.reason, latencyMs: Math.max(0, obs.latencyMs), message: obs.message, ...(obs.usage ? { usage: { ...obs.usage } } : {}) };
    // Verification polls (many, fast, expected to fail while the service starts) are not
    // counted as checks, so the success rates derived from counters mean what the seed's did.
    const polling = s.recovery !== null;
    if (!polling) s.counters.checks++;
    if (obs.health === 'unhealthy') {
      // Nor do they count as consecutive failures: a failed attempt adds one (attemptFailed).
      if (!polling) s.counters.failedChecks++;
      if (!polling) s.consecutiveFailures++;
      s.consecutiveSuccesses = 0;
    } else if (obs.health === 'healthy') {
      s.consecutiveSuccesses++;
      s.consecutiveFailures = 0;
    }
    if (obs.health !== before) {
      if (obs.health === 'unhealthy') d.event('Warning', EventReason.CheckFailed, obs.message);
      else if (obs.health === 'unknown') d.event('Warning', EventReason.ExecutorUnavailable, obs.message);
      else if (before !== null) d.event('Normal', EventReason.CheckPassed, 'health check passes again');
    }
    if (obs.health === 'healthy' && obs.warning) d.event('Warning', EventReason.CheckWarning, obs.warning);
    if (obs.health === 'healthy') warningNotice(d, obs);
  }
  const last = s.lastCheck;
  if (!last) d.condition({ type: 'Healthy', status: 'Unknown', reason: 'NotChecked', message: 'not checked yet' });
  else if (last.health === 'healthy') d.condition({ type: 'Healthy', status: 'True', reason: 'CheckPassed', message: last.message });
  else d.condition({ type: 'Healthy', status: last.health === 'unknown' ? 'Unknown' : 'False', reason: camel(last.reason), message: last.message });
}

/**
 * One notice per warning (its key names the certificate's expiry), recorded in status so a
 * restarted vaid does not send it again; the notifier's idempotent ids cover a crash between the
 * two. A passing check without the warning (the certificate renewed) clears it, quietly: the
 * notice asked for no action from vai, so its end needs no message either.
 */
function warningNotice(d: Draft, obs: CheckResult): void {
  const s = d.s;
  const key = obs.warning ? obs.warningKey : undefined;
  if (key !== undefined && s.notice?.key !== key) {
    // A stopped or disabled service is only shown: its notice waits until vai watches it again.
    if (d.input.desired !== 'Running') return;
    d.notify('notice', obs.warning!, { once: { key, reason: key.split(':', 1)[0]! } });
    s.notice = { key, at: d.t };
  } else if (key === undefined && s.notice) {
    d.event('Normal', EventReason.CheckWarningCleared, `the warning no longer holds: ${obs.message}`);
    s.notice = null;
  }
}

function desiredChanged(d: Draft, from: DesiredRun, to: DesiredRun): void {
  if (to === 'Stopped') d.event('Normal', EventReason.ManuallyStopped, `marker ${d.s.name}.stopped created: vai will not act on the service`);
  else if (to === 'Disabled') d.event('Normal', EventReason.Disabled, 'enabled: false: vai will not act on the service');
  else if (from === 'Stopped') d.event('Normal', EventReason.ManualStopCleared, `marker ${d.s.name}.stopped removed: vai keeps the service running again`);
  else d.event('Normal', EventReason.Enabled, 'enabled again: vai keeps the service running');
}

function notRunning(d: Draft): PlanResult {
  const s = d.s;
  // A manual stop or a disable wins over an unfinished recovery: vai stops acting at once.
  s.recovery = null;
  s.incident.open = false;
  d.phase(d.input.desired === 'Stopped' ? 'Stopped' : 'Disabled');
  d.condition({ type: 'Recovering', status: 'False', reason: 'NotDesired', message: `desired state is ${d.input.desired}` });
  d.condition({ type: 'BackOff', status: 'False', reason: 'NotDesired', message: '' });
  return d.finish(intervalRequeue(d));
}

/** Records which windows and silences cover the service, with an event when one begins or ends. */
function maintenance(d: Draft): void {
  const now = d.input.mutes ?? [];
  const before = d.s.maintenance ?? [];
  const key = (m: Mute) => `${m.kind}/${m.name}`;
  const had = new Set(before.map(key));
  const has = new Set(now.map(key));
  for (const m of now) {
    if (had.has(key(m))) continue;
    const what = m.kind === 'window' ? `maintenance window ${m.name}` : `silence ${m.name}`;
    const does = m.mode === 'pause' ? 'alerts muted and no recovery action' : 'alerts muted, recovery continues';
    d.event('Normal', EventReason.MaintenanceStarted, `${what} (${m.mode}) until ${m.until}: ${does}${m.reason ? `; ${m.reason}` : ''}`);
  }
  for (const m of before) if (!has.has(key(m))) d.event('Normal', EventReason.MaintenanceEnded, `${m.kind === 'window' ? `maintenance window ${m.name}` : `silence ${m.name}`} ended`);
  if (now.length > 0) {
    if (!sameMutes(before, now)) d.s.maintenance = now.map((m) => ({ ...m }));
  } else if (d.s.maintenance) delete d.s.maintenance;
  if (now.length > 0 || d.s.conditions.some((c) => c.type === 'Maintenance')) {
    const pause = now.find((m) => m.mode === 'pause');
    d.condition(
      now.length === 0
        ? { type: 'Maintenance', status: 'False', reason: 'NoWindow', message: '' }
        : { type: 'Maintenance', status: 'True', reason: pause ? 'Paused' : 'Silenced', message: now.map((m) => `${m.kind} ${m.name} (${m.mode}) until ${m.until}`).join('; ') },
    );
  }
}

function sameMutes(a: readonly Mute[], b: readonly Mute[]): boolean {
  return a.length === b.length && a.every((m, i) => m.kind === b[i]!.kind && m.name === b[i]!.name && m.mode === b[i]!.mode && m.until === b[i]!.until && m.reason === b[i]!.reason);
}

/**
 * A maintenance window in mode pause: as with a manual stop, vai observes and never acts, and an
 * unfinished recovery is dropped. Unlike a marker it ends by itself: the failing checks counted
 * meanwhile make the first plan after the window recover the service at once.
 */
function paused(d: Draft, pause: Mute): PlanResult {
  const s = d.s;
  s.recovery = null;
  const health = s.lastCheck?.health;
  d.phase(health === 'healthy' ? 'Healthy' : health === 'unhealthy' ? 'Degraded' : 'Unknown');
  d.condition({ type: 'Recovering', status: 'False', reason: 'MaintenancePause', message: `${pause.kind} ${pause.name} pauses recovery until ${pause.until}` });
  return d.finish(intervalRequeue(d));
}

function requested(d: Draft, at: number): PlanResult {
  if (!hasRestartAction(d.spec)) {
    d.event('Warning', EventReason.NoRestartCommand, 'restart requested but the service has no restart_cmd');
    return d.finish(intervalRequeue(d));
  }
  d.event('Normal', EventReason.RestartRequested, `restart requested at ${iso(at)}`);
  if (!d.s.incident.open) openIncident(d);
  return startRestart(d, `requested by vaictl restart at ${iso(at)}`);
}

function unknown(d: Draft): PlanResult {
  // The executor cannot see the service: never act on that, look again soon.
  const s = d.s;
  d.phase('Unknown');
  // Back off while it lasts (2 s, then about doubling, up to the interval): an engine outage
  // must not turn a thousand container services into a thousand execs every 2 s.
  const unknownFor = d.input.now - Date.parse(s.phaseSince);
  const retry = Math.min(intervalMs(d.spec), Math.max(UNKNOWN_RETRY_MS, unknownFor));
  if (s.recovery) {
    d.condition({ type: 'Recovering', status: 'True', reason: 'Verifying', message: `attempt ${s.recovery.attempt}: cannot observe the service` });
    // The verify poll starts fast (the engine may be back at once) and backs off the same way:
    // a 15 min outage polled at 0.5 s was ~1,800 checks of a service nobody can see.
    return d.finish({ afterMs: Math.min(intervalMs(d.spec), Math.max(pollDelay(d), unknownFor)), kind: 'verify' });
  }
  d.condition({ type: 'Recovering', status: 'False', reason: 'ExecutorUnavailable', message: 'vai cannot observe the service; it does not act meanwhile' });
  return d.finish({ afterMs: retry, kind: 'unknown' });
}

function verifying(d: Draft, obs: CheckResult): PlanResult {
  const s = d.s;
  const rec = s.recovery!;
  const spec = d.spec;
  if (rec.state === 'Restarting' || rec.deadline === null) {
    // vaid died while the commands ran: their outcome is unknown, so verify, never restart again.
    s.recovery = { ...rec, state: 'Verifying', deadline: iso(d.input.now + spec.startup_delay_seconds * 1000) };
    d.event('Normal', EventReason.ResumedRecovery, `vaid restarted during attempt ${rec.attempt}: verifying instead of restarting again`);
  }
  const deadline = Date.parse(s.recovery!.deadline!);
  if (obs.health === 'healthy') {
    if (s.consecutiveSuccesses >= spec.health_check.success_threshold) return recovered(d);
    d.phase('Recovering');
    d.condition({ type: 'Recovering', status: 'True', reason: 'Verifying', message: `attempt ${rec.attempt}: ${s.consecutiveSuccesses}/${spec.health_check.success_threshold} checks passed` });
    return d.finish({ afterMs: pollDelay(d), kind: 'verify' });
  }
  if (d.input.now < deadline) {
    d.phase('Recovering');
    d.condition({ type: 'Recovering', status: 'True', reason: 'Verifying', message: `attempt ${rec.attempt}: waiting until ${iso(deadline)} for the check to pass` });
    return d.finish({ afterMs: Math.min(pollDelay(d), Math.max(1, deadline - d.input.now)), kind: 'verify' });
  }
  if (s.rollout?.target) {
    const r = rollBack(d, obs);
    if (r) return r;
  }
  attemptFailed(d, obs);
  return unhealthy(d, obs);
}

/** The new spec failed its verify: restart with the previous one (null: fail as any attempt). */
function rollBack(d: Draft, obs: CheckResult): PlanResult | null {
  const s = d.s;
  const rec = s.recovery!;
  const prior = s.lastFailure?.kind === 'attempt' && s.lastFailure.attempt === rec.attempt && s.lastFailure.reason === 'CommandFailed' ? s.lastFailure : null;
  const c = decideCause(obs, d.input.diagnosis, { startedAtMs: Date.parse(rec.startedAt), commandFailure: prior });
  const step = rolloutVerifyFailed(s.rollout!, d.input.rollout ?? null, c, d.t);
  s.rollout = step.rollout;
  rolloutEvent(d, step.event);
  if (step.kind === 'failed') return null;
  s.recovery = null;
  const logTail = d.input.diagnosis?.logTail;
  recordFailure(s, { at: d.t, kind: 'attempt', attempt: rec.attempt, ...c, ...(prior?.commandTail ? { commandTail: prior.commandTail } : {}), ...(logTail?.length ? { logTail } : {}) });
  d.event('Warning', c.reason, c.message);
  return startRestart(d, step.reason);
}

function recovered(d: Draft): PlanResult {
  const s = d.s;
  const rec = s.recovery!;
  s.recovery = null;
  s.counters.recoveriesSucceeded++;
  d.event('Normal', EventReason.Recovered, `healthy again after attempt ${rec.attempt} (${rec.reason})`);
  if (s.rollout?.target) {
    const r = rolloutVerified(s.rollout, d.input.rollout ?? null, d.t);
    s.rollout = r.rollout;
    rolloutEvent(d, r.event);
    if (r.rolledBack) d.notify('rolled-back', rolledBackMessage(s.name, r.rolledBack, r.rollout.running.revision), { once: { key: `${r.rolledBack.revision}:${r.rolledBack.hash}` } });
  }
  // Flapping counts restarts vai made because the service failed: not its first start, not a `vaictl restart`.
  const failed = s.restarts.lastAt === rec.startedAt && !rec.reason.startsWith('requested by vaictl restart');
  const lf = s.lastFailure;
  if (failed) d.recoveredRestart = { at: Date.parse(rec.startedAt), cause: lf ? `${lf.reason}: ${rec.reason}` : rec.reason };
  return healthyNow(d);
}

function healthy(d: Draft): PlanResult {
  const s = d.s;
  const wasFailing = s.phase !== 'Healthy' && s.counters.checks > 1 && s.phase !== 'Unknown';
  if (wasFailing && s.consecutiveSuccesses < d.spec.health_check.success_threshold) {
    d.condition({ type: 'Recovering', status: 'False', reason: 'Settling', message: `${s.consecutiveSuccesses}/${d.spec.health_check.success_threshold} checks passed` });
    return d.finish({ afterMs: intervalMs(d.spec), kind: 'interval' });
  }
  return healthyNow(d);
}

function healthyNow(d: Draft): PlanResult {
  const s = d.s;
  const now = d.input.now;
  const lf = s.lastFailure;
  const startedAt = s.restarts.lastAt ?? s.restarts.firstStartAt ?? null;
  if (s.incident.open && lf?.kind === 'attempt' && lf.reason !== 'StartupTooSlow' && startedAt && lf.attempt === s.incident.attempts) {
    // The attempt was failed at its deadline, and the service came up later on its own: too slow a start, not a broken one.
    const c = startupTooSlow(d.spec, Date.parse(startedAt), now);
    recordFailure(s, { at: d.t, kind: 'attempt', attempt: lf.attempt, ...c });
    d.event('Warning', EventReason.StartupTooSlow, c.message);
  }
  d.phase('Healthy');
  if (s.incident.open) {
    if (s.incident.notifiedFailure || s.incident.notifiedCrashLoop) d.notify('recovered', `${s.name} is healthy again: ${s.lastCheck?.message ?? ''}`);
    s.incident.open = false;
  }
  s.backoff.healthySince ??= d.t;
  if ((s.backoff.delaySeconds > 0 || s.backoff.nextAttemptAt) && backoffExpired(s.backoff.healthySince, now, d.spec)) {
    s.backoff = { failures: [], delaySeconds: 0, nextAttemptAt: null, healthySince: s.backoff.healthySince };
    d.event('Normal', EventReason.BackOffReset, `healthy for ${d.spec.backoff_reset_seconds}s: crash-loop backoff forgotten`);
  }
  if (s.backoff.delaySeconds === 0) d.condition({ type: 'BackOff', status: 'False', reason: 'NoBackOff', message: '' });
  else d.condition({ type: 'BackOff', status: 'False', reason: 'HealthyInBackOff', message: `backoff of ${s.backoff.delaySeconds}s is forgotten after ${d.spec.backoff_reset_seconds}s healthy` });
  d.condition({ type: 'Recovering', status: 'False', reason: 'Healthy', message: '' });
  return d.finish(intervalRequeue(d));
}

function unhealthy(d: Draft, obs: CheckResult): PlanResult {
  const s = d.s;
  const spec = d.spec;
  s.backoff.healthySince = null;
  if (s.consecutiveFailures < spec.health_check.failure_threshold) {
    d.phase('Degraded');
    d.condition({ type: 'Recovering', status: 'False', reason: 'BelowFailureThreshold', message: `${s.consecutiveFailures}/${spec.health_check.failure_threshold} consecutive checks failed` });
    return d.finish({ afterMs: intervalMs(spec), kind: 'interval' });
  }
  if (!s.incident.open) {
    openIncident(d);
    const c = decideCause(obs, d.input.diagnosis, null);
    recordFailure(s, { at: d.t, kind: 'check', ...c, ...(d.input.diagnosis?.logTail?.length ? { logTail: d.input.diagnosis.logTail } : {}) });
    if (DIAGNOSED.has(c.reason)) d.event('Warning', c.reason, c.message);
  }
  const failingSince = Date.parse(s.incident.openedAt!);

  const notReady = dependencyReadiness(d.input.dependencies, failingSince);
  // Failing while a dependency is not healthy: that, not the check's words, is the first cause.
  if (notReady.length && s.lastFailure?.at === d.t && s.lastFailure.kind === 'check') {
    // Recorded by this same plan: the count moves with it (no reader saw the first one).
    const counts = { ...(s.failureCounts ?? {}) };
    counts[s.lastFailure.reason] = Math.max(0, (counts[s.lastFailure.reason] ?? 1) - 1);
    s.failureCounts = counts;
    recordFailure(s, { ...s.lastFailure, ...cause('DependencyNotReady', notReady.join('; '), [`check: ${obs.message}`]) });
  }
  if (notReady.length) {
    const names = d.input.dependencies.filter((x) => !isReady(x, failingSince)).map((x) => x.name);
    // A Healthy dependency only needs a fresh check; saying "until it is healthy" would be false.
    const unhealthyDeps = d.input.dependencies.filter((x) => names.includes(x.name) && x.status?.phase !== 'Healthy').map((x) => x.name);
    const recheck = names.filter((n) => !unhealthyDeps.includes(n));
    const until = [
      ...(unhealthyDeps.length ? [`${unhealthyDeps.join(', ')} ${unhealthyDeps.length > 1 ? 'are' : 'is'} healthy`] : []),
      ...(recheck.length ? [`${recheck.join(', ')} ${recheck.length > 1 ? 'have' : 'has'} been checked again`] : []),
    ];
    // One event per wait, not one per re-check while waiting.
    if (s.phase !== 'WaitingForDependency') d.event('Normal', EventReason.WaitingForDependency, `not restarting until ${until.join(' and ')}`);
    d.phase('WaitingForDependency');
    d.condition({ type: 'DependenciesReady', status: 'False', reason: 'DependencyNotReady', message: notReady.join('; ') });
    // A dependency already recovering, backing off or stopped has its own schedule; checking it
    // every second on a dependent's behalf would only add load.
    const stale = d.input.dependencies.filter((x) => names.includes(x.name) && !BUSY_PHASES.has(x.status?.phase ?? 'Unknown')).map((x) => x.name);
    const busy = d.input.dependencies.filter((x) => names.includes(x.name) && !stale.includes(x.name)).map((x) => `${x.name} (${x.status?.phase ?? 'Unknown'})`);
    const waitWords = [...(stale.length ? [`checking ${stale.join(', ')} first`] : []), ...(busy.length ? [`waiting for ${busy.join(', ')}`] : [])];
    d.condition({ type: 'Recovering', status: 'False', reason: 'WaitingForDependency', message: waitWords.join('; ') });
    if (stale.length) d.actions.push({ type: 'enqueue', names: stale, reason: `${s.name} is failing: check its dependencies first` });
    // The controller wakes this service as soon as a dependency turns Healthy; the interval is
    // only the fallback, so waiting on a long-failing dependency is not busy polling.
    return d.finish({ afterMs: jittered(d), kind: 'dependency' });
  }
  d.condition(readyDependencies(d.input));

  const next = s.backoff.nextAttemptAt ? Date.parse(s.backoff.nextAttemptAt) : null;
  if (next !== null && d.input.now < next) {
    d.phase('CrashLoopBackOff');
    backOffCondition(d);
    d.condition({ type: 'Recovering', status: 'False', reason: 'BackOff', message: `next attempt at ${s.backoff.nextAttemptAt}` });
    return d.finish({ afterMs: Math.min(next - d.input.now, jittered(d)), kind: 'backoff' });
  }

  if (!hasRestartAction(spec)) {
    d.phase('Degraded');
    // An alert-only service: one alert per incident, a resolved notice when it heals (healthyNow).
    d.event('Warning', EventReason.NoRestartCommand, 'unhealthy; an alert-only service (no restart_cmd): vai alerts and does not restart it');
    d.condition({ type: 'Recovering', status: 'False', reason: 'NoRestartCommand', message: 'alert-only: no restart_cmd' });
    if (!s.incident.notifiedFailure) {
      d.notify('recovery-failed', `${s.name} is unhealthy (${obs.message}); alert-only service, vai does not restart it`);
      s.incident.notifiedFailure = true;
    }
    return d.finish(intervalRequeue(d));
  }
  const n = s.consecutiveFailures;
  return startRestart(d, `${obs.message}, ${n} consecutive failure${n === 1 ? '' : 's'}`);
}

function startRestart(d: Draft, reason: string): PlanResult {
  const s = d.s;
  const attempt = (s.incident.attempts ?? 0) + 1;
  s.incident.attempts = attempt;
  const adopted = adoptOnRestart(s.rollout, d.input.rollout ?? null);
  if (adopted && adopted !== s.rollout) s.rollout = adopted;
  s.recovery = { state: 'Restarting', attempt, reason, startedAt: d.t, deadline: null };
  // Never seen healthy and never started by vai: this restart_cmd is the first start, not a restart.
  const firstStart = s.restarts.count === 0 && !s.restarts.starts && s.counters.checks === s.counters.failedChecks;
  s.restarts = firstStart ? { ...s.restarts, starts: 1, firstStartAt: d.t } : { ...s.restarts, count: s.restarts.count + 1, lastAt: d.t, lastReason: reason };
  s.counters.recoveriesAttempted++;
  s.consecutiveSuccesses = 0;
  s.backoff.nextAttemptAt = null;
  d.phase('Recovering');
  d.event('Normal', EventReason.Restarting, reason);
  d.condition({ type: 'Recovering', status: 'True', reason: 'Restarting', message: `attempt ${attempt}: ${reason}` });
  if (s.backoff.delaySeconds === 0) d.condition({ type: 'BackOff', status: 'False', reason: 'NoBackOff', message: '' });
  const obs = d.input.restartRequest === null ? d.s.lastCheck : null;
  const hung = obs !== null && obs.health === 'unhealthy' && isHung(obs as CheckResult) && !d.spec.container;
  d.actions.push({ type: 'restart', attempt, reason, stopFirst: Boolean(d.spec.stop_cmd) || hung });
  return d.finish(null);
}

function attemptFailed(d: Draft, obs: CheckResult): void {
  const s = d.s;
  const spec = d.spec;
  const rec = s.recovery!;
  s.recovery = null;
  s.consecutiveFailures++;
  s.backoff.failures = [...failuresInWindow(s.backoff.failures, d.input.now, spec), d.t];
  const prior = s.lastFailure?.kind === 'attempt' && s.lastFailure.attempt === rec.attempt && s.lastFailure.reason === 'CommandFailed' ? s.lastFailure : null;
  const c = decideCause(obs, d.input.diagnosis, { startedAtMs: Date.parse(rec.startedAt), commandFailure: prior });
  const logTail = d.input.diagnosis?.logTail;
  recordFailure(s, { at: d.t, kind: 'attempt', attempt: rec.attempt, ...c, ...(prior?.commandTail ? { commandTail: prior.commandTail } : {}), ...(logTail?.length ? { logTail } : {}) });
  d.event('Warning', c.reason, c.message);
  const message = `attempt ${rec.attempt} failed: still unhealthy ${spec.startup_delay_seconds}s after the restart: ${obs.message}`;
  d.event('Warning', EventReason.RecoveryFailed, message);
  if (!s.incident.notifiedFailure) {
    d.notify('recovery-failed', message);
    s.incident.notifiedFailure = true;
  }
  const delay = nextBackoffDelay(s.backoff.failures.length, s.backoff.delaySeconds, spec);
  if (delay === 0) return;
  s.backoff.delaySeconds = delay;
  s.backoff.nextAttemptAt = iso(d.input.now + delay * 1000);
  d.event('Warning', EventReason.BackOff, `${s.backoff.failures.length} failed attempts in ${spec.failure_window_seconds}s: next attempt in ${delay}s`);
  backOffCondition(d);
  if (!s.incident.notifiedCrashLoop) {
    d.notify('crash-loop', `${s.name} has failed ${s.backoff.failures.length} recovery attempts in ${spec.failure_window_seconds}s; retrying every ${delay}s (at most ${spec.backoff_max_seconds}s): ${obs.message}`);
    s.incident.notifiedCrashLoop = true;
  }
}

function openIncident(d: Draft): void {
  d.s.incident = { seq: d.s.incident.seq + 1, open: true, notifiedFailure: false, notifiedCrashLoop: false, openedAt: d.t, attempts: 0 };
}

function backOffCondition(d: Draft): void {
  const b = d.s.backoff;
  d.condition({
    type: 'BackOff',
    status: 'True',
    reason: 'CrashLoop',
    message: `${b.failures.length} failed attempts in ${d.spec.failure_window_seconds}s; next attempt at ${b.nextAttemptAt} (delay ${b.delaySeconds}s)`,
  });
}

function readyDependencies(input: PlanInput): ConditionUpdate {
  return input.dependencies.length
    ? { type: 'DependenciesReady', status: 'True', reason: 'AllReady', message: `${input.dependencies.map((x) => x.name).join(', ')} healthy` }
    : { type: 'DependenciesReady', status: 'True', reason: 'NoDependencies', message: '' };
}

/**
 * A dependency is ready when it is Healthy — and, for a failing dependent, checked healthy after
 * the dependent started failing (so two services that crashed together never race).
 */
function isReady(dep: DependencyState, failingSince: number | null): boolean {
  const st = dep.status;
  if (!st || st.phase !== 'Healthy' || st.lastCheck?.health !== 'healthy') return false;
  return failingSince === null || Date.parse(st.lastCheck.at) > failingSince;
}

function healedSince(deps: readonly DependencyState[], since: number | undefined): boolean {
  if (since === undefined) return false;
  return deps.some((x) => x.status?.phase === 'Healthy' && Date.parse(x.status.phaseSince) >= since);
}

/** One message per dependency that is not ready, naming it and why. */
export function dependencyReadiness(deps: readonly DependencyState[], failingSince: number | null): string[] {
  const out: string[] = [];
  for (const dep of deps) {
    if (isReady(dep, failingSince)) continue;
    const st = dep.status;
    if (!st) out.push(`${dep.name} has not been checked yet`);
    else if (st.phase === 'Healthy') out.push(`${dep.name} has not been checked since this service started failing`);
    else if (st.phase === 'CrashLoopBackOff') out.push(`${dep.name} is in CrashLoopBackOff (next attempt at ${st.backoff.nextAttemptAt})`);
    else if (st.phase === 'Stopped') out.push(`${dep.name} is manually stopped`);
    else if (st.phase === 'Disabled') out.push(`${dep.name} is disabled`);
    else out.push(`${dep.name} is ${st.phase}${st.lastCheck ? `: ${st.lastCheck.message}` : ''}`);
  }
  return out;
}

function hasRestartAction(spec: ServiceSpec): boolean {
  return Boolean(spec.restart_cmd) || spec.restart_container === true;
}

function pollDelay(d: Draft): number {
  const rec = d.s.recovery;
  if (!rec?.deadline) return 25;
  const returnedAt = Date.parse(rec.deadline) - d.spec.startup_delay_seconds * 1000;
  return verifyPollDelay(d.input.now - returnedAt);
}

function intervalMs(spec: ServiceSpec): number {
  return spec.health_check.interval_seconds * 1000;
}

/** The interval ± 10%, so a thousand services with one interval drift apart, on the shared tick grid. */
function jittered(d: Draft): number {
  const interval = intervalMs(d.spec);
  return delayToTick(d.input.now, interval * (0.9 + 0.2 * d.input.random), tickFor(interval));
}

function intervalRequeue(d: Draft): Requeue {
  return { afterMs: jittered(d), kind: 'interval' };
}

function camel(reason: string): string {
  const r = reason.replace(/[^A-Za-z0-9]/g, '');
  return /^[A-Z]/.test(r) ? r : `Check${r}`;
}

/**
 * The previous status, copied only where the planner writes in place (counters, backoff,
 * incident); every other field is replaced, never mutated, so the copy shares it with the
 * previous status. A deep copy per check was the planner's largest cost, and sharing lets the
 * status store reuse the JSON of every field that did not change.
 */
function editable(p: RecordedStatus): ServiceStatus {
  // The one place a recorded (read-only) status becomes writable: the fields copied here may be
  // edited; every other field is shared with the recorded status and only ever replaced.
  const shared = p as ServiceStatus;
  return { ...shared, counters: { ...shared.counters }, backoff: { ...shared.backoff }, incident: { ...shared.incident } };
}

/** Gives back the previous objects of the fields copied by editable() that ended unchanged. */
function shareUnchanged(s: ServiceStatus, recorded: RecordedStatus | null): void {
  if (!recorded) return;
  const previous = recorded as ServiceStatus;
  if (sameRecord(s.counters, previous.counters)) s.counters = previous.counters;
  if (sameRecord(s.incident, previous.incident)) s.incident = previous.incident;
  const b = s.backoff;
  const pb = previous.backoff;
  if (b.failures !== pb.failures && sameList(b.failures, pb.failures)) b.failures = pb.failures;
  if (sameRecord(b, pb)) s.backoff = pb;
}

/** Same keys with the same (===) values. */
function sameRecord(a: object, b: object): boolean {
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  let n = 0;
  for (const k in x) {
    if (x[k] !== y[k]) return false;
    n++;
  }
  for (const _ in y) n--;
  return n === 0;
}

function sameList(a: readonly unknown[], b: readonly unknown[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

// A plan formats its own `now` several times and consecutive plans often share it (checks due
// on one tick); remembering the last two keeps it pure and saves most Date objects.
let isoMs = [NaN, NaN];
let isoText = ['', ''];

function iso(ms: number): string {
  if (ms === isoMs[0]) return isoText[0]!;
  if (ms === isoMs[1]) return isoText[1]!;
  const text = new Date(ms).toISOString();
  isoMs = [ms, isoMs[0]!];
  isoText = [text, isoText[0]!];
  return text;
}

function emptyInput(service: DesiredService, now: number): PlanInput {
  return { name: service.name, service, desired: 'Running', observation: null, previous: null, dependencies: [], dependents: [], now, restartRequest: null, random: 0.5 };
}
