// What vaid's log says of status changes: each phase or check-health change, and the events a
// person reading the log must see (RecoveryFailed, BackOff, WaitingForDependency, ...). Check
// results and restarts have their own log lines.
import type { RecordedStatus } from '../status/store.js';
import type { Log } from '../core/log.js';
import type { ServiceStatus } from '../status/schema.js';
import type { ServiceChange } from '../status/store.js';

const EVENTS_LOGGED_ELSEWHERE = new Set(['CheckFailed', 'CheckPassed', 'Restarting', 'ExecutorUnavailable']);

export function logStatusChange(log: Log, c: ServiceChange): void {
  if (!c.status) return;
  const touched = (p: string) => c.ops.some((o) => o.path === p || o.path.startsWith(`${p}/`) || o.path === '');
  // A status recorded before its first check (NotCheckedYet) is not a transition yet.
  if ((touched('/phase') || touched('/lastCheck/health')) && c.status.lastCheck !== null) {
    const s = c.status;
    const was = c.previous?.lastCheck ? c.previous.phase : 'new';
    log.info({ service: s.name, generation: s.generation, phase: s.phase, was: was === 'new' ? null : was, check: s.lastCheck ? `${s.lastCheck.health}: ${s.lastCheck.message}` : null }, `${s.name}: ${was} -> ${s.phase}`);
  }
  logNewEvents(log, c.previous, c.status);
}

function logNewEvents(log: Log, previous: RecordedStatus | null, status: RecordedStatus): void {
  // The planner hands the previous list on when a reconcile recorded no event (most do).
  if (previous && status.events === previous.events) return;
  let since = '';
  for (const e of previous?.events ?? []) if (e.lastTime > since) since = e.lastTime;
  // Most reconciles record no event: leave before building the map below.
  if (!status.events.some((e) => e.lastTime >= since && !EVENTS_LOGGED_ELSEWHERE.has(e.reason))) return;
  const before = new Map((previous?.events ?? []).map((e) => [`${e.type}/${e.reason}/${e.message}`, e.count]));
  for (const e of status.events) {
    if (EVENTS_LOGGED_ELSEWHERE.has(e.reason)) continue;
    if (e.lastTime < since || before.get(`${e.type}/${e.reason}/${e.message}`) === e.count) continue;
    const rec = { service: status.name, generation: status.generation, event: e.reason, count: e.count };
    if (e.type === 'Warning') log.warn(rec, `${status.name}: ${e.reason}: ${e.message}`);
    else log.info(rec, `${status.name}: ${e.reason}: ${e.message}`);
  }
}
