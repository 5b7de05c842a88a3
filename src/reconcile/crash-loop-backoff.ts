// The crash-loop policy, as pure functions of the spec and the times in status: at most
// max_failures failed attempts within failure_window_seconds, then exponential delays
// (backoff_initial_seconds, doubling, capped at backoff_max_seconds), forgotten after the
// service stays healthy backoff_reset_seconds. vai never gives up: at the cap it keeps retrying.
import type { ServiceSpec } from '../manifest/schema.js';

/** Failure times (ISO) still inside the window ending at now. */
export function failuresInWindow(failures: readonly string[], now: number, spec: ServiceSpec): string[] {
  const since = now - spec.failure_window_seconds * 1000;
  return failures.filter((f) => Date.parse(f) > since);
}

/**
 * Delay in seconds before the next attempt after a failed one, or 0 for "retry now".
 * Once in backoff (currentDelay > 0) every further failure backs off, doubling to the cap.
 */
export function nextBackoffDelay(failuresCount: number, currentDelaySeconds: number, spec: ServiceSpec): number {
  if (currentDelaySeconds > 0) return Math.min(currentDelaySeconds * 2, spec.backoff_max_seconds);
  if (failuresCount >= spec.max_failures) return Math.min(spec.backoff_initial_seconds, spec.backoff_max_seconds);
  return 0;
}

/** A service healthy since healthySince forgets its backoff after backoff_reset_seconds. */
export function backoffExpired(healthySince: string | null, now: number, spec: ServiceSpec): boolean {
  return healthySince !== null && now - Date.parse(healthySince) >= spec.backoff_reset_seconds * 1000;
}

/**
 * How soon to poll the check while verifying a restart: fast at first (25 ms), slower as the
 * service takes longer (a quarter of the time since the command returned, at most 500 ms).
 */
export function verifyPollDelay(sinceCommandMs: number): number {
  return Math.round(Math.min(500, Math.max(25, sinceCommandMs / 4)));
}
