// The read model of the reconcile: what is desired (services, their dependents, markers,
// restart requests) beside what status says now. planInput(name, now, ...) is the one builder
// of the planner's input: vaid's service reconciler and `vaictl plan` both call it, so the dry
// run decides exactly what vaid would for the same state (a dependency outside --selector
// included). It holds no timers and runs no I/O.
import type { RecordedStatus } from '../status/store.js';
import path from 'node:path';
import type { DesiredNotifier, DesiredService } from '../manifest/types.js';
import { flapPolicyOf, type FlapPolicy } from '../notify/flapping.js';
import { directDependents, graphOf } from '../manifest/dependency-graph.js';
import type { CheckResult, ServiceTarget } from '../executor/types.js';
import type { ServiceStatus } from '../status/schema.js';
import { activeMutes, nextMuteChange, NO_MUTES, type MuteSources } from '../notify/mute.js';
import type { Dependent } from './dependency-wakeups.js';
import type { NewEvent } from '../status/events.js';
import { dependencyReadiness, type DependencyState, type DesiredRun, type PlanInput, type RestartOutcome } from './planner.js';
import { effectiveHash, rolloutBusy, rolloutEnabled, rolloutPending, runFields, runHash, type RolloutInput } from './rollout.js';
import { MemoryLedger, type RolloutLedger } from './rollout-ledger.js';

/** Where the world reads current statuses (the status store in vaid, status.json in vaictl). */
export interface StatusSource {
  get(name: string): RecordedStatus | undefined;
}

/** How often a failed check is looked at again because a dependency healed while it ran. */
export const MAX_RECHECKS = 3;

export interface WorldOptions {
  statuses: StatusSource;
  /** Where command output goes for services without log_path (STATE_DIR/logs). */
  logsDir: string;
  /** Uniform in [0,1); injected so the simulation replays exactly. */
  random?: () => number;
  /** The run fields of each rollout hash (rollout-ledger.ts); in memory when not given. */
  ledger?: RolloutLedger;
  /** Services rolling out at once (--rollout-concurrency, default 1). */
  rolloutConcurrency?: number;
}

export class World {
  private services: ReadonlyMap<string, DesiredService> = new Map();
  private dependents = new Map<string, string[]>();
  private markers: ReadonlySet<string> = new Set();
  private mutes: MuteSources = NO_MUTES;
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
  readonly ledger: RolloutLedger;
  /** The revision of the desired state (rollout history): the git commit, else `generation-N`. */
  private revision = 'generation-0';
  private readonly runHashes = new WeakMap<DesiredService, string>();
  private readonly effectives = new WeakMap<DesiredService, { hash: string; svc: DesiredService }>();
  private readonly undoRequests = new Map<string, { revision: string; hash: string }>();

  constructor(private readonly opts: WorldOptions) {
    this.random = opts.random ?? Math.random;
    this.ledger = opts.ledger ?? new MemoryLedger();
  }

  /** Records the revision of a new desired state and, for services that roll out, what each spec runs with. */
  setRevision(revision: string): void {
    this.revision = revision;
    for (const svc of this.services.values()) {
      if (rolloutEnabled(svc.spec)) this.ledger.record(svc.name, { hash: this.runHash(svc), revision, fields: runFields(svc.spec) });
    }
  }

  private runHash(svc: DesiredService): string {
    let h = this.runHashes.get(svc);
    if (h === undefined) {
      h = runHash(svc.spec);
      this.runHashes.set(svc, h);
    }
    return h;
  }

  /**
   * The service as it should run now: its desired spec, with the run fields of the spec its
   * rollout holds (a rollback, a pin, a change waiting to roll out) when that is another one.
   */
  effective(svc: DesiredService): DesiredService {
    if (!rolloutEnabled(svc.spec)) return svc;
    const hash = effectiveHash(this.opts.statuses.get(svc.name)?.rollout);
    if (hash === null || hash === this.runHash(svc)) return svc;
    const cached = this.effectives.get(svc);
    if (cached?.hash === hash) return cached.svc;
    const fields = this.ledger.fields(svc.name, hash);
    if (!fields) return svc;
    const spec = { ...svc.spec } as Record<string, unknown>;
    for (const [k, v] of Object.entries(fields)) {
      if (v === null) delete spec[k];
      else spec[k] = v;
    }
    const out = Object.freeze({ ...svc, spec: Object.freeze(spec) as unknown as DesiredService['spec'] });
    this.effectives.set(svc, { hash, svc: out });
    return out;
  }

