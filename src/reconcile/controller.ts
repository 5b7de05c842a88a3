// The controller: turns triggers into reconciles of one service name at a time and carries out
// what the planner decides. reconcile(name) = observe (executor.check) -> plan (pure) -> act
// (notify, write-ahead, stop_cmd/restart_cmd, enqueue) -> record (status store).
//
// Contract of a reconcile (controller-runtime's, adapted): it re-reads the whole truth every
// time, so a missed or duplicated trigger costs nothing; a thrown error is logged and the name
// requeued after a second; requeue.afterMs schedules the next look; a name never runs twice at
// once (the work queue guarantees it).
import { setMaxListeners } from 'node:events';
import path from 'node:path';
import type { DesiredService, DesiredState } from '../manifest/types.js';
import type { Executor, PidProbe, ServiceTarget, CommandResult } from '../executor/types.js';
import type { Notifier } from '../notify/types.js';
import type { ServiceStatus } from '../status/schema.js';
import type { StatusStore } from '../status/store.js';
import type { Clock, TimerHandle } from '../core/clock.js';
import type { Log } from '../core/log.js';
import { WorkQueue } from './work-queue.js';
import { startWorkerPool, type WorkerPool } from './worker-pool.js';
import { completeRestart, dependencyReadiness, plan, type Action, type DependencyState, type DesiredRun, type PlanResult, type Requeue } from './planner.js';
import { topologicalOrder } from './topological-order.js';
import { ListenerWatches } from './listener-watch.js';
import { CHECK_TICK_MS, delayToTick, tickFor } from './check-ticks.js';

export type { Log };

export interface ControllerOptions {
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
  /** Only services it accepts are reconciled (vaid --selector). */
  selector?: (service: DesiredService) => boolean;
  /** 'once': vaictl reconcile --once follows recoveries through and ignores interval timers. */
  mode?: 'daemon' | 'once';
  /** How often services with a pid_file (or a watched listener) have their pid probed (ms); 0 turns it off. */
  pidProbeIntervalMs?: number;
  /**
   * First checks after start are spread over min(interval, max(this, START_SPREAD_PER_SERVICE_MS
   * per service)) so a big host does not fire at once.
   */
  startSpreadMs?: number;
  /** Called after each reconcile with its duration (metrics). */
  onReconciled?: (durationMs: number, ok: boolean) => void;
}

export interface ControllerStats {
  queued: number;
  processing: number;
  delayed: number;
  reconciles: number;
  restarts: number;
  lastReconcileMs: number;
}

const ERROR_REQUEUE_MS = 1000;
/**
 * A big host spreads its first checks wider: 10,000 services squeezed into 5 s of a 10 s interval
 * kept that shape for minutes (the ±10 % jitter spreads slowly), so vaid's CPU swung between 10
 * and 55 % of a core from one 3 s slice to the next. One more ms per service keeps the start
 * rate near 1,000 checks/s, about what one core can run anyway.
 */
const START_SPREAD_PER_SERVICE_MS = 1;

export class Controller {
  readonly queue: WorkQueue;
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly mode: 'daemon' | 'once';
  private desired: DesiredState | null = null;
  private services = new Map<string, DesiredService>();
  /** The services with a pid_file: the probe runs 10 times a second and need not walk the others. */
  private pidFileServices: DesiredService[] = [];
  private dependents = new Map<string, string[]>();
  private markers: ReadonlySet<string> = new Set();
  private readonly restartRequests = new Map<string, number>();
  private pool: WorkerPool | null = null;
  private readonly abort = new AbortController();
  private probeTimer: TimerHandle | null = null;
  private probing = false;
  private readonly lastProbe = new Map<string, PidProbe>();
  private readonly targets = new WeakMap<DesiredService, ServiceTarget>();
  /** Listeners watched for services without a pid_file (daemon mode only). */
  readonly listeners: ListenerWatches;
  private started = false;
  private onceWaiters: Array<() => void> = [];
  /** Called after each reconcile with its duration (metrics); settable after construction. */
  onReconciled: ((durationMs: number, ok: boolean) => void) | undefined;
  readonly stats: ControllerStats = { queued: 0, processing: 0, delayed: 0, reconciles: 0, restarts: 0, lastReconcileMs: 0 };

