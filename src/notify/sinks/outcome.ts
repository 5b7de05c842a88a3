// What one delivery attempt came to. `retry` covers what time can fix (refused, timeout, 5xx,
// 429); `reject` what it cannot (bad token, bad topic): retrying those would loop forever.
export type DeliveryOutcome =
  | { type: 'delivered'; detail: string }
  | { type: 'retry'; reason: string; retryAfterMs?: number }
  | { type: 'reject'; reason: string };

/** Statuses of the 4xx family that a later attempt can still succeed with. */
const RETRYABLE_4XX = new Set([408, 425, 429]);

export function classifyHttpStatus(status: number): 'delivered' | 'retry' | 'reject' {
  if (status >= 200 && status < 300) return 'delivered';
  if (status >= 500 || RETRYABLE_4XX.has(status)) return 'retry';
  return 'reject';
}

/** Retry-After as seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, nowMs: number): number | undefined {
  if (!value) return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const t = Date.parse(v);
  if (Number.isNaN(t)) return undefined;
  return Math.max(0, t - nowMs);
}
