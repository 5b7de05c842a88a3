// The status of a service vai has never seen before.
import type { DesiredService } from '../manifest/types.js';
import type { ServiceStatus } from './schema.js';
import { setCondition } from './conditions.js';

export type DesiredRun = ServiceStatus['desired'];

export function newServiceStatus(service: DesiredService, desired: DesiredRun, now: string): ServiceStatus {
  return {
    name: service.name,
    generation: service.generation,
    observedGeneration: 0,
    desired,
    phase: 'Unknown',
    phaseSince: now,
    createdAt: now,
    labels: { ...service.labels },
    source: { file: service.source.file, line: service.source.line, column: service.source.column },
    conditions: [],
    restarts: { count: 0, lastAt: null, lastReason: null },
    lastCheck: null,
    nextCheckAt: null,
    consecutiveFailures: 0,
    consecutiveSuccesses: 0,
    counters: { checks: 0, failedChecks: 0, recoveriesAttempted: 0, recoveriesSucceeded: 0 },
    backoff: { failures: [], delaySeconds: 0, nextAttemptAt: null, healthySince: null },
    recovery: null,
    incident: { seq: 0, open: false, notifiedFailure: false, notifiedCrashLoop: false, openedAt: null, attempts: 0 },
    events: [],
  };
}

/**
 * A service applied but not checked yet: in status from the moment it is applied (kubectl
 * shows every applied object at once), phase Unknown, reason NotCheckedYet, due at `dueAt`.
 */
export function notCheckedYet(service: DesiredService, desired: DesiredRun, now: number, dueAt: number): ServiceStatus {
  const t = new Date(now).toISOString();
  const s = newServiceStatus(service, desired, t);
  s.conditions = setCondition([], { type: 'Healthy', status: 'Unknown', reason: 'NotCheckedYet', message: 'not checked yet' }, t, service.generation);
  s.nextCheckAt = new Date(dueAt).toISOString();
  return s;
}