  constructor(private readonly opts: ControllerOptions) {
    this.clock = opts.clock;
    this.random = opts.random ?? Math.random;
    this.mode = opts.mode ?? 'daemon';
    this.onReconciled = opts.onReconciled;
    this.queue = new WorkQueue(opts.clock);
    this.listeners = new ListenerWatches({
      clock: opts.clock,
      executor: opts.executor,
      log: opts.log,
      target: (name) => {
        const svc = this.services.get(name);
        return svc ? this.target(svc) : null;
      },
    });
    // One shutdown signal is shared by every check in flight (up to `concurrency` listeners).
    setMaxListeners(0, this.abort.signal);
    opts.store.on('change', (c) => {
      if (!c.status) return;
      const touched = (p: string) => c.ops.some((o) => o.path === p || o.path.startsWith(`${p}/`) || o.path === '');
      if (touched('/phase') || touched('/lastCheck/health')) {
        const s = c.status;
        opts.log.info(
          { service: s.name, generation: s.generation, phase: s.phase, was: c.previous?.phase ?? null, check: s.lastCheck ? `${s.lastCheck.health}: ${s.lastCheck.message}` : null },
          `${s.name}: ${c.previous?.phase ?? 'new'} -> ${s.phase}`,
        );
      }
      logNewEvents(opts.log, c.previous, c.status);
    });
  }

  /** Applies a new desired state: changed, new and removed services are reconciled. */
  setDesired(state: DesiredState): void {
    const before = this.services;
    const selected = new Map<string, DesiredService>();
    for (const [name, svc] of state.services) if (!this.opts.selector || this.opts.selector(svc)) selected.set(name, svc);
    this.desired = state;
    this.services = selected;
    this.pidFileServices = [...selected.values()].filter((s) => s.spec.pid_file);
    this.dependents = dependentsOf(selected);
    this.opts.notifier.setTargets(state.notifiers);
    this.armProbeIfNeeded();
    this.opts.store.setManifests({
      dir: this.opts.store.document().manifests.dir,
      generation: state.generation,
      revision: state.revision,
      attemptedRevision: state.attemptedRevision,
      appliedAt: new Date(state.loadedAt).toISOString(),
      errors: state.errors.map((e) => ({ code: e.code, file: e.file, line: e.line, column: e.column, path: e.path, message: e.message, ...(e.services ? { services: [...e.services] } : {}) })),
    });
    if (!this.started) return;
    for (const [name, svc] of selected) {
      const old = before.get(name);
      if (!old) this.scheduleFirst(name, svc);
      else if (old.generation !== svc.generation) this.queue.add(name);
    }
    for (const name of before.keys()) {
      if (selected.has(name)) continue;
      this.queue.add(name);
      this.listeners.forget(name);
    }
    for (const name of this.opts.store.names()) if (!selected.has(name)) this.queue.add(name);
  }

  /** The names that have a `<name>.stopped` marker now; changes are reconciled at once. */
  setMarkers(names: ReadonlySet<string>): void {
    const before = this.markers;
    this.markers = new Set(names);
    if (!this.started) return;
    for (const n of names) if (!before.has(n) && this.services.has(n)) this.queue.add(n);
    for (const n of before) if (!names.has(n) && this.services.has(n)) this.queue.add(n);
  }

  /** A `vaictl restart NAME` request: recover now, bypassing backoff (not the queue). */
  requestRestart(name: string, at: number): boolean {
    if (!this.services.has(name)) return false;
    this.restartRequests.set(name, at);
    this.queue.add(name);
    return true;
  }

  /** Starts the workers and the triggers (daemon mode). */
  start(): void {
    this.started = true;
    this.pool = startWorkerPool(this.queue, this.opts.concurrency ?? 256, (n) => this.reconcile(n), (n, e) => this.failed(n, e));
    for (const [name, svc] of this.services) this.scheduleFirst(name, svc);
    for (const name of this.opts.store.names()) if (!this.services.has(name)) this.queue.add(name);
    this.armProbeIfNeeded();
  }

