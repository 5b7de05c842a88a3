// Crash detection between two checks: the process a service runs as (its pid_file's pid, or the
// one that listens on its check's loopback port) is looked up once the service is Healthy (again:
// after each restart and spec change), and the kernel tells when it exits (a pidfd, the
// executor's watchExit): the exit triggers a check at once, with no polling. Where the kernel
// refuses, the listener is probed with the pid_file probes at the controller's fast cadence; a
// watched exit leaves only the freeze (SIGSTOP) probe, at freezeProbeMs() of the checks' intervals. A watched
// process that is gone only triggers a check, exactly as a dead pid_file pid does: a service that
// handed its socket to a new process (re-exec, fork, graceful reload) passes that check, is not
// restarted, and its new listener is looked up instead.
import type { DesiredService } from '../manifest/types.js';
import type { Executor, PidProbe, ServiceTarget, WatchedProcess } from '../executor/types.js';
import type { ServiceStatus } from '../status/schema.js';
import type { Clock, TimerHandle } from '../core/clock.js';
import type { Log } from '../core/log.js';

/** A listener that was not found is looked up again after this long (unless the service restarts). */
export const LOOKUP_RETRY_MS = 60_000;
/** A watched process gone while the check still passes (handed over): look up again, at most this often. */
export const RELOOKUP_MIN_MS = 1_000;
/**
 * Back-to-back lookups (services turning Healthy one after another) leave the event loop free
 * this many times as long as the last lookup held it: at 10,000 services on one port the
 * listener table holds tens of thousands of TIME_WAIT lines, a lookup took tens of ms, and
 * lookups in a row held the loop for 60-80 % of the first 110 s, so checks fell behind. The
 * first lookup after a quiet spell (a restarted service) still runs at once.
 */
export const LOOKUP_GAP_FACTOR = 4;
/**
 * How often processes are probed when the kernel reports every watched exit: only a freeze
 * (state T) is left to see, and a frozen service is then found by its check's timeout (1 s at
 * the least), so 0.5 s more keeps a SIGSTOP at 1 s timeout recovered within ~1.5 s. Crash
 * polling where the kernel refuses stays at the controller's 100 ms: the crash MTTR target
 * (150 ms with pid_file) minus the restart path (~60 ms) leaves about that much.
 */
export const FREEZE_PROBE_MS = 500;
/** The slowest freeze cadence: a SIGSTOP is seen within this long whatever the checks' interval. */
export const FREEZE_PROBE_MAX_MS = 5_000;

/**
 * The freeze cadence for services whose shortest check interval is `intervalMs`: a quarter of
 * it, from FREEZE_PROBE_MS to FREEZE_PROBE_MAX_MS. The probe only makes a freeze known before the
 * next check would find it, so it need not run twenty times between two checks: at 60 s
 * intervals the 500 ms probe was a third of an idle vaid's CPU (docs/performance.md).
 */
export function freezeProbeMs(intervalMs: number): number {
  // Whole multiples of FREEZE_PROBE_MS, so a probe lands on the housekeeping timers' grid.
  const quarter = Math.floor(intervalMs / 4 / FREEZE_PROBE_MS) * FREEZE_PROBE_MS;
  return Math.min(FREEZE_PROBE_MAX_MS, Math.max(FREEZE_PROBE_MS, quarter));
}

interface Watch {
  process: WatchedProcess | null;
  generation: number;
  restarts: number;
  at: number;
  /** When a failed lookup may be tried again; Infinity: never for this generation. */
  retryAt: number;
  lastProbe: PidProbe;
  /** Whose process: the pid_file's (probed by the controller) or the listener's (probed here). */
  kind: 'pidFile' | 'listener';
}

/** The services watching one process: probed once for all of them. */
interface ProcessGroup {
  process: WatchedProcess;
  names: Set<string>;
  /** Members whose process this probe reports (kind 'listener'); none: the pid_file probe reads it. */
  listenerNames: number;
  /** The probe every member has taken in (nothing to do while it repeats); null: some member has not. */
  settled: PidProbe | null;
  /** Stops the kernel's exit watch; null while polled (refused) or once exited. */
  unwatch: (() => void) | null;
  /** The kernel said it exited. */
  exited: boolean;
}

interface Request {
  generation: number;
  restarts: number;
}

export interface ListenerWatchOptions {
  clock: Clock;
  executor: Executor;
  log: Log;
  target: (name: string) => ServiceTarget | null;
  /** A watched process exited (the kernel said so): check the service now. */
  onExit?: (name: string) => void;
}

