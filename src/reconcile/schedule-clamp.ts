// Every delay vai computes stays inside what the service's policy allows (issue 16, finding 8).
// Schedules run on the steady clock (core/clock.ts), but times kept in status outlive the
// process: a status reloaded after a wall-clock step, or written on another clock, can hold a
// backoff or a verify deadline an hour away. A time further off than the policy could ever
// have set is from another timeline; it is brought back to the furthest the policy allows, and
// the corrected time is recorded, so the next plan sees the same one.
import type { ServiceSpec } from '../manifest/schema.js';
import type { ServiceStatus } from '../status/schema.js';
import { CHECK_TICK_MS } from './check-ticks.js';

/** The longest wait before the next look at a service: an interval with its +10 % jitter, on the tick grid. */
export function longestLookMs(spec: ServiceSpec): number {
  return Math.ceil(spec.health_check.interval_seconds * 1000 * 1.1) + CHECK_TICK_MS;
}

/** A requeue delay within [0, the longest the policy allows]. */
export function clampRequeue(afterMs: number, spec: ServiceSpec): number {
  const ms = Number.isFinite(afterMs) ? afterMs : 0;
  return Math.min(Math.max(0, ms), Math.max(longestLookMs(spec), spec.startup_delay_seconds * 1000));
}

/**
 * Brings the times of a status being planned back inside the policy: the next attempt no later
 * than now + backoff_max_seconds, a verify deadline no later than now + startup_delay_seconds,
 * failure times no later than now. `s` is the planner's editable copy; returns it.
 */
export function clampTimes(s: ServiceStatus, now: number, spec: ServiceSpec, iso: (ms: number) => string): ServiceStatus {
  const b = s.backoff;
  if (b.nextAttemptAt !== null) {
    const limit = now + Math.max(b.delaySeconds, 0) * 1000;
    if (Date.parse(b.nextAttemptAt) > now + spec.backoff_max_seconds * 1000 || Number.isNaN(Date.parse(b.nextAttemptAt))) s.backoff = { ...b, nextAttemptAt: iso(limit) };
  }
  if (s.backoff.failures.some((f) => Date.parse(f) > now)) s.backoff = { ...s.backoff, failures: s.backoff.failures.map((f) => (Date.parse(f) > now ? iso(now) : f)) };
  const r = s.recovery;
  if (r?.deadline && Date.parse(r.deadline) > now + spec.startup_delay_seconds * 1000) s.recovery = { ...r, deadline: iso(now + spec.startup_delay_seconds * 1000) };
  if (s.backoff.healthySince !== null && Date.parse(s.backoff.healthySince) > now) s.backoff = { ...s.backoff, healthySince: iso(now) };
  return s;
}
