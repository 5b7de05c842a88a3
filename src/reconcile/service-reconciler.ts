// The reconcile of one service: observe (executor.check) -> plan (pure) -> act (notify,
// write-ahead, stop_cmd/restart_cmd) -> record (status store). It owns no timer and decides
// nothing itself: the planner decides, and its requeue comes back as the loop's Result.
// A restart is two plans in one reconcile: the first writes "Restarting" ahead and the commands
// run; the second takes their outcome as input (Restarting -> Verifying), so the planner is the
// only place that moves the state machine.
import type { RecordedStatus } from '../status/store.js';
import type { Clock } from '../core/clock.js';
import type { Log } from '../core/log.js';
import type { DesiredService } from '../manifest/types.js';
import type { CommandResult, Executor } from '../executor/types.js';
import type { Notifier } from '../notify/types.js';
import type { ServiceStatus } from '../status/schema.js';
import type { StatusStore } from '../status/store.js';
import type { Result } from './loop.js';
import { plan, type Action, type PlanResult, type Requeue } from './planner.js';
import { clampRequeue } from './schedule-clamp.js';
import type { World } from './world.js';
import type { Diagnostician } from '../diagnosis/diagnostician.js';
import type { WatchedProcess } from '../executor/types.js';
import { redactCommand } from '../core/redact.js';

export interface ReconcilerHooks {
  /** A plan asked for other services to be looked at now (its dependencies). */
  enqueue(names: readonly string[]): void;
  /** A service was recorded Healthy (dependency wake-ups, listener watches). */
  healthy(svc: DesiredService, status: ServiceStatus): void;
  /** A service left the desired state and its status was dropped. */
  removed(name: string): void;
}

export interface ServiceReconcilerOptions {
  clock: Clock;
  executor: Executor;
  notifier: Notifier;
  store: StatusStore;
  log: Log;
  world: World;
  signal: AbortSignal;
  hooks: ReconcilerHooks;
  /** Evidence for failures (src/diagnosis): what probes saw, gathered only on failure paths. */
  diagnosis?: Diagnostician | undefined;
  /** The process watched for a service (its listener), for the diagnosis. */
  watched?: (name: string) => WatchedProcess | null;
}

export class ServiceReconciler {
  restarts = 0;

  constructor(private readonly opts: ServiceReconcilerOptions) {}

  async reconcile(name: string): Promise<Result | null> {
    const { store, executor, log, world, clock, signal } = this.opts;
    const desired = world.service(name) ?? null;
    if (!desired) return this.remove(name);
    // The spec it runs now: a rollback or a pin may hold back the desired one's commands.
    const svc = world.effective(desired);
    // The restart commands just returned: plan with their outcome, no new check.
    const outcome = world.hasRestartOutcome(name);
    const observedFrom = clock.now();
    const observation = outcome ? null : await executor.check(world.target(svc), signal);
    if (signal.aborted) return null;
    const now = clock.now();
    const input = world.planInput(name, now, observation, observedFrom);
    const previous = input.previous;
    const diagnosis = observation && this.opts.diagnosis ? await this.opts.diagnosis.observe(world.target(svc), observation, store.get(name) ?? previous, this.opts.watched?.(name) ?? null, now) : undefined;
    // Rollout gates (other services' rollouts) read after the awaits above, as the plan runs.
    const rollout = input.rollout ? { rollout: world.rolloutInput(name) } : {};
    const result = plan({ ...input, ...rollout, ...(diagnosis ? { diagnosis } : {}) });
    world.planned(input, result.requeue?.kind === 'recheck');
    if (input.restartRequest !== null && !outcome) log.info({ service: name, generation: svc.generation }, `${name}: restart requested`);
    return this.act(svc, previous, result, now);
  }

  private async remove(name: string): Promise<null> {
    const { store, log, world } = this.opts;
    const previous = store.get(name);
    if (previous) {
      store.delete(name);
      log.info({ service: name }, `${name}: removed from the manifests; its status is dropped`);
      if (previous.incident.open) await this.closeIncident(name);
    }
    world.forget(name);
    this.opts.hooks.removed(name);
    return null;
  }

