// Regular checks start on a shared grid of ticks instead of at scattered instants. On these
// machines a Node process pays more for waking up than for a loopback check itself: 50 fresh
// HTTP GETs a second cost 1.4 ms of CPU each when spread evenly over the second and 0.44 ms when
// started together (load 6-9; docs/performance.md). Services whose next check falls in the same tick share
// one timer wake-up and their I/O completes in the same turns of the event loop. The interval's
// ±10% jitter still spreads services over the ticks of an interval.

/** Width of a tick for long intervals: at most 10 wake-ups a second for regular checks. */
export const CHECK_TICK_MS = 100;

/** The tick for an interval: a tenth of it for short intervals, so the grid never dominates the jitter. */
export function tickFor(intervalMs: number): number {
  return Math.max(1, Math.min(CHECK_TICK_MS, Math.floor(intervalMs / 10)));
}

/**
 * Delay from `now` to the tick nearest `now + delayMs` (ticks are multiples of `tickMs` since the
 * epoch, the same for every service), or to the next tick when that one is not in the future.
 * Rounding to the nearest tick keeps the mean interval what the spec says.
 */
export function delayToTick(now: number, delayMs: number, tickMs: number): number {
  const at = Math.round((now + delayMs) / tickMs) * tickMs;
  return at > now ? at - now : Math.floor(now / tickMs) * tickMs + tickMs - now;
}