  private probesPids(): boolean {
    return this.mode === 'daemon' && (this.opts.pidProbeIntervalMs ?? 100) > 0;
  }

  /**
   * One full pass (vaictl reconcile --once): every service, dependencies first, recoveries
   * verified to the end. Resolves when nothing is left to do now.
   */
  async runOnce(): Promise<void> {
    this.started = true;
    const done = new Promise<void>((r) => this.onceWaiters.push(r));
    this.pool = startWorkerPool(this.queue, this.opts.concurrency ?? 256, (n) => this.reconcile(n), (n, e) => this.failed(n, e));
    for (const name of topologicalOrder(this.services)) this.queue.add(name);
    for (const name of this.opts.store.names()) if (!this.services.has(name)) this.queue.add(name);
    this.checkOnceDone();
    await done;
  }

  /** Stops taking work; waits up to timeoutMs for running reconciles (their commands) to end. */
  async stop(timeoutMs: number): Promise<boolean> {
    this.queue.shutDown();
    if (this.probeTimer) this.clock.clearTimer(this.probeTimer);
    this.probeTimer = null;
    this.listeners.close();
    const finished = this.pool ? await this.pool.stop(timeoutMs) : true;
    // Abandoned commands keep running; their write-ahead status makes the next vaid verify them.
    this.abort.abort();
    return finished;
  }

  /** Unhealthy desired-running services (for --once's exit code). */
  unhealthy(): ServiceStatus[] {
    const out: ServiceStatus[] = [];
    for (const name of this.services.keys()) {
      const s = this.opts.store.get(name);
      if (s && s.desired === 'Running' && s.phase !== 'Healthy') out.push(s);
    }
    return out;
  }

  snapshotStats(): ControllerStats {
    return { ...this.stats, queued: this.queue.length, processing: this.queue.processingCount, delayed: this.queue.delayedCount };
  }

  private desiredRun(svc: DesiredService): DesiredRun {
    if (!svc.spec.enabled) return 'Disabled';
    return this.markers.has(svc.name) ? 'Stopped' : 'Running';
  }

  /** One target per spec object (a new generation is a new object), not two path joins per check. */
  private target(svc: DesiredService): ServiceTarget {
    let t = this.targets.get(svc);
    if (!t) {
      t = { name: svc.name, spec: svc.spec, defaultLogPath: path.join(this.opts.logsDir, `${svc.name}.log`), workingDir: path.dirname(svc.source.file) };
      this.targets.set(svc, t);
    }
    return t;
  }

  private scheduleFirst(name: string, svc: DesiredService): void {
    const st = this.opts.store.get(name);
    if (this.mode === 'once' || st?.recovery || this.restartRequests.has(name)) {
      this.queue.add(name);
      return;
    }
    const interval = svc.spec.health_check.interval_seconds * 1000;
    const spread = Math.min(interval, Math.max(this.opts.startSpreadMs ?? 5000, this.services.size * START_SPREAD_PER_SERVICE_MS));
    const now = this.clock.now();
    this.queue.addAt(name, now + delayToTick(now, Math.floor(this.random() * spread), tickFor(interval)));
  }

  /** Observe, plan, act, record one service. */
  async reconcile(name: string): Promise<void> {
    const started = performance.now();
    this.stats.reconciles++;
    let ok = false;
    try {
      await this.reconcileInner(name);
      ok = true;
    } finally {
      this.stats.lastReconcileMs = performance.now() - started;
      this.onReconciled?.(this.stats.lastReconcileMs, ok);
      // After the worker pool has counted this reconcile as finished.
      if (this.mode === 'once') setImmediate(() => this.checkOnceDone());
    }
  }

