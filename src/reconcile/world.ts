// The read model of the reconcile: what is desired (services, their dependents, markers,
// restart requests) beside what status says now. planInput(name, now, ...) is the one builder
// of the planner's input: vaid's service reconciler and `vaictl plan` both call it, so the dry
// run decides exactly what vaid would for the same state (a dependency outside --selector
// included). It holds no timers and runs no I/O.
import path from 'node:path';
import type { DesiredNotifier, DesiredService } from '../manifest/types.js';
import { flapPolicyOf, type FlapPolicy } from '../notify/flapping.js';
import { directDependents, graphOf } from '../manifest/dependency-graph.js';
import type { CheckResult, ServiceTarget } from '../executor/types.js';
import type { ServiceStatus } from '../status/schema.js';
import type { Dependent } from './dependency-wakeups.js';
import type { NewEvent } from '../status/events.js';
import type { DependencyState, DesiredRun, PlanInput, RestartOutcome } from './planner.js';

/** Where the world reads current statuses (the status store in vaid, status.json in vaictl). */
export interface StatusSource {
  get(name: string): ServiceStatus | undefined;
}

/** How often a failed check is looked at again because a dependency healed while it ran. */
export const MAX_RECHECKS = 3;

export interface WorldOptions {
  statuses: StatusSource;
  /** Where command output goes for services without log_path (STATE_DIR/logs). */
  logsDir: string;
  /** Uniform in [0,1); injected so the simulation replays exactly. */
  random?: () => number;
}

export class World {
  private services: ReadonlyMap<string, DesiredService> = new Map();
  private dependents = new Map<string, string[]>();
  private markers: ReadonlySet<string> = new Set();
  private notifiers: ReadonlyMap<string, DesiredNotifier> = new Map();
  private readonly restartRequests = new Map<string, number>();
  private readonly restartOutcomes = new Map<string, RestartOutcome>();
  private readonly rechecks = new Map<string, number>();
  private readonly notes = new Map<string, NewEvent[]>();
  private readonly targets = new WeakMap<DesiredService, ServiceTarget>();
  private readonly specHashes = new Map<string, string>();
  /** The jitter drawn for a plan that recorded nothing (a re-check): the next plan of that name uses it. */
  private readonly unusedRandom = new Map<string, number>();
  private readonly random: () => number;

  constructor(private readonly opts: WorldOptions) {
    this.random = opts.random ?? Math.random;
  }

  /** The selected services (the manifest loader applied --selector already). */
  setServices(services: ReadonlyMap<string, DesiredService>, specHashes?: ReadonlyMap<string, string>): void {
    this.services = services;
    this.dependents = directDependents(graphOf(services.values()));
    if (specHashes) for (const [n, h] of specHashes) this.specHashes.set(n, h);
  }

  /** The Notifiers of the manifests: a service's Notifier may set its flapping rule. */
  setNotifiers(notifiers: ReadonlyMap<string, DesiredNotifier>): void {
    this.notifiers = notifiers;
  }

  private notifierFlapping(svc: DesiredService | null): FlapPolicy | undefined {
    const n = svc?.spec.notify_on_fail ? this.notifiers.get(svc.spec.notify_on_fail) : undefined;
    return n?.spec.flapping ? flapPolicyOf(undefined, n.spec.flapping) : undefined;
  }

  setMarkers(names: ReadonlySet<string>): void {
    this.markers = names;
  }

  service(name: string): DesiredService | undefined {
    return this.services.get(name);
  }

  all(): ReadonlyMap<string, DesiredService> {
    return this.services;
  }

  status(name: string): ServiceStatus | undefined {
    return this.opts.statuses.get(name);
  }

  hasMarker(name: string): boolean {
    return this.markers.has(name);
  }

  desiredRun(svc: DesiredService): DesiredRun {
    if (!svc.spec.enabled) return 'Disabled';
    return this.markers.has(svc.name) ? 'Stopped' : 'Running';
  }

  /** One target per spec object (a new generation is a new object), not two path joins per check. */
  target(svc: DesiredService): ServiceTarget {
    let t = this.targets.get(svc);
    if (!t) {
      t = { name: svc.name, spec: svc.spec, defaultLogPath: path.join(this.opts.logsDir, `${svc.name}.log`), workingDir: path.dirname(svc.source.file) };
      this.targets.set(svc, t);
    }
    return t;
  }

  requestRestart(name: string, at: number): void {
    this.restartRequests.set(name, at);
  }

