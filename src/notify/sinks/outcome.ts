// What one delivery attempt came to. `retry` covers what time can fix (refused, timeout, 5xx,
// 429); `reject` what it cannot (bad token, bad topic): retrying those would loop forever.
// `unsent` says the server certainly did not take the notification (the connection was refused,
// or it answered a 4xx): without it a failed attempt may still have arrived (a timeout, a reset,
// a 5xx from a proxy in front of the server), and the next attempt first asks the server.
export type DeliveryOutcome =
  | { type: 'delivered'; detail: string; messageId?: string }
  | { type: 'retry'; reason: string; retryAfterMs?: number; unsent?: true }
  /** `config`: the Notifier itself is wrong (a redirect, a bad URL); shown in status and /healthz until a delivery to it succeeds. */
  | { type: 'reject'; reason: string; config?: true };

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