  private async reconcileInner(name: string): Promise<void> {
    const { store, executor, log } = this.opts;
    const svc = this.services.get(name) ?? null;
    const previous = store.get(name) ?? null;
    if (!svc) {
      if (previous) {
        store.delete(name);
        log.info({ service: name }, `${name}: removed from the manifests; its status is dropped`);
        if (previous.incident.open) await this.closeIncident(name);
      }
      this.queue.forget(name);
      this.restartRequests.delete(name);
      return;
    }
    const desired = this.desiredRun(svc);
    let observedFrom = this.clock.now();
    let observation = await executor.check(this.target(svc), this.abort.signal);
    // A dependency that turned Healthy while the check ran may be why it failed: the planner
    // would restart on a failure that began before the heal, so look again first (bounded).
    for (let again = 0; again < 3 && observation.health === 'unhealthy' && this.dependencyHealedSince(svc, observedFrom); again++) {
      if (this.abort.signal.aborted) return;
      observedFrom = this.clock.now();
      observation = await executor.check(this.target(svc), this.abort.signal);
    }
    if (this.abort.signal.aborted) return;
    const request = this.restartRequests.get(name) ?? null;
    this.restartRequests.delete(name);
    const now = this.clock.now();
    const result = plan({
      name,
      service: svc,
      desired,
      observation,
      // Re-read: nothing else writes this name's status while it is processing, but be exact.
      previous: store.get(name) ?? previous,
      dependencies: this.dependencyStates(svc),
      dependents: this.dependents.get(name) ?? [],
      now,
      restartRequest: request,
      random: this.random(),
    });
    if (request !== null) log.info({ service: name, generation: svc.generation }, `${name}: restart requested`);
    await this.act(svc, previous, result, now);
  }

  /** `plannedAt` is the `now` the plan was made for: its requeue delay counts from then. */
  private async act(svc: DesiredService, previous: ServiceStatus | null, result: PlanResult, plannedAt: number): Promise<void> {
    const { store, log } = this.opts;
    const name = svc.name;
    let notified = false;
    for (const a of result.actions) {
      if (a.type !== 'notify') continue;
      notified = true;
      try {
        // Submit first, record after: the notifier ignores an id it already has, so a crash in
        // between re-sends nothing twice.
        await this.opts.notifier.submit(a.alert);
        log.warn({ service: name, generation: svc.generation, alert: a.alert.kind, id: a.alert.id }, `${name}: alert ${a.alert.kind}: ${a.alert.message}`);
      } catch (e) {
        log.error({ service: name, alert: a.alert.id, err: String(e) }, `${name}: the notifier refused alert ${a.alert.id}`);
      }
    }
    if (notified) store.setAlerts(this.opts.notifier.snapshot());
    if (!result.status) return;
    if (previous?.incident.open && !result.status.incident.open && !notified) await this.closeIncident(name);
    store.set(result.status);
    for (const a of result.actions) {
      if (a.type === 'enqueue') {
        log.debug({ service: name, generation: svc.generation, enqueue: a.names }, `${name}: ${a.reason}: ${a.names.join(', ')}`);
        for (const n of a.names) if (this.services.has(n)) this.queue.add(n);
      }
    }
    const restart = result.actions.find((a): a is Extract<Action, { type: 'restart' }> => a.type === 'restart');
    if (restart) {
      await this.restart(svc, result.status, restart);
      return;
    }
    this.requeue(name, result.requeue, plannedAt);
    if (result.status.phase === 'Healthy') {
      this.wakeDependents(name);
      if (this.probesPids()) this.listeners.healthy(svc, result.status);
    }
  }

  private async restart(svc: DesiredService, status: ServiceStatus, a: Extract<Action, { type: 'restart' }>): Promise<void> {
    const { store, executor, log } = this.opts;
    const name = svc.name;
    const meta = { service: name, generation: svc.generation, attempt: a.attempt };
    // Write-ahead: "Restarting attempt N" is on disk before any command runs, so a vaid killed
    // during the command verifies on restart instead of restarting a second time.
    store.flushNow();
    this.stats.restarts++;
    const target = this.target(svc);
    let stop: CommandResult | null = null;
    log.warn({ ...meta, reason: a.reason }, `${name}: restarting (attempt ${a.attempt}): ${a.reason}`);
    if (a.stopFirst) {
      log.info({ ...meta, command: svc.spec.stop_cmd }, `${name}: running stop_cmd`);
      stop = await executor.run(target, 'stop');
      log.info({ ...meta, ok: stop.ok, result: stop.message }, `${name}: stop_cmd ${stop.message}`);
    }
    log.info({ ...meta, command: svc.spec.restart_container ? '(restart container)' : svc.spec.restart_cmd }, `${name}: running restart_cmd`);
    const restart = await executor.run(target, 'restart');
    log.info({ ...meta, ok: restart.ok, result: restart.message }, `${name}: restart_cmd ${restart.message}`);
    const now = this.clock.now();
    const after = completeRestart({ status: store.get(name) ?? status, service: svc, stop, restart, now });
    if (after.status) store.set(after.status);
    this.requeue(name, after.requeue, now);
  }