  /** What the rollout decisions need for name now, or null when it does not roll out. */
  rolloutInput(name: string): RolloutInput | null {
    const svc = this.services.get(name);
    if (!svc || !rolloutEnabled(svc.spec)) return null;
    const blockedBy: string[] = [];
    for (const d of svc.spec.dependencies) {
      const dep = this.services.get(d);
      if (!dep || !rolloutEnabled(dep.spec)) continue;
      const st = this.opts.statuses.get(d);
      if (st?.desired === 'Running' && rolloutPending(st.rollout, this.baseInput(dep))) blockedBy.push(d);
    }
    let inProgress = 0;
    for (const n of this.services.keys()) if (n !== name && rolloutBusy(this.opts.statuses.get(n)?.rollout)) inProgress++;
    const running = this.opts.statuses.get(name)?.rollout?.running.hash;
    return {
      ...this.baseInput(svc),
      blockedBy,
      inProgress,
      concurrency: this.opts.rolloutConcurrency ?? 1,
      restorable: running === undefined || running === this.runHash(svc) || this.ledger.fields(name, running) !== undefined,
      undo: this.undoRequests.get(name) ?? null,
    };
  }

  private baseInput(svc: DesiredService): RolloutInput {
    return { revision: this.revision, desiredHash: this.runHash(svc), blockedBy: [], inProgress: 0, concurrency: 1, restorable: true, undo: null };
  }

  /** `vaictl rollout undo`: run the spec of that revision (hash) until a commit changes the service. */
  requestUndo(name: string, ref: { revision: string; hash: string }): boolean {
    const svc = this.services.get(name);
    if (!svc || !rolloutEnabled(svc.spec)) return false;
    if (ref.hash !== this.runHash(svc) && !this.ledger.fields(name, ref.hash)) return false;
    this.undoRequests.set(name, { revision: ref.revision, hash: ref.hash });
    return true;
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

  /** Maintenance windows (manifests) and silences (state dir) in force. */
  setMutes(src: MuteSources): void {
    this.mutes = src;
  }

  service(name: string): DesiredService | undefined {
    return this.services.get(name);
  }

  all(): ReadonlyMap<string, DesiredService> {
    return this.services;
  }

  status(name: string): RecordedStatus | undefined {
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
    this.undoRequests.delete(name);
    this.notes.delete(name);
  }

  /**
   * The planner's input for name at `now`. `observation` is the check just run (vaid) or the
   * last one in status (plan); `observedFrom` is when it began.
   */
  planInput(name: string, now: number, observation: CheckResult | null, observedFrom?: number): PlanInput {
    const desired = this.services.get(name);
    const svc = desired ? this.effective(desired) : null;
    const hash = this.specHashes.get(name);
    const rollout = this.rolloutInput(name);
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
      ...(rollout ? { rollout } : {}),
      ...(svc ? { mutes: activeMutes(this.mutes, name, svc.labels, now), mutesChangeAt: nextMuteChange(this.mutes, name, svc.labels, now) } : {}),
      ...(flapping ? { notifierFlapping: flapping } : {}),
      ...(this.notes.has(name) ? { notes: [...this.notes.get(name)!] } : {}),
    };
  }

  /** After a plan was carried out: what it consumed (request, outcome) is gone; rechecks are counted. */
  planned(input: PlanInput, recheck: boolean): void {
    const name = input.name;
    this.restartRequests.delete(name);
    this.restartOutcomes.delete(name);
    if (!recheck && input.rollout?.undo) this.undoRequests.delete(name);
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