export class ListenerWatches {
  private readonly watches = new Map<string, Watch>();
  /** Watches by process: 10,000 services on one listener are one probe and no loop over them while it stays alive. */
  private readonly groups = new Map<string, ProcessGroup>();
  private readonly pending = new Map<string, Request>();
  private readonly deferred = new Map<string, TimerHandle>();
  private running: Promise<void> | null = null;
  /** The next lookup waits until then (LOOKUP_GAP_FACTOR). */
  private nextLookupAt = -Infinity;

  constructor(private readonly opts: ListenerWatchOptions) {}

  /** Whether the executor can watch listeners at all (the simulation's cannot). */
  get enabled(): boolean {
    return typeof this.opts.executor.findListeners === 'function' && typeof this.opts.executor.probeProcess === 'function';
  }

  /** After a reconcile that left the service Healthy: look its listener up when none is known for now. */
  healthy(svc: DesiredService, status: ServiceStatus): void {
    // A pid_file's pid is watched for its exit; once stale (its pid gone, the service still
    // answering) the lookup finds the listener of the check's port instead (listener-process.ts).
    if (!this.enabled || this.pending.has(svc.name)) return;
    const now = this.opts.clock.now();
    const w = this.watches.get(svc.name);
    const req = { generation: svc.generation, restarts: status.restarts.count };
    if (w && w.generation === req.generation && w.restarts === req.restarts) {
      if (w.process === null && now < w.retryAt) return;
      if (w.process !== null && w.lastProbe !== 'dead') return;
      // Handed over again so soon: look up a little later rather than at every check.
      if (w.process !== null && now - w.at < RELOOKUP_MIN_MS) return this.defer(svc.name, req, w.at + RELOOKUP_MIN_MS - now);
    } else if (w) {
      // Restarted or respecified: the process watched before is not this service any more.
      this.ungroup(svc.name, w);
      w.process = null;
    }
    this.request(svc.name, req);
  }

  forget(name: string): void {
    const w = this.watches.get(name);
    if (w) this.ungroup(name, w);
    this.watches.delete(name);
    this.pending.delete(name);
    const t = this.deferred.get(name);
    if (t) this.opts.clock.clearTimer(t);
    this.deferred.delete(name);
  }

  /**
   * Drops deferred lookups and the kernel's exit watches (the controller is stopping): a poll
   * left waiting would keep vaid's event loop, and so vaid, alive.
   */
  close(): void {
    for (const name of [...this.deferred.keys()]) this.forget(name);
    for (const name of [...this.watches.keys()]) this.forget(name);
  }

  private request(name: string, req: Request): void {
    this.pending.set(name, req);
    this.running ??= this.lookUp().finally(() => {
      this.running = null;
    });
  }

  private defer(name: string, req: Request, ms: number): void {
    if (this.deferred.has(name)) return;
    this.deferred.set(
      name,
      this.opts.clock.setTimer(() => {
        this.deferred.delete(name);
        this.request(name, req);
      }, ms),
    );
  }

  /** The process watched for a service, if any (for tests and logs). */
  watched(name: string): WatchedProcess | null {
    return this.watches.get(name)?.process ?? null;
  }

  /** Resolves when no lookup is running. */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  /**
   * Probes the watched process of each service `eligible` accepts (Healthy, desired running, not
   * being reconciled); returns the services whose process has just been found gone or frozen.
   * One read per distinct process: a thousand services checked on one listener cost one probe.
   */
  probe(eligible: (name: string) => boolean): Array<{ name: string; probe: 'dead' | 'stopped'; pid: number }> {
    const probeProcess = this.opts.executor.probeProcess;
    if (!probeProcess) return [];
    const gone: Array<{ name: string; probe: 'dead' | 'stopped'; pid: number }> = [];
    for (const g of this.groups.values()) {
      // A pid_file's pid is read by the controller's pid_file probe: a second read here would tell nobody.
      if (g.exited || g.listenerNames === 0) continue;
      const p = probeProcess.call(this.opts.executor, g.process);
      // Most probes change nothing: only a change is worth asking the controller about.
      if (p === g.settled) continue;
      let settled = true;
      for (const name of g.names) {
        const w = this.watches.get(name);
        // pid_file pids are the controller's probe's: probed here they would be reported twice.
        if (!w || w.kind === 'pidFile' || p === w.lastProbe) continue;
        if (p === 'dead' || p === 'stopped') {
          // Not now (recovering, stopped, being reconciled): looked at again at the next probe.
          if (!eligible(name)) {
            settled = false;
            continue;
          }
          gone.push({ name, probe: p, pid: g.process.pid });
        }
        w.lastProbe = p;
      }
      g.settled = settled ? p : null;
    }
    return gone;
  }

