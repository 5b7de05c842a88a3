// Trigger source: the first look at each service. A service in the middle of a recovery, with a
// restart request, or in once-mode is looked at now; the others at a random point of their
// first interval, on the tick grid, so a big host does not fire at once.
import type { Clock } from '../core/clock.js';
import type { DesiredService } from '../manifest/types.js';
import type { WorkQueue } from './work-queue.js';
import { delayToTick, tickFor } from './check-ticks.js';

/**
 * A big host spreads its first checks wider: 10,000 services squeezed into 5 s of a 10 s interval
 * kept that shape for minutes (the ±10 % jitter spreads slowly), so vaid's CPU swung between 10
 * and 55 % of a core from one 3 s slice to the next. One more ms per service keeps the start
 * rate near 1,000 checks/s, about what one core can run anyway.
 */
const START_SPREAD_PER_SERVICE_MS = 1;

export interface FirstChecksOptions {
  clock: Clock;
  queue: WorkQueue;
  random: () => number;
  /** First checks are spread over min(interval, max(this, 1 ms per service)); default 5,000 ms. */
  startSpreadMs?: number;
}

/** Queues the first look at svc; returns when it is due (steady ms). */
export function scheduleFirstCheck(opts: FirstChecksOptions, svc: DesiredService, now: boolean, services: number): number {
  const at = opts.clock.now();
  if (now) {
    opts.queue.add(svc.name);
    return at;
  }
  const interval = svc.spec.health_check.interval_seconds * 1000;
  const spread = Math.min(interval, Math.max(opts.startSpreadMs ?? 5000, services * START_SPREAD_PER_SERVICE_MS));
  const due = at + delayToTick(at, Math.floor(opts.random() * spread), tickFor(interval));
  opts.queue.addAt(svc.name, due);
  return due;
}
