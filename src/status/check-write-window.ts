// How far status.json may lag behind the checks. A write that only records another passing check
// (lastCheck, counters, nextCheckAt) changes nothing a reader acts on, yet each costs a render,
// a write, an fsync and a rename of two files: at 50 services checked every 60 s, one such write
// every 1.5 s was the largest part of an idle vaid's own work (docs/performance.md, issue 23).
// The window follows the shortest check interval of the host, so `vaictl get`'s LAST CHECK is at
// most about one interval behind, from 1.5 s (checks every second) up to 10 s. Any change of
// phase, condition, generation or recovery is still written within 50 ms (status/store.ts).
import type { DesiredService } from '../manifest/types.js';

export const CHECK_WRITE_MIN_MS = 1_500;
export const CHECK_WRITE_MAX_MS = 10_000;

export function checkWriteWindowMs(services: Iterable<DesiredService>): number {
  let shortest = Infinity;
  for (const svc of services) shortest = Math.min(shortest, svc.spec.health_check.interval_seconds * 1000);
  return Math.min(CHECK_WRITE_MAX_MS, Math.max(CHECK_WRITE_MIN_MS, shortest));
}