  /** `plannedAt` is the `now` the plan was made for: its requeue counts from then (the status's nextCheckAt). */
  private async act(svc: DesiredService, previous: RecordedStatus | null, result: PlanResult, plannedAt: number): Promise<Result | null> {
    const { store, log, notifier } = this.opts;
    const name = svc.name;
    let notified = false;
    for (const a of result.actions) {
      if (a.type !== 'notify') continue;
      notified = true;
      try {
        // Submit first, record after: the notifier ignores an id it already has, so a crash in
        // between re-sends nothing twice.
        await notifier.submit(a.alert);
        log.warn({ service: name, generation: svc.generation, alert: a.alert.kind, id: a.alert.id }, `${name}: alert ${a.alert.kind}: ${a.alert.message}`);
      } catch (e) {
        log.error({ service: name, alert: a.alert.id, err: String(e) }, `${name}: the notifier refused alert ${a.alert.id}`);
      }
    }
    if (notified) store.setAlerts(notifier.snapshot());
    if (!result.status) return toResult(svc, result.requeue, plannedAt);
    if (previous?.incident.open && !result.status.incident.open && !notified) await this.closeIncident(name);
    store.set(result.status);
    for (const a of result.actions) {
      if (a.type !== 'enqueue') continue;
      log.debug({ service: name, generation: svc.generation, enqueue: a.names }, `${name}: ${a.reason}: ${a.names.join(', ')}`);
      this.opts.hooks.enqueue(a.names);
    }
    const restart = result.actions.find((a): a is Extract<Action, { type: 'restart' }> => a.type === 'restart');
    // The plan may have switched the spec to run (a rollout or a rollback starts): run that one.
    if (restart) return this.restart(this.opts.world.effective(this.opts.world.service(name) ?? svc), restart);
    if (result.status.phase === 'Healthy') this.opts.hooks.healthy(svc, result.status);
    return toResult(svc, result.requeue, plannedAt);
  }

  private async restart(svc: DesiredService, a: Extract<Action, { type: 'restart' }>): Promise<Result | null> {
    const { store, executor, log, world } = this.opts;
    const name = svc.name;
    const meta = { service: name, generation: svc.generation, attempt: a.attempt };
    // Write-ahead: "Restarting attempt N" is on disk before any command runs, so a vaid killed
    // during the command verifies on restart instead of restarting a second time.
    await store.flushDurable();
    this.restarts++;
    const target = world.target(svc);
    let stop: CommandResult | null = null;
    log.warn({ ...meta, reason: a.reason }, `${name}: restarting (attempt ${a.attempt}): ${a.reason}`);
    if (a.stopFirst) {
      log.info({ ...meta, command: redactCommand(svc.spec.stop_cmd ?? '') }, `${name}: running stop_cmd`);
      stop = await executor.run(target, 'stop');
      log.info({ ...meta, ok: stop.ok, result: stop.message }, `${name}: stop_cmd ${stop.message}`);
    }
    log.info({ ...meta, command: svc.spec.restart_container ? '(restart container)' : redactCommand(svc.spec.restart_cmd ?? '') }, `${name}: running restart_cmd`);
    const restart = await executor.run(target, 'restart');
    log.info({ ...meta, ok: restart.ok, result: restart.message }, `${name}: restart_cmd ${restart.message}`);
    // Planned at once, in this reconcile: a vaid stopping now (the queue takes no more names)
    // still records that the commands returned, and the next vaid verifies.
    world.restartFinished(name, { stop, restart });
    return this.reconcile(name);
  }

  private async closeIncident(name: string): Promise<void> {
    try {
      await this.opts.notifier.closeIncident?.(name);
    } catch (e) {
      this.opts.log.warn({ service: name, err: String(e) }, `${name}: notifier could not close the incident`);
    }
  }
}

/** Once-mode follows the parts of a recovery (verify polls, a re-check, the commands' outcome), not the next interval. */
function toResult(svc: DesiredService, r: Requeue | null, plannedAt: number): Result | null {
  if (!r) return null;
  return { requeueAt: plannedAt + clampRequeue(r.afterMs, svc.spec), untilIdle: r.kind === 'verify' || r.kind === 'recheck' };
}
