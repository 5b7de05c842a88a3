// Runs a check while the event loop is blocked, as a long synchronous job in vaid would block it.

/**
 * Starts a check, then keeps the event loop busy for `ms`. From a setImmediate callback, as the
 * loop goes next to its timers and only then polls for I/O: the connect (issued on the next
 * tick, before the busy loop) completes in the kernel meanwhile, and the check's timer is
 * overdue before the loop can see it.
 */
export function checkWhileLoopBlocked<T>(start: () => Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) =>
    setImmediate(() => {
      start().then(resolve, reject);
      process.nextTick(() => {
        const end = performance.now() + ms;
        while (performance.now() < end);
      });
    }),
  );
}