  /**
   * Counted from the plan's own `now`, not from after the acting: the due time is then exactly
   * the status's nextCheckAt, and checks the planner put on one tick (check-ticks.ts) share it.
   */
  private requeue(name: string, r: Requeue | null, plannedAt: number): void {
    if (!r) return;
    if (this.mode === 'once' && r.kind !== 'verify') return;
    this.queue.addAt(name, plannedAt + r.afterMs);
  }

  private dependencyHealedSince(svc: DesiredService, since: number): boolean {
    for (const d of svc.spec.dependencies) {
      const st = this.services.has(d) ? this.opts.store.get(d) : undefined;
      if (st?.phase === 'Healthy' && Date.parse(st.phaseSince) >= since) return true;
    }
    return false;
  }

  private dependencyStates(svc: DesiredService): DependencyState[] {
    return svc.spec.dependencies.map((d) => ({ name: d, status: this.services.has(d) ? (this.opts.store.get(d) ?? null) : outsideSelector(d) }));
  }

  /**
   * A service turned (or stayed) Healthy: dependents waiting on it look again now, if all their
   * dependencies are Healthy (a fresh check may find the dependent healthy too, or the planner
   * asks for the checks it still needs). One that still waits on another dependency (disabled,
   * stopped, crash-looping) is left to its interval: waking it would re-check it after every
   * check of each of its healthy dependencies, busy polling.
   */
  private wakeDependents(name: string): void {
    for (const d of this.dependents.get(name) ?? []) {
      const svc = this.services.get(d);
      if (!svc || this.opts.store.get(d)?.phase !== 'WaitingForDependency') continue;
      if (dependencyReadiness(this.dependencyStates(svc), null).length === 0) this.queue.add(d);
    }
  }

  private async closeIncident(name: string): Promise<void> {
    try {
      await this.opts.notifier.closeIncident?.(name);
    } catch (e) {
      this.opts.log.warn({ service: name, err: String(e) }, `${name}: notifier could not close the incident`);
    }
  }

  private failed(name: string, err: unknown): void {
    this.opts.log.error({ service: name, err: err instanceof Error ? err.stack ?? err.message : String(err) }, `${name}: reconcile failed; retrying in 1 s`);
    if (this.mode === 'daemon') this.queue.addAfter(name, ERROR_REQUEUE_MS);
  }

  private checkOnceDone(): void {
    if (this.mode !== 'once' || !this.pool) return;
    if (this.queue.length === 0 && this.pool.active === 0 && this.queue.processingCount === 0 && this.queue.delayedCount === 0) {
      const w = this.onceWaiters;
      this.onceWaiters = [];
      for (const r of w) r();
    }
  }

  /**
   * The probe's timer runs only while some service has a pid_file or a check whose listener can
   * be watched (a host http/tcp check): a vaid with nothing to probe must not wake 10 times a
   * second for nothing.
   */
  private armProbeIfNeeded(): void {
    if (!this.started || !this.probesPids() || this.probeTimer || this.probing || this.queue.isShuttingDown) return;
    for (const svc of this.services.values()) {
      const hc = svc.spec.health_check;
      if (svc.spec.pid_file || (this.listeners.enabled && !svc.spec.container && (hc.type === 'http' || hc.type === 'tcp'))) {
        this.armProbe();
        return;
      }
    }
  }

  /** On the checks' tick grid (check-ticks.ts), so a probe shares its wake-up with the checks due then. */
  private armProbe(): void {
    const every = this.opts.pidProbeIntervalMs ?? 100;
    this.probeTimer = this.clock.setTimer(() => {
      this.probeTimer = null;
      void this.probePids().finally(() => this.armProbeIfNeeded());
    }, delayToTick(this.clock.now(), every, Math.min(CHECK_TICK_MS, every)));
  }