  /** An action asked from outside (web/actions): the next plan that records a status records it as an event. */
  note(name: string, event: NewEvent): void {
    const list = this.notes.get(name);
    if (list) list.push(event);
    else this.notes.set(name, [event]);
  }

  hasRestartRequest(name: string): boolean {
    return this.restartRequests.has(name);
  }

  /** The restart commands returned: the next plan of name takes their outcome in. */
  restartFinished(name: string, outcome: RestartOutcome): void {
    this.restartOutcomes.set(name, outcome);
  }

  hasRestartOutcome(name: string): boolean {
    return this.restartOutcomes.has(name);
  }

  /** Drops what was kept for a service that left the desired state. */
  forget(name: string): void {
    this.restartRequests.delete(name);
    this.restartOutcomes.delete(name);
    this.rechecks.delete(name);
    this.specHashes.delete(name);
    this.notes.delete(name);
  }

  /**
   * The planner's input for name at `now`. `observation` is the check just run (vaid) or the
   * last one in status (plan); `observedFrom` is when it began.
   */
  planInput(name: string, now: number, observation: CheckResult | null, observedFrom?: number): PlanInput {
    const svc = this.services.get(name) ?? null;
    const hash = this.specHashes.get(name);
    const flapping = this.notifierFlapping(svc);
    return {
      name,
      service: svc,
      desired: svc ? this.desiredRun(svc) : 'Running',
      observation,
      previous: this.opts.statuses.get(name) ?? null,
      dependencies: svc ? this.dependencyStates(svc) : [],
      dependents: this.dependents.get(name) ?? [],
      now,
      restartRequest: this.restartRequests.get(name) ?? null,
      random: this.jitter(name),
      ...(observedFrom !== undefined ? { observedFrom } : {}),
      rechecksLeft: MAX_RECHECKS - (this.rechecks.get(name) ?? 0),
      restartOutcome: this.restartOutcomes.get(name) ?? null,
      ...(hash !== undefined ? { specHash: hash } : {}),
      ...(flapping ? { notifierFlapping: flapping } : {}),
      ...(this.notes.has(name) ? { notes: [...this.notes.get(name)!] } : {}),
    };
  }

  /** After a plan was carried out: what it consumed (request, outcome) is gone; rechecks are counted. */
  planned(input: PlanInput, recheck: boolean): void {
    const name = input.name;
    this.restartRequests.delete(name);
    this.restartOutcomes.delete(name);
    // A re-check records nothing, so its notes wait; a note added while this plan ran is kept.
    if (!recheck && input.notes) {
      const left = (this.notes.get(name) ?? []).filter((n) => !input.notes!.includes(n));
      if (left.length > 0) this.notes.set(name, left);
      else this.notes.delete(name);
    }
    if (recheck) {
      this.rechecks.set(name, (this.rechecks.get(name) ?? 0) + 1);
      this.unusedRandom.set(name, input.random);
    } else this.rechecks.delete(name);
  }

  /**
   * One draw of the injected random per plan that uses it, as when a re-check and the outcome
   * of the restart commands were not plans of their own: the simulation's seeds replay the
   * same runs.
   */
  private jitter(name: string): number {
    if (this.restartOutcomes.has(name)) return 0.5;
    const kept = this.unusedRandom.get(name);
    if (kept === undefined) return this.random();
    this.unusedRandom.delete(name);
    return kept;
  }

  dependencyStates(svc: DesiredService): DependencyState[] {
    return svc.spec.dependencies.map((d) => ({ name: d, status: this.services.has(d) ? (this.opts.statuses.get(d) ?? null) : outsideSelector(d) }));
  }

  /** The desired dependents of name with their statuses and dependency states (dependency-wakeups.ts decides). */
  dependentsOf(name: string): Dependent[] {
    const out: Dependent[] = [];
    for (const d of this.dependents.get(name) ?? []) {
      const svc = this.services.get(d);
      if (svc) out.push({ name: d, status: this.opts.statuses.get(d) ?? null, dependencies: this.dependencyStates(svc) });
    }
    return out;
  }
}

/**
 * A dependency outside this vaid's selector (--selector) is another host's business: it counts
 * as ready, checked just now, so it never blocks a local recovery.
 */
function outsideSelector(name: string): ServiceStatus {
  const lastCheck = { at: new Date(8.64e15).toISOString(), health: 'healthy' as const, reason: 'NotSelected', latencyMs: 0, message: `${name} is outside this vaid's --selector` };
  return { name, phase: 'Healthy', lastCheck } as ServiceStatus;
}
