// How long to wait before the next delivery attempt: exponential from `initialMs`, capped at
// `maxMs`; a server's Retry-After wins when it asks for longer (itself capped, so a bogus value
// cannot park the outbox for days). No jitter: one host talks to one server, there is no herd.
export interface RetryPolicy {
  initialMs: number;
  maxMs: number;
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { initialMs: 2_000, maxMs: 300_000, maxRetryAfterMs: 3_600_000 };

export function retryDelayMs(attempts: number, policy: RetryPolicy, retryAfterMs?: number): number {
  const exp = Math.min(policy.maxMs, policy.initialMs * 2 ** Math.max(0, Math.min(attempts - 1, 30)));
  if (retryAfterMs === undefined) return exp;
  return Math.max(exp, Math.min(retryAfterMs, policy.maxRetryAfterMs));
}
