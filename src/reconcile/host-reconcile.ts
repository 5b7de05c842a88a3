// The reconcile of one host, assembled: the generic loop (loop.ts) runs the service reconciler
// (service-reconciler.ts) over service names; trigger sources only add names to its queue
// (first checks, process probes, dependency wake-ups, manifest and marker changes, restart
// requests); the world (world.ts) is the read model every plan is built from. This file wires
// them and holds no decision of its own.
import type { DesiredMaintenance } from '../manifest/types.js';
import type { Silence } from '../status/state-dir/silences.js';
import type { RecordedStatus } from '../status/store.js';
import { setMaxListeners } from 'node:events';
import type { Clock } from '../core/clock.js';
import type { Log } from '../core/log.js';
import type { DesiredService, DesiredState } from '../manifest/types.js';
import { dependencyOrder, graphOf } from '../manifest/dependency-graph.js';
import type { Executor } from '../executor/types.js';
import type { Notifier } from '../notify/types.js';
import type { ServiceStatus } from '../status/schema.js';
import type { StatusStore } from '../status/store.js';
import type { NewEvent } from '../status/events.js';
import { notCheckedYet } from '../status/service-status.js';
import { Loop } from './loop.js';
import { World } from './world.js';
import { dependentsToWake } from './dependency-wakeups.js';
import { ServiceReconciler } from './service-reconciler.js';
import { scheduleFirstCheck } from './first-checks.js';
import { ProcessProbes } from './process-probes.js';
import { ListenerWatches } from './listener-watch.js';
import { Generations } from './generations.js';
import { logStatusChange } from './status-log.js';
import type { WorkQueue } from './work-queue.js';
import { Diagnostician } from '../diagnosis/diagnostician.js';
import type { RolloutLedger } from './rollout-ledger.js';
import { checkWriteWindowMs } from '../status/check-write-window.js';

export type { Log };

export interface HostReconcileOptions {
  clock: Clock;
  executor: Executor;
  notifier: Notifier;
  store: StatusStore;
  log: Log;
  /** Where command output goes for services without log_path (STATE_DIR/logs). */
  logsDir: string;
  concurrency?: number;
  /** Uniform in [0,1); injected so the simulation replays exactly. */
  random?: () => number;
  /** 'once': vaictl reconcile --once follows recoveries through and ignores interval timers. */
  mode?: 'daemon' | 'once';
  /** How often services with a pid_file (or a watched listener) have their pid probed (ms); 0 turns it off. */
  pidProbeIntervalMs?: number;
  /** First checks after start are spread over min(interval, max(this, 1 ms per service)). */
  startSpreadMs?: number;
  /** The --selector text vaid runs with, recorded in status so `vaictl plan` plans the same services. */
  selectorText?: string | null;
  /** Called after each reconcile with its duration (metrics). */
  onReconciled?: (durationMs: number, ok: boolean) => void;
  /** Where the specs a rollback restores are kept (STATE_DIR/rollout); in memory when not given. */
  rolloutLedger?: RolloutLedger;
  /** Services rolling out at once (--rollout-concurrency, default 1). */
  rolloutConcurrency?: number;
}

export interface ReconcileStats {
  queued: number;
  processing: number;
  delayed: number;
  reconciles: number;
  restarts: number;
  lastReconcileMs: number;
}

const NO_WINDOWS: ReadonlyMap<string, DesiredMaintenance> = new Map();

export class HostReconcile {
  readonly world: World;
  readonly listeners: ListenerWatches;
  /** What probes saw of each service's process, and the evidence gathered on failure paths. */
  readonly diagnosis: Diagnostician;
  private readonly loop: Loop;
  private readonly reconciler: ServiceReconciler;
  private readonly probes: ProcessProbes;
  private readonly generations: Generations;
  private readonly random: () => number;
  private readonly abort = new AbortController();
  private reconciles = 0;
  private lastReconcileMs = 0;
  /** Called after each reconcile with its duration (metrics); settable after construction. */
  onReconciled: ((durationMs: number, ok: boolean) => void) | undefined;

