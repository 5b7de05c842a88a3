// A check's timeout that counts against the peer, not against vaid's own event loop. When the loop
// is blocked longer than the timeout (a big status write, a GC pause), libuv runs the expired timer
// before the poll phase delivers I/O that completed meanwhile, and a healthy service would be
// reported `Timeout` and restarted. So the timer only schedules the verdict: it is given from
// setImmediate, after the poll phase, and only if the I/O still has not settled by then.
export interface IoDeadline {
  clear(): void;
}

/**
 * Calls `expire` once `ms` have passed and the poll phase that follows has not settled the I/O
 * (the caller's `clear()` on settling cancels it). `progress` counts the I/O events seen so far;
 * if it moved between the timer and the verdict, the loop was too busy to let the peer take its
 * next step (e.g. answer a request only sent now), so the deadline is armed once more for `ms`.
 */
export function ioDeadline(ms: number, expire: () => void, progress: () => number = () => 0): IoDeadline {
  let timer: NodeJS.Timeout | undefined;
  let immediate: NodeJS.Immediate | undefined;
  let extended = false;
  const arm = (): void => {
    timer = setTimeout(() => {
      timer = undefined;
      const seen = progress();
      immediate = setImmediate(() => {
        immediate = undefined;
        if (progress() !== seen && !extended) {
          extended = true;
          return arm();
        }
        expire();
      });
    }, ms);
  };
  arm();
  return {
    clear() {
      if (timer) clearTimeout(timer);
      if (immediate) clearImmediate(immediate);
      timer = undefined;
      immediate = undefined;
    },
  };
}