  private group(name: string, process: WatchedProcess): void {
    const key = `${process.pid}/${process.startTime}`;
    let g = this.groups.get(key);
    if (!g) {
      const created: ProcessGroup = { process, names: new Set(), listenerNames: 0, settled: null, unwatch: null, exited: false };
      g = created;
      this.groups.set(key, g);
      created.unwatch = this.opts.executor.watchExit?.(process, () => this.exited(created)) ?? null;
    }
    if (!g.names.has(name) && this.watches.get(name)?.kind === 'listener') g.listenerNames++;
    g.names.add(name);
    g.settled = null;
  }

  private ungroup(name: string, w: Watch): void {
    if (!w.process) return;
    const key = `${w.process.pid}/${w.process.startTime}`;
    const g = this.groups.get(key);
    if (!g) return;
    if (g.names.delete(name) && w.kind === 'listener') g.listenerNames--;
    if (g.names.size > 0) return;
    this.groups.delete(key);
    g.unwatch?.();
    g.unwatch = null;
  }

  private exited(g: ProcessGroup): void {
    g.unwatch = null;
    g.exited = true;
    g.settled = 'dead';
    for (const name of g.names) {
      const w = this.watches.get(name);
      if (!w || w.lastProbe === 'dead') continue;
      w.lastProbe = 'dead';
      this.opts.log.info({ service: name, pid: g.process.pid }, `${name}: ${g.process.what} (pid ${g.process.pid}) exited; checking now`);
      this.opts.onExit?.(name);
    }
  }

  /**
   * The probe cadence the watches need: `fastMs` while some watched process is not covered by
   * the kernel's exit watch (refused, a container's pid_file, an executor without one), else
   * `freezeMs` (freezeProbeMs()). Never slower than fastMs would be needed for the simulation's executor.
   */
  probeEveryMs(fastMs: number, freezeMs = FREEZE_PROBE_MS): number {
    if (!this.enabled || typeof this.opts.executor.watchExit !== 'function' || fastMs <= 0) return fastMs;
    for (const [name, w] of this.watches) {
      if (w.process === null) {
        if (w.kind === 'pidFile') return fastMs;
        continue;
      }
      const g = this.groups.get(`${w.process.pid}/${w.process.startTime}`);
      if (g && !g.exited && g.unwatch === null) return fastMs;
      if (!g && this.pending.has(name)) return fastMs;
    }
    return Math.max(fastMs, freezeMs);
  }

  private async lookUp(): Promise<void> {
    const { executor, log, clock } = this.opts;
    while (this.pending.size > 0) {
      // Counted from the last lookup, not only within one run of this loop: services turning
      // Healthy one I/O callback after another each started a lookup of their own at once (at
      // 1,000 services on one listener, 45 lookups of ~20 ms a second, one service each, and
      // checks timing out behind them); waiting lets them join one batch.
      const gapMs = this.nextLookupAt - clock.now();
      if (gapMs > 0) await new Promise<void>((resolve) => clock.setTimer(resolve, gapMs));
      const batch = [...this.pending];
      this.pending.clear();
      const targets = batch.map(([name]) => this.opts.target(name)).filter((t): t is ServiceTarget => t !== null);
      const started = clock.now();
      const found = await executor.findListeners!(targets);
      const now = clock.now();
      this.nextLookupAt = now + (now - started) * LOOKUP_GAP_FACTOR;
      for (const [name, req] of batch) {
        const r = found.get(name);
        if (!r) continue;
        const kind = r.kind === 'found' ? (r.fromPidFile ? 'pidFile' : 'listener') : this.opts.target(name)?.spec.pid_file !== undefined ? 'pidFile' : 'listener';
        const old = this.watches.get(name);
        const before = old?.process ?? null;
        if (old) this.ungroup(name, old);
        if (r.kind === 'found') {
          this.watches.set(name, { process: r.process, generation: req.generation, restarts: req.restarts, at: now, retryAt: now, lastProbe: 'alive', kind });
          this.group(name, r.process);
          if (before?.pid !== r.process.pid) {
            log.info({ service: name, generation: req.generation, pid: r.process.pid }, `${name}: watching pid ${r.process.pid} (${r.process.what}) for a crash between checks`);
          }
        } else {
          this.watches.set(name, { process: null, generation: req.generation, restarts: req.restarts, at: now, retryAt: r.retry ? now + LOOKUP_RETRY_MS : Infinity, lastProbe: 'unknown', kind });
          log.debug({ service: name, generation: req.generation }, `${name}: no process to watch between checks: ${r.reason}`);
        }
      }
    }
  }
}