  constructor(private readonly opts: HostReconcileOptions) {
    const { clock, store, log } = opts;
    this.random = opts.random ?? Math.random;
    this.onReconciled = opts.onReconciled;
    this.world = new World({
      statuses: store,
      logsDir: opts.logsDir,
      random: this.random,
      ...(opts.rolloutLedger ? { ledger: opts.rolloutLedger } : {}),
      ...(opts.rolloutConcurrency !== undefined ? { rolloutConcurrency: opts.rolloutConcurrency } : {}),
    });
    const doc = store.document();
    this.generations = new Generations({ generation: doc.manifests.generation, services: store.all() });
    this.loop = new Loop({
      clock,
      log,
      concurrency: opts.concurrency ?? 256,
      mode: opts.mode ?? 'daemon',
      reconcile: (name) => this.reconciler.reconcile(name),
      onReconciled: (_key, ms, ok) => {
        this.reconciles++;
        this.lastReconcileMs = ms;
        this.onReconciled?.(ms, ok);
      },
    });
    this.diagnosis = new Diagnostician({ executor: opts.executor, log, wake: (n) => this.loop.mode === 'daemon' && this.loop.started && this.queue.add(n) });
    this.listeners = new ListenerWatches({
      clock,
      executor: opts.executor,
      log,
      onExit: (name) => this.queue.add(name),
      target: (name) => {
        const svc = this.world.service(name);
        return svc ? this.world.target(svc) : null;
      },
    });
    this.probes = new ProcessProbes({
      clock,
      log,
      executor: opts.executor,
      queue: this.loop.queue,
      world: this.world,
      listeners: this.listeners,
      everyMs: this.loop.mode === 'daemon' ? (opts.pidProbeIntervalMs ?? 100) : 0,
      diagnosis: this.diagnosis,
    });
    // One shutdown signal is shared by every check in flight (up to `concurrency` listeners).
    setMaxListeners(0, this.abort.signal);
    this.reconciler = new ServiceReconciler({
      clock,
      executor: opts.executor,
      notifier: opts.notifier,
      store,
      log,
      world: this.world,
      signal: this.abort.signal,
      diagnosis: this.diagnosis,
      watched: (name) => this.listeners.watched(name),
      hooks: {
        enqueue: (names) => {
          for (const n of names) if (this.world.service(n)) this.queue.add(n);
        },
        healthy: (svc, status) => {
          // Dependency wake-ups: dependents waiting on it look again now, if all theirs are ready.
          for (const d of dependentsToWake(this.world.dependentsOf(svc.name))) this.queue.add(d);
          if (this.probes.enabled) this.listeners.healthy(svc, status);
        },
        removed: (name) => {
          this.queue.forget(name);
          this.listeners.forget(name);
        },
      },
    });
    store.on('change', (c) => logStatusChange(log, c));
  }

  get queue(): WorkQueue {
    return this.loop.queue;
  }

  /** Applies a new desired state: changed, new and removed services are reconciled. */
  setDesired(loaded: DesiredState): void {
    const state = this.generations.apply(loaded);
    const before = this.world.all();
    const { store } = this.opts;
    this.world.setServices(state.services, this.generations.specHashes());
    this.world.setRevision(state.revision?.commit ?? `generation-${state.generation}`);
    this.world.setNotifiers(state.notifiers);
    this.opts.notifier.setTargets(state.notifiers);
    this.windowsKnown = true;
    if ((state.maintenance ?? NO_WINDOWS) !== this.windows || !this.mutesTold) this.setMutes(state.maintenance ?? NO_WINDOWS, this.silences);
    this.probes.servicesChanged(state.services.values());
    if (this.loop.mode === 'daemon') store.setCheckWriteInterval(checkWriteWindowMs(state.services.values()));
    if (this.loop.mode === 'daemon') this.diagnosis.setServices(state.services.values());
    store.setManifests({
      dir: store.document().manifests.dir,
      generation: state.generation,
      revision: state.revision,
      attemptedRevision: state.attemptedRevision,
      appliedAt: new Date(state.loadedAt).toISOString(),
      errors: state.errors.map((e) => ({ code: e.code, file: e.file, line: e.line, column: e.column, path: e.path, message: e.message, ...(e.services ? { services: [...e.services] } : {}) })),
      selector: this.opts.selectorText ?? null,
    });
    if (!this.loop.started) return;
    for (const [name, svc] of state.services) {
      const old = before.get(name);
      if (!old) this.first(svc);
      else if (old.generation !== svc.generation) this.queue.add(name);
    }
    for (const name of before.keys()) {
      if (state.services.has(name)) continue;
      this.queue.add(name);
      this.listeners.forget(name);
    }
    for (const name of store.names()) if (!state.services.has(name)) this.queue.add(name);
  }

  private windows: ReadonlyMap<string, DesiredMaintenance> = NO_WINDOWS;
  private silences: readonly Silence[] = [];
  /**
   * The notifier hears of mutes only once both the windows (manifests) and the silences (state
   * dir) were read: told of one without the other, it would release an alert the other still holds.
   */
  private windowsKnown = false;
  private silencesKnown = false;
  private mutesTold = false;

