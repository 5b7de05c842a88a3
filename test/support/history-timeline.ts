// Drives the real HistoryRecorder (and through directSink the real writer and a real SQLite
// file) with a known timeline of checks on a manual clock: each service is checked every
// intervalMs, unhealthy inside its outages, and each outage is one incident closed by a restart.
// The statuses are shaped as the planner writes them (only the fields history reads change).
import { testClock as manualClock, type TestClock as ManualClock } from '../../src/core/clock.js';
import { HistoryRecorder } from '../../src/history/recorder.js';
import { directSink } from '../../src/history/sinks.js';
import type { ServiceStatus, StatusDocument } from '../../src/status/schema.js';
import { serviceStatus, statusDocument } from '../e2e/web-fixtures.js';

export interface TimelineService {
  name: string;
  intervalMs: number;
  /** [start ms, duration ms] of each outage. */
  outages?: [number, number][];
  latencyMs?: (t: number) => number;
}

export interface Timeline {
  clock: ManualClock;
  recorder: HistoryRecorder;
  sink: ReturnType<typeof directSink>;
  doc: StatusDocument;
  statuses: Map<string, ServiceStatus>;
}

export function openTimeline(file: string, startMs: number, historyDays = 400): Timeline {
  const clock = manualClock(startMs);
  const sink = directSink({ file, historyDays, nowMs: startMs, onNotice: (n) => n.movedAside && recorder.noteReset(n.movedAside.to, n.movedAside.reason) });
  // Batches are written by explicit flush() calls, so the test decides what is committed when.
  const recorder: HistoryRecorder = new HistoryRecorder({ clock, sink, flushIntervalMs: 365 * 86_400_000, maxPendingRows: 10_000_000 });
  const doc = statusDocument([]);
  recorder.start(() => doc);
  return { clock, recorder, sink, doc, statuses: new Map() };
}

/** Runs every service's checks from now until untilMs, flushing a batch every flushEveryMs. */
export async function runTimeline(tl: Timeline, services: TimelineService[], untilMs: number, flushEveryMs = 3_600_000): Promise<void> {
  const next = new Map(services.map((s) => [s.name, tl.clock.now()]));
  let nextFlush = tl.clock.now() + flushEveryMs;
  for (;;) {
    let name: string | null = null;
    let at = Infinity;
    for (const [n, t] of next) if (t < at) [name, at] = [n, t];
    if (name === null || at > untilMs) break;
    if (at > tl.clock.now()) tl.clock.advance(at - tl.clock.now());
    const svc = services.find((s) => s.name === name)!;
    checkOnce(tl, svc, at);
    next.set(name, at + svc.intervalMs);
    if (at >= nextFlush) {
      await tl.recorder.flush();
      nextFlush = at + flushEveryMs;
    }
  }
  if (untilMs > tl.clock.now()) tl.clock.advance(untilMs - tl.clock.now());
  await tl.recorder.flush();
}

function checkOnce(tl: Timeline, svc: TimelineService, at: number): void {
  const previous = tl.statuses.get(svc.name) ?? null;
  const base = previous ?? serviceStatus(svc.name, { restarts: { count: 0, lastAt: null, lastReason: null }, events: [], lastCheck: null });
  const down = (svc.outages ?? []).some(([s, d]) => at >= s && at < s + d);
  const iso = new Date(at).toISOString();
  const latencyMs = down ? 0.4 : (svc.latencyMs?.(at) ?? 3);
  const inc = base.incident;
  const status: ServiceStatus = {
    ...base,
    lastCheck: { at: iso, health: down ? 'unhealthy' : 'healthy', reason: down ? 'ConnectionRefused' : 'CheckPassed', latencyMs, message: down ? `connect ECONNREFUSED 127.0.0.1:80` : 'HTTP 200' },
  };
  if (down && !inc.open) {
    status.incident = { seq: inc.seq + 1, open: true, notifiedFailure: false, notifiedCrashLoop: false, openedAt: iso, attempts: 1 };
    status.phase = 'Recovering';
    status.phaseSince = iso;
    status.recovery = { state: 'Verifying', attempt: 1, reason: 'connect ECONNREFUSED 127.0.0.1:80, 1 consecutive failure', startedAt: iso, deadline: null };
  } else if (!down && inc.open) {
    status.incident = { ...inc, open: false };
    status.phase = 'Healthy';
    status.phaseSince = iso;
    status.recovery = null;
    status.restarts = { count: base.restarts.count + 1, lastAt: iso, lastReason: 'connect ECONNREFUSED 127.0.0.1:80' };
    status.events = [...base.events.slice(-49), { type: 'Normal', reason: 'Recovered', message: `healthy again after attempt 1 (${status.restarts.count})`, count: 1, firstTime: iso, lastTime: iso }];
  }
  tl.statuses.set(svc.name, status);
  tl.doc.services[svc.name] = status;
  tl.recorder.observe({ name: svc.name, status, previous, ops: [] });
}
