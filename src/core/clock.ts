// The one clock of vai. Everything that schedules (timers, deadlines, backoff, intervals) reads
// now(): a steady time that follows the monotonic clock and never steps. It is anchored to the
// wall clock once, when the clock is made, so its values read as epoch milliseconds and the
// times recorded in status look like wall times; an NTP step afterwards changes no schedule
// (issue 16, finding 8: a 1 h step back stopped retries for an hour). wallNow() is the system's
// wall clock, for what only a person reads. Nothing in vai calls Date.now() or setTimeout for
// scheduling directly, so the simulation drives the same code on a virtual clock.

export interface TimerHandle {
  readonly id: number;
}

export interface Clock {
  /** Steady epoch ms: monotonic since the clock was made, anchored to the wall clock then. */
  now(): number;
  /** The system's wall clock (epoch ms): display only; it may step. */
  wallNow(): number;
  /** Calls fn once after ms of steady time (never synchronously). */
  setTimer(fn: () => void, ms: number): TimerHandle;
  clearTimer(handle: TimerHandle): void;
}

export function systemClock(): Clock {
  const timers = new Map<number, NodeJS.Timeout>();
  let seq = 0;
  // performance.now() is CLOCK_MONOTONIC (libuv's hrtime): it does not step with the wall clock.
  const anchor = Date.now() - performance.now();
  return {
    // Whole milliseconds, as Date.now() gave: times round-trip through ISO text unchanged.
    now: () => Math.floor(anchor + performance.now()),
    wallNow: () => Date.now(),
    setTimer(fn, ms) {
      const id = ++seq;
      const t = setTimeout(() => {
        timers.delete(id);
        fn();
      }, Math.max(0, ms));
      timers.set(id, t);
      return { id };
    },
    clearTimer(handle) {
      const t = timers.get(handle.id);
      if (t) clearTimeout(t);
      timers.delete(handle.id);
    },
  };
}

/**
 * The test clock: it moves only when told to. advance(ms) fires every timer due by then in time
 * order (ties in the order they were set), letting promise continuations settle between two
 * timers when awaited; stepWall(ms) moves only the wall clock, as NTP does.
 */
export interface TestClock extends Clock {
  /** Moves steady and wall time by ms, firing due timers synchronously. */
  advance(ms: number): void;
  /** Like advance, but lets pending promise continuations run after each timer (async code under test). */
  advanceAsync(ms: number): Promise<void>;
  /** Steps the wall clock only (an NTP step): schedules must not notice. */
  stepWall(ms: number): void;
  pendingTimers(): number;
  /** Due time of the next timer, or null. */
  nextTimerAt(): number | null;
}

export function testClock(start = Date.UTC(2026, 0, 1)): TestClock {
  let now = start;
  let wallOffset = 0;
  let seq = 0;
  const timers = new Map<number, { at: number; fn: () => void }>();
  const next = (until: number): [number, { at: number; fn: () => void }] | undefined => {
    let best: [number, { at: number; fn: () => void }] | undefined;
    for (const entry of timers) {
      if (entry[1].at <= until && (!best || entry[1].at < best[1].at || (entry[1].at === best[1].at && entry[0] < best[0]))) best = entry;
    }
    return best;
  };
  const fireOne = (until: number): boolean => {
    const t = next(until);
    if (!t) return false;
    timers.delete(t[0]);
    now = Math.max(now, t[1].at);
    t[1].fn();
    return true;
  };
  return {
    now: () => now,
    wallNow: () => now + wallOffset,
    setTimer(fn, ms) {
      const id = ++seq;
      timers.set(id, { at: now + Math.max(0, ms), fn });
      return { id };
    },
    clearTimer(handle) {
      timers.delete(handle.id);
    },
    pendingTimers: () => timers.size,
    nextTimerAt: () => next(Infinity)?.[1].at ?? null,
    advance(ms) {
      const until = now + ms;
      while (fireOne(until));
      now = until;
    },
    async advanceAsync(ms) {
      const until = now + ms;
      await settle();
      while (fireOne(until)) await settle();
      now = until;
      await settle();
    },
    stepWall(ms) {
      wallOffset += ms;
    },
  };
}

/** Lets every queued promise continuation run (the microtask queue drains before a macrotask). */
export function settle(): Promise<void> {
  return new Promise<void>((r) => setImmediate(r));
}