  /** The silences in STATE_DIR/silences now (vaictl silence); every service is looked at again. */
  setSilences(silences: readonly Silence[]): void {
    this.silencesKnown = true;
    this.setMutes(this.windows, silences);
  }

  /** Windows and silences reach the world (planner input) and the notifier (muting) together. */
  private setMutes(windows: ReadonlyMap<string, DesiredMaintenance>, silences: readonly Silence[]): void {
    this.windows = windows;
    this.silences = silences;
    const src = { windows, silences };
    this.world.setMutes(src);
    if (this.windowsKnown && this.silencesKnown) {
      this.opts.notifier.setMutes?.(src);
      this.mutesTold = true;
    }
    // Which services a change covers is cheap to over-count: each looks again and records its windows.
    if (this.loop.started) for (const n of this.world.all().keys()) this.queue.add(n);
  }

  /** The names that have a `<name>.stopped` marker now; changes are reconciled at once. */
  setMarkers(names: ReadonlySet<string>): void {
    const before = new Set<string>();
    for (const n of this.world.all().keys()) if (this.world.hasMarker(n)) before.add(n);
    this.world.setMarkers(new Set(names));
    if (!this.loop.started) return;
    for (const n of names) if (!before.has(n) && this.world.service(n)) this.queue.add(n);
    for (const n of before) if (!names.has(n) && this.world.service(n)) this.queue.add(n);
  }

  /** A `vaictl restart NAME` request: recover now, bypassing backoff (not the queue). */
  requestRestart(name: string, at: number): boolean {
    if (!this.world.service(name)) return false;
    this.world.requestRestart(name, at);
    this.queue.add(name);
    return true;
  }

  /** `vaictl rollout undo`: run the spec of that revision until a commit changes the service. */
  requestUndo(name: string, ref: { revision: string; hash: string }): boolean {
    if (!this.world.requestUndo(name, ref)) return false;
    this.queue.add(name);
    return true;
  }

  /** Records an action asked from outside (who, from where) as an event of the service's next plan, now. */
  note(name: string, event: NewEvent): boolean {
    if (!this.world.service(name)) return false;
    this.world.note(name, event);
    this.queue.add(name);
    return true;
  }

  /** Starts the workers and the triggers (daemon mode). */
  start(): void {
    this.loop.start();
    for (const svc of this.world.all().values()) this.first(svc);
    for (const name of this.opts.store.names()) if (!this.world.service(name)) this.queue.add(name);
    this.probes.start();
  }

  /**
   * One full pass (vaictl reconcile --once): every service, dependencies first, recoveries
   * verified to the end. Resolves when nothing is left to do now.
   */
  async runOnce(): Promise<void> {
    for (const name of dependencyOrder(graphOf(this.world.all().values()))) this.queue.add(name);
    for (const name of this.opts.store.names()) if (!this.world.service(name)) this.queue.add(name);
    await this.loop.untilIdle();
  }

  /** Stops taking work; waits up to timeoutMs for running reconciles (their commands) to end. */
  async stop(timeoutMs: number): Promise<boolean> {
    this.probes.stop();
    this.listeners.close();
    this.diagnosis.close();
    const finished = await this.loop.stop(timeoutMs);
    // Abandoned commands keep running; their write-ahead status makes the next vaid verify them.
    this.abort.abort();
    return finished;
  }

  /** Unhealthy desired-running services (for --once's exit code). */
  unhealthy(): RecordedStatus[] {
    const out: RecordedStatus[] = [];
    for (const name of this.world.all().keys()) {
      const s = this.opts.store.get(name);
      if (s && s.desired === 'Running' && s.phase !== 'Healthy') out.push(s);
    }
    return out;
  }

  snapshotStats(): ReconcileStats {
    const q = this.queue;
    return { queued: q.length, processing: q.processingCount, delayed: q.delayedCount, reconciles: this.reconciles, restarts: this.reconciler.restarts, lastReconcileMs: this.lastReconcileMs };
  }

  /**
   * The first look at a service, and its status from this moment on: a service applied is in
   * status at once (Unknown, NotCheckedYet, its next check time), not only after its first check.
   */
  private first(svc: DesiredService): void {
    const { store, clock } = this.opts;
    const st = store.get(svc.name);
    const now = this.loop.mode === 'once' || st?.recovery != null || this.world.hasRestartRequest(svc.name);
    const due = scheduleFirstCheck({ clock, queue: this.queue, random: this.random, ...(this.opts.startSpreadMs !== undefined ? { startSpreadMs: this.opts.startSpreadMs } : {}) }, svc, now, this.world.all().size);
    if (!st) store.set(notCheckedYet(svc, this.world.desiredRun(svc), clock.now(), due));
  }
}
