// Trigger source: a cheap liveness probe between two checks. A dead or frozen (SIGSTOP) pid of a
// Healthy service, from its pid_file or from the process listening on its check's port
// (listener-watch.ts), queues the service now. Its check decides; a probe never restarts
// anything itself. The timer runs only while some service can be probed: a vaid with nothing to
// probe must not wake 10 times a second for nothing.
import type { Clock, TimerHandle } from '../core/clock.js';
import type { Log } from '../core/log.js';
import type { DesiredService } from '../manifest/types.js';
import type { Executor, PidProbe } from '../executor/types.js';
import type { WorkQueue } from './work-queue.js';
import type { World } from './world.js';
import { freezeProbeMs, type ListenerWatches } from './listener-watch.js';
import { delayToTick } from './check-ticks.js';
import { checkType } from '../executor/checks/index.js';
import type { Diagnostician } from '../diagnosis/diagnostician.js';

export interface ProcessProbesOptions {
  clock: Clock;
  log: Log;
  executor: Executor;
  queue: WorkQueue;
  world: World;
  listeners: ListenerWatches;
  /** Probe period (ms); 0 turns probing off. */
  everyMs: number;
  /** Told what each probe saw (a frozen or stale process is evidence; src/diagnosis). */
  diagnosis?: Diagnostician | undefined;
}

export class ProcessProbes {
  private timer: TimerHandle | null = null;
  private probing = false;
  private started = false;
  /** The services with a pid_file: the probe runs 10 times a second and need not walk the others. */
  private pidFileServices: DesiredService[] = [];
  /** The freeze cadence of the probed services' shortest check interval. */
  private freezeMs = freezeProbeMs(0);
  private readonly lastProbe = new Map<string, PidProbe>();

  constructor(private readonly opts: ProcessProbesOptions) {}

  get enabled(): boolean {
    return this.opts.everyMs > 0;
  }

  /** The desired services changed. */
  servicesChanged(services: Iterable<DesiredService>): void {
    const all = [...services];
    this.pidFileServices = all.filter((s) => s.spec.pid_file);
    let shortest = Infinity;
    for (const svc of all) if (this.probed(svc)) shortest = Math.min(shortest, svc.spec.health_check.interval_seconds * 1000);
    this.freezeMs = freezeProbeMs(shortest);
    this.armIfNeeded();
  }

  start(): void {
    this.started = true;
    this.armIfNeeded();
  }

  stop(): void {
    this.started = false;
    if (this.timer) this.opts.clock.clearTimer(this.timer);
    this.timer = null;
  }

  private armIfNeeded(): void {
    const { queue, world } = this.opts;
    if (!this.started || !this.enabled || this.timer || this.probing || queue.isShuttingDown) return;
    for (const svc of world.all().values()) {
      if (this.probed(svc)) {
        this.arm();
        return;
      }
    }
  }

  /** A pid_file, or a host service whose check names a loopback port (its listener is watched). */
  private probed(svc: DesiredService): boolean {
    return Boolean(svc.spec.pid_file) || (this.opts.listeners.enabled && !svc.spec.container && checkType(svc.spec.health_check.type).loopbackTarget !== undefined);
  }

  /**
   * At multiples of its own period since the epoch: on the checks' tick grid (check-ticks.ts) and,
   * at a freeze cadence of whole half-seconds, on the housekeeping timers' grid too (core/grid-timer.ts), so a
   * probe shares its wake-up with the checks and the timers due then.
   */
  private arm(): void {
    const { clock, listeners } = this.opts;
    // Slower while the kernel reports every watched exit (pidfds): only a freeze needs a probe then.
    // A pid_file the kernel does not watch for us (no exit watch on it) keeps the fast cadence.
    const unwatchedPidFile = this.pidFileServices.some((svc) => listeners.watched(svc.name) === null);
    const everyMs = unwatchedPidFile ? this.opts.everyMs : listeners.probeEveryMs(this.opts.everyMs, this.freezeMs);
    this.timer = clock.setTimer(() => {
      this.timer = null;
      void this.probe().finally(() => this.armIfNeeded());
    }, delayToTick(clock.now(), everyMs, everyMs));
  }

  private watched(name: string): boolean {
    const { world, queue } = this.opts;
    const svc = world.service(name);
    return svc !== undefined && world.desiredRun(svc) === 'Running' && !queue.isProcessing(name) && world.status(name)?.phase === 'Healthy';
  }

  private async probe(): Promise<void> {
    if (this.probing) return;
    this.probing = true;
    const { world, queue, log, executor, listeners } = this.opts;
    try {
      const jobs: Array<Promise<void>> = [];
      for (const svc of this.pidFileServices) {
        if (!this.watched(svc.name)) {
          // Restarting or not healthy: what was seen before is not the process that comes next
          // (a 'dead' kept from before a restart would hide the next crash).
          this.lastProbe.delete(svc.name);
          continue;
        }
        jobs.push(
          executor.probePid(world.target(svc)).then((p) => {
            const last = this.lastProbe.get(svc.name);
            this.lastProbe.set(svc.name, p);
            this.opts.diagnosis?.saw(svc.name, p, this.opts.clock.now(), world.status(svc.name) ?? undefined);
            if ((p === 'dead' || p === 'stopped') && last !== p) {
              const what = p === 'dead' ? 'is gone' : 'is stopped (SIGSTOP)';
              log.info({ service: svc.name, generation: svc.generation }, `${svc.name}: pid_file process ${what}; checking now`);
              queue.add(svc.name);
              // A dead pid is answered by a restart: the next 'dead' is another process's crash.
              if (p === 'dead') this.lastProbe.delete(svc.name);
            }
          }),
        );
      }
      for (const g of listeners.probe((name) => this.watched(name))) {
        this.opts.diagnosis?.saw(g.name, g.probe, this.opts.clock.now(), world.status(g.name) ?? undefined, listeners.watched(g.name));
        const what = g.probe === 'dead' ? 'is gone' : 'is stopped (SIGSTOP)';
        log.info({ service: g.name, generation: world.service(g.name)?.generation, pid: g.pid }, `${g.name}: listener process ${g.pid} ${what}; checking now`);
        queue.add(g.name);
      }
      await Promise.all(jobs);
    } finally {
      this.probing = false;
    }
  }
}
