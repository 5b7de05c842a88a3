// The simulated host: the hidden truth of each service (up, down, hung, starting) and of the
// container engine, and the faults that befall them, all drawn from one seeded generator.
// The reconciler never sees this directly: only through the simulated executor's answers.
import type { Rng } from './prng.js';
import type { Trace } from './trace.js';
import type { VirtualClock } from './virtual-clock.js';

export type ProcState = 'up' | 'down' | 'hung' | 'starting';

export interface SimService {
  name: string;
  dependencies: string[];
  /** Runs inside a container: its checks and commands go through the engine. */
  container: boolean;
  state: ProcState;
  /** When `starting` ends. */
  upAt: number;
  /** Restarts do nothing until then (disk full, a broken config): resource exhaustion. */
  brokenUntil: number;
  /** The next restart takes this long to come up (a slow start), then back to normal. */
  slowStartMs: number;
  /** Normal time from restart_cmd returning to answering checks. */
  startMs: number;
  /** Its check fails while a dependency is not healthy; it comes back by itself when they are. */
  needsDeps: boolean;
}

export interface FaultRates {
  /** Mean virtual ms between two faults of one service. */
  serviceFaultMeanMs: number;
  /** Mean virtual ms between two engine outages (0: never). */
  engineOutageMeanMs: number;
  engineOutageMaxMs: number;
}

export const FAULTS = ['crash', 'hang', 'flap', 'broken', 'slow-start', 'crash-on-dep-loss'] as const;
export type Fault = (typeof FAULTS)[number];

export class SimWorld {
  readonly services = new Map<string, SimService>();
  engineUp = true;
  private stopped = false;

  constructor(
    readonly clock: VirtualClock,
    readonly rng: Rng,
    readonly trace: Trace,
    readonly rates: FaultRates,
  ) {}

  add(svc: Omit<SimService, 'state' | 'upAt' | 'brokenUntil' | 'slowStartMs'>): void {
    this.services.set(svc.name, { ...svc, state: 'up', upAt: 0, brokenUntil: 0, slowStartMs: 0 });
  }

  get(name: string): SimService {
    const s = this.services.get(name);
    if (!s) throw new Error(`no simulated service ${name}`);
    return s;
  }

  /** What a check would find right now, ignoring the engine. */
  healthy(name: string, seen = new Set<string>()): boolean {
    const s = this.get(name);
    this.settleStart(s);
    if (s.state !== 'up') return false;
    if (!s.needsDeps) return true;
    seen.add(name);
    return s.dependencies.every((d) => seen.has(d) || this.healthy(d, seen));
  }

  settleStart(s: SimService): void {
    if (s.state === 'starting' && this.clock.now() >= s.upAt) s.state = 'up';
  }

  /** Arms every service's fault timer and the engine's outages. */
  start(): void {
    for (const s of this.services.values()) this.armFault(s);
    if (this.rates.engineOutageMeanMs > 0) this.armOutage();
  }

  stop(): void {
    this.stopped = true;
  }

  private armFault(s: SimService): void {
    const r = this.rng;
    this.clock.setTimeout(() => {
      if (this.stopped) return;
      this.inject(s, r.pick(FAULTS));
      this.armFault(s);
    }, r.exp(this.rates.serviceFaultMeanMs));
  }

  inject(s: SimService, fault: Fault): void {
    const r = this.rng;
    const now = this.clock.now();
    this.settleStart(s);
    this.trace.add({ t: now, type: 'fault', service: s.name, fault });
    switch (fault) {
      case 'crash':
        s.state = 'down';
        break;
      case 'hang':
        if (s.state === 'up') s.state = 'hung';
        break;
      case 'flap': {
        if (s.state !== 'up') break;
        s.state = 'down';
        this.clock.setTimeout(() => {
          if (s.state === 'down') {
            s.state = 'up';
            this.trace.add({ t: this.clock.now(), type: 'fault', service: s.name, fault: 'flap-back' });
          }
        }, r.between(500, 90_000));
        break;
      }
      case 'broken':
        s.state = 'down';
        s.brokenUntil = now + r.between(30_000, 12 * 60_000);
        break;
      case 'slow-start':
        s.slowStartMs = r.between(5_000, 120_000);
        s.state = 'down';
        break;
      case 'crash-on-dep-loss':
        // A dependency dies and takes this service down with it (it must be restarted after).
        for (const d of s.dependencies) this.get(d).state = 'down';
        if (s.dependencies.length > 0 && r.chance(0.5)) s.state = 'down';
        break;
    }
  }

  /** Effect of a restart command that ran to completion. */
  restarted(s: SimService): void {
    const now = this.clock.now();
    if (now < s.brokenUntil) {
      s.state = 'down';
      return;
    }
    s.state = 'starting';
    s.upAt = now + (s.slowStartMs > 0 ? s.slowStartMs : s.startMs);
    s.slowStartMs = 0;
  }

  private armOutage(): void {
    const r = this.rng;
    this.clock.setTimeout(() => {
      if (this.stopped) return;
      this.engineUp = false;
      this.trace.add({ t: this.clock.now(), type: 'engine', up: false });
      this.clock.setTimeout(() => {
        this.engineUp = true;
        this.trace.add({ t: this.clock.now(), type: 'engine', up: true });
        if (!this.stopped) this.armOutage();
      }, r.between(1_000, this.rates.engineOutageMaxMs));
    }, r.exp(this.rates.engineOutageMeanMs));
  }
}