  /**
   * A cheap liveness probe between two checks: a dead or frozen (SIGSTOP) pid of a Healthy service
   * triggers a reconcile now. Its check decides; the probe never restarts anything itself.
   */
  private async probePids(): Promise<void> {
    if (this.probing) return;
    this.probing = true;
    try {
      const jobs: Array<Promise<void>> = [];
      for (const svc of this.pidFileServices) {
        if (this.desiredRun(svc) !== 'Running' || this.queue.isProcessing(svc.name)) continue;
        const st = this.opts.store.get(svc.name);
        if (!st || st.phase !== 'Healthy') continue;
        jobs.push(
          this.opts.executor.probePid(this.target(svc)).then((p) => {
            const last = this.lastProbe.get(svc.name);
            this.lastProbe.set(svc.name, p);
            if ((p === 'dead' || p === 'stopped') && last !== p) {
              const what = p === 'dead' ? 'is gone' : 'is stopped (SIGSTOP)';
              this.opts.log.info({ service: svc.name, generation: svc.generation }, `${svc.name}: pid_file process ${what}; checking now`);
              this.queue.add(svc.name);
            }
          }),
        );
      }
      const gone = this.listeners.probe((name) => {
        const svc = this.services.get(name);
        return svc !== undefined && this.desiredRun(svc) === 'Running' && !this.queue.isProcessing(name) && this.opts.store.get(name)?.phase === 'Healthy';
      });
      for (const g of gone) {
        const what = g.probe === 'dead' ? 'is gone' : 'is stopped (SIGSTOP)';
        this.opts.log.info({ service: g.name, generation: this.services.get(g.name)?.generation, pid: g.pid }, `${g.name}: listener process ${g.pid} ${what}; checking now`);
        this.queue.add(g.name);
      }
      await Promise.all(jobs);
    } finally {
      this.probing = false;
    }
  }
}

// Check results and restarts have their own records; the other events (RecoveryFailed,
// BackOff, WaitingForDependency, ...) are outcomes a person reading the log must see.
const EVENTS_LOGGED_ELSEWHERE = new Set(['CheckFailed', 'CheckPassed', 'Restarting', 'ExecutorUnavailable']);

function logNewEvents(log: Log, previous: ServiceStatus | null, status: ServiceStatus): void {
  // The planner hands the previous list on when a reconcile recorded no event (most do).
  if (previous && status.events === previous.events) return;
  let since = '';
  for (const e of previous?.events ?? []) if (e.lastTime > since) since = e.lastTime;
  // Most reconciles record no event: leave before building the map below.
  if (!status.events.some((e) => e.lastTime >= since && !EVENTS_LOGGED_ELSEWHERE.has(e.reason))) return;
  const before = new Map((previous?.events ?? []).map((e) => [`${e.type}/${e.reason}/${e.message}`, e.count]));
  for (const e of status.events) {
    if (EVENTS_LOGGED_ELSEWHERE.has(e.reason)) continue;
    if (e.lastTime < since || before.get(`${e.type}/${e.reason}/${e.message}`) === e.count) continue;
    const rec = { service: status.name, generation: status.generation, event: e.reason, count: e.count };
    if (e.type === 'Warning') log.warn(rec, `${status.name}: ${e.reason}: ${e.message}`);
    else log.info(rec, `${status.name}: ${e.reason}: ${e.message}`);
  }
}

function dependentsOf(services: ReadonlyMap<string, DesiredService>): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const svc of services.values()) {
    for (const d of svc.spec.dependencies) {
      const list = out.get(d) ?? [];
      list.push(svc.name);
      out.set(d, list);
    }
  }
  return out;
}

/**
 * A dependency outside this vaid's selector (--selector) is another host's business: it counts
 * as ready, checked just now, so it never blocks a local recovery.
 */
function outsideSelector(name: string): ServiceStatus {
  const lastCheck = { at: new Date(8.64e15).toISOString(), health: 'healthy' as const, reason: 'NotSelected', latencyMs: 0, message: `${name} is outside this vaid's --selector` };
  return { name, phase: 'Healthy', lastCheck } as ServiceStatus;
}
