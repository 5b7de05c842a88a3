// The seed's success rates, computed from counters instead of grepping logs:
//   health check success rate = (TOTAL - FAILURES) * 100 / TOTAL
//   auto-recovery success rate = RECOVERIES * 100 / attempts
// The seed divided recoveries by failed checks because each failed check triggered exactly one
// recovery; with failure thresholds and backoff that is no longer true, so vai divides by the
// recovery attempts it really made. Integer percent, as the seed's shell arithmetic gave.
import type { ServiceStatus } from '../../status/schema.js';

export function percent(part: number, whole: number): number | null {
  return whole > 0 ? Math.floor((part * 100) / whole) : null;
}

export function checkSuccessRate(counters: ServiceStatus['counters']): number | null {
  return percent(counters.checks - counters.failedChecks, counters.checks);
}

export function recoverySuccessRate(counters: ServiceStatus['counters']): number | null {
  return percent(counters.recoveriesSucceeded, counters.recoveriesAttempted);
}

export function formatRate(rate: number | null): string {
  return rate === null ? '<none>' : `${rate}%`;
}
