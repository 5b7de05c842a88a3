// Housekeeping timers (the manifests dir's identity poll, the state-dir rescans, log rotation
// passes, the alerts refresh, the self-watch) fire on one grid: at multiples of their period
// since the epoch, so the ones due in the same second wake vaid once between them instead of
// once each. A Node process pays for every wake-up: five 1 s timers at staggered phases cost
// 3.4 times the CPU of the same five aligned (docs/performance.md, issue 23).
export interface GridTimer {
  stop(): void;
}

/** Milliseconds from `now` to the next multiple of `periodMs` since the epoch (a whole period when `now` is one). */
export function delayToGrid(now: number, periodMs: number): number {
  return periodMs - (now % periodMs);
}

/** Calls `fn` every `periodMs`, on the multiples of `periodMs` since the epoch; never keeps the process alive. */
export function everyOnGrid(periodMs: number, fn: () => void): GridTimer {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const arm = (): void => {
    timer = setTimeout(tick, delayToGrid(Date.now(), periodMs));
    timer.unref();
  };
  const tick = (): void => {
    if (stopped) return;
    arm();
    fn();
  };
  arm();
  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
