// How long a key that failed waits before it runs again: client-go's rate limiter contract
// (`When`, `Forget`, `NumRequeues`, util/workqueue/default_rate_limiters.go). Per key, the wait
// doubles from baseMs up to maxMs with each failure in a row; forget() (a reconcile that
// succeeded) starts it over. A flat 1 s retry on any throw retried a reconcile that failed for
// good 3,600 times an hour; exponential backoff reaches maxMs in a few steps.

export interface RateLimiter {
  /** The delay (ms) before key runs again after one more failure. */
  when(key: string): number;
  /** The key succeeded: its next failure starts from the base delay again. */
  forget(key: string): void;
  /** Failures in a row of key so far. */
  retries(key: string): number;
}

export function exponentialRateLimiter(baseMs = 1000, maxMs = 5 * 60_000): RateLimiter {
  const failures = new Map<string, number>();
  return {
    when(key) {
      const n = failures.get(key) ?? 0;
      failures.set(key, n + 1);
      // 2^n overflows to Infinity long before n does; the min keeps it at maxMs.
      return Math.min(maxMs, baseMs * 2 ** Math.min(n, 52));
    },
    forget(key) {
      failures.delete(key);
    },
    retries: (key) => failures.get(key) ?? 0,
  };
}

/** client-go's MaxOfRateLimiter: the longest wait any of them asks for. */
export function maxOf(...limiters: RateLimiter[]): RateLimiter {
  return {
    when: (key) => Math.max(...limiters.map((l) => l.when(key))),
    forget: (key) => limiters.forEach((l) => l.forget(key)),
    retries: (key) => Math.max(...limiters.map((l) => l.retries(key))),
  };
}
