// The history store on real SQLite files in temp dirs, driven through the real recorder and
// writer on a manual clock: uptime on known timelines, rollup and retention, incidents and
// events, a damaged file, a file from a newer vai, and a writer that falls behind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, writeFileSync } from 'node:fs';
import BetterSqlite3 from 'better-sqlite3';
import { testdir } from '../../support/testdir.js';
import { openTimeline, runTimeline } from '../../support/history-timeline.js';
import { HistoryWriter } from '../../../src/history/writer.js';
import { openReader, HistoryTooNew, HistoryUnavailable } from '../../../src/history/database.js';
import { incidents, latencyQuantile, totals, uptimeRatio, windowParts } from '../../../src/history/query.js';
import { formatUptime, historyList, report, serviceSummary } from '../../../src/history/views.js';
import { emptyDelta, type Batch } from '../../../src/history/batch.js';
import { HistoryRecorder, type HistorySink } from '../../../src/history/recorder.js';
import { testClock as manualClock } from '../../../src/core/clock.js';
import { serviceStatus } from '../../e2e/web-fixtures.js';

const T0 = Date.UTC(2026, 2, 1); // a midnight
const MIN = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

test('a 6 min outage in 24 h of checks every 10 s is 99.583 % uptime, with one incident of 6 min closed by recovery', async () => {
  const dir = testdir();
  try {
    const file = dir.join('history.db');
    const tl = openTimeline(file, T0);
    await runTimeline(tl, [{ name: 'minio', intervalMs: 10_000, outages: [[T0 + 5 * HOUR, 6 * MIN]] }], T0 + DAY);
    await tl.recorder.close();
    const db = openReader(file);
    const t = totals(db, 'minio', T0, T0 + DAY);
    assert.equal(t.observedMs, DAY);
    assert.equal(t.downMs, 6 * MIN);
    assert.ok(Math.abs(uptimeRatio(t)! - 0.995833) < 1e-6, `uptime ${uptimeRatio(t)}`);
    assert.equal(formatUptime(uptimeRatio(t)), '99.58%');
    assert.equal(t.checks, 8641);
    assert.equal(t.failures, 36);
    const list = incidents(db, { sinceMs: T0 });
    assert.equal(list.length, 1);
    assert.equal(list[0]!.durationMs, 6 * MIN);
    assert.equal(list[0]!.closedBy, 'recovery');
    assert.equal(list[0]!.restarts, 1);
    const s = serviceSummary(db, 'minio', T0 + DAY);
    assert.equal(s.incidents7d.count, 1);
    assert.equal(s.incidents7d.mttrMs, 6 * MIN);
    assert.ok(s.latency24h.p50Ms! > 1 && s.latency24h.p50Ms! <= 3, `p50 ${s.latency24h.p50Ms}`);
    const r = report(db, T0, T0 + DAY);
    assert.equal(r.services[0]!.restarts, 1);
    assert.equal(r.total.recoverySuccessRate, 1);
    assert.equal(r.total.checkSuccessRate, (8641 - 36) / 8641);
    db.close();
  } finally {
    dir.remove();
  }
});

test('uptime over 7 and 30 days sums hours and days with minutes at the leading edge: exact on a known timeline', async () => {
  const dir = testdir();
  try {
    const file = dir.join('history.db');
    const tl = openTimeline(file, T0);
    // Checks every minute for 35 days; outages of 30 min on day 3 and 90 min on day 33.
    await runTimeline(tl, [{ name: 'pg', intervalMs: MIN, outages: [[T0 + 3 * DAY + 7 * HOUR, 30 * MIN], [T0 + 33 * DAY + 2 * HOUR, 90 * MIN]] }], T0 + 35 * DAY, DAY);
    await tl.recorder.close();
    const db = openReader(file);
    const now = T0 + 35 * DAY;
    const week = totals(db, 'pg', now - 7 * DAY, now);
    assert.equal(week.downMs, 90 * MIN);
    assert.equal(week.observedMs, 7 * DAY);
    const month = totals(db, 'pg', now - 30 * DAY, now);
    assert.equal(month.downMs, 90 * MIN);
    const all = totals(db, 'pg', T0, now);
    assert.equal(all.downMs, 120 * MIN);
    assert.deepEqual(windowParts(now - 30 * DAY, now).map((p) => p.table), ['days']);
    db.close();
  } finally {
    dir.remove();
  }
});

function delta(service: string, startMs: number) {
  const d = emptyDelta(service, Math.floor(startMs / 1000));
  d.checks = 6;
  d.failures = 1;
  d.observedMs = 60_000;
  d.downMs = 10_000;
  d.latencySumUs = 6000;
  d.latencyMaxUs = 2500;
  d.hist[1] = 6;
  return d;
}

function batch(seq: number, nowMs: number, rollups: ReturnType<typeof delta>[]): Batch {
  return { seq, nowMs, rollups, incidents: [], events: [], generations: [], droppedMinutes: 0 };
}

test('rollup and retention on a virtual clock: a minute lives 48 h, its hour 32 days, its day the retention, then it is gone', () => {
  const dir = testdir();
  try {
    const file = dir.join('history.db');
    const w = new HistoryWriter({ file, historyDays: 400, nowMs: T0 });
    const at = T0 + 10 * HOUR + 7 * MIN;
    w.apply(batch(1, at + MIN, [delta('api', at), delta('api', at + MIN)]));
    const raw = new BetterSqlite3(file, { readonly: true });
    const count = (table: string) => (raw.prepare(`SELECT count(*) AS n, coalesce(sum(checks), 0) AS checks, coalesce(sum(down_ms), 0) AS down FROM ${table}`).get() as { n: number; checks: number; down: number });
    assert.deepEqual(count('minutes'), { n: 2, checks: 12, down: 20_000 });
    assert.deepEqual(count('hours'), { n: 1, checks: 12, down: 20_000 });
    assert.deepEqual(count('days'), { n: 1, checks: 12, down: 20_000 });
    w.compact(at + 47 * HOUR);
    assert.equal(count('minutes').n, 2, 'still minutes before 48 h');
    w.compact(at + 49 * HOUR);
    assert.equal(count('minutes').n, 0, 'minutes gone after 48 h');
    assert.deepEqual(count('hours'), { n: 1, checks: 12, down: 20_000 });
    w.compact(at + 31 * DAY);
    assert.equal(count('hours').n, 1, 'the hour is kept past 30 days so a 30-day window starts on an hour');
    w.compact(at + 33 * DAY);
    assert.equal(count('hours').n, 0);
    assert.deepEqual(count('days'), { n: 1, checks: 12, down: 20_000 });
    const reader = openReader(file);
    assert.equal(totals(reader, 'api', T0, at + 33 * DAY).checks, 12, 'the window still counts them from the day row');
    reader.close();
    w.compact(at + 399 * DAY);
    assert.equal(count('days').n, 1);
    w.compact(at + 401 * DAY);
    assert.equal(count('days').n, 0, 'gone after --history-days');
    // A late delta for a minute already past 48 h goes to its hour and day only.
    w.apply(batch(2, at + 3 * DAY, [delta('api', at + 2 * HOUR)]));
    assert.equal(count('minutes').n, 0);
    assert.equal(count('hours').checks, 6);
    raw.close();
    w.close();
  } finally {
    dir.remove();
  }
});

test('latency quantiles come from the histogram: p50 and p95 inside the right buckets', () => {
  // 90 checks of ~2 ms (bucket 1..3 ms), 10 of ~50 ms (30..100 ms).
  const hist = [0, 90, 0, 0, 10, 0, 0, 0];
  const p50 = latencyQuantile({ hist, latencyMaxUs: 60_000 }, 0.5)!;
  const p95 = latencyQuantile({ hist, latencyMaxUs: 60_000 }, 0.95)!;
  assert.ok(p50 > 1 && p50 <= 3, `p50 ${p50}`);
  assert.ok(p95 > 30 && p95 <= 60, `p95 ${p95}`);
  assert.equal(latencyQuantile({ hist: [0, 0, 0, 0, 0, 0, 0, 0], latencyMaxUs: 0 }, 0.5), null);
});

test('incidents: closed by a stop or by the operator, the cause when status has one, the alerts sent with their delivery state', async () => {
  const dir = testdir();
  try {
    const file = dir.join('history.db');
    const tl = openTimeline(file, T0);
    const r = tl.recorder;
    const iso = (ms: number) => new Date(ms).toISOString();
    const base = serviceStatus('cache', { events: [], restarts: { count: 0, lastAt: null, lastReason: null } });
    const failing = { ...base, phase: 'Degraded' as const, phaseSince: iso(T0), lastCheck: { at: iso(T0), health: 'unhealthy' as const, reason: 'Timeout', latencyMs: 1000, message: 'timed out after 1s' }, incident: { seq: 1, open: true, notifiedFailure: true, notifiedCrashLoop: false, openedAt: iso(T0), attempts: 2 } };
    // The diagnosis' cause, where a vaid that has it puts it.
    Object.assign(failing, { cause: { reason: 'PortInUse', message: 'port 6379 is held by pid 4242 (redis-server)', evidence: ['ss -ltnp: users:(("redis-server",pid=4242))'] } });
    r.observe({ name: 'cache', status: failing, previous: base, ops: [] });
    tl.doc.services.cache = failing;
    tl.doc.alerts = { outboxSize: 0, dropped: 0, recent: [{ id: 'cache:failed:1', at: iso(T0 + 1000), service: 'cache', kind: 'failed', priority: 4, sink: 'ntfy', target: 'alerts', state: 'delivered', attempts: 1, lastError: null, deliveredAt: iso(T0 + 1200) }] };
    tl.clock.advance(5000);
    await r.flush();
    const stopped = { ...failing, desired: 'Stopped' as const, phase: 'Stopped' as const, phaseSince: iso(T0 + 30_000), incident: { ...failing.incident, open: false } };
    r.observe({ name: 'cache', status: stopped, previous: failing, ops: [] });
    // An incident of another service ended by the operator removing it.
    const other = { ...failing, name: 'queue', incident: { ...failing.incident, seq: 4 } };
    r.observe({ name: 'queue', status: other, previous: null, ops: [] });
    r.observe({ name: 'queue', status: null, previous: other, ops: [] });
    await r.close();
    const db = openReader(file);
    const list = historyList(db, { sinceMs: T0 - DAY }).items;
    const cache = list.find((i) => i.service === 'cache')!;
    assert.equal(cache.closedBy, 'stop');
    assert.equal(cache.durationMs, 30_000);
    assert.equal(cache.attempts, 2);
    assert.deepEqual(cache.cause, { reason: 'PortInUse', message: 'port 6379 is held by pid 4242 (redis-server)', evidence: ['ss -ltnp: users:(("redis-server",pid=4242))'] });
    assert.equal(cache.alertsSent, 1);
    assert.deepEqual(cache.alerts, [{ kind: 'failed', sink: 'ntfy', state: 'delivered', at: iso(T0 + 1000) }]);
    assert.equal(list.find((i) => i.service === 'queue')!.closedBy, 'operator');
    db.close();
  } finally {
    dir.remove();
  }
});

test('every event is kept, beyond the 50 status holds, and folded repeats update their row', async () => {
  const dir = testdir();
  try {
    const file = dir.join('history.db');
    const tl = openTimeline(file, T0);
    const services = [{ name: 'web', intervalMs: MIN, outages: Array.from({ length: 80 }, (_, i) => [T0 + i * HOUR + 10 * MIN, 2 * MIN] as [number, number]) }];
    await runTimeline(tl, services, T0 + 80 * HOUR);
    await tl.recorder.close();
    assert.equal(tl.statuses.get('web')!.events.length, 50);
    const raw = new BetterSqlite3(file, { readonly: true });
    assert.equal((raw.prepare("SELECT count(*) AS n FROM events WHERE reason = 'Recovered'").get() as { n: number }).n, 80);
    raw.close();
  } finally {
    dir.remove();
  }
});

test('a damaged database is moved aside with the time in its name, a new one started with a HistoryReset event, and /healthz says so until the next good write', async () => {
  const dir = testdir();
  try {
    const file = dir.join('history.db');
    writeFileSync(file, Buffer.alloc(8192, 0x5a));
    assert.throws(() => openReader(file), HistoryUnavailable);
    const tl = openTimeline(file, T0);
    await Promise.resolve();
    const aside = readdirSync(dir.path).filter((f) => f.startsWith('history.db.corrupt-'));
    assert.deepEqual(aside, ['history.db.corrupt-2026-03-01T00-00-00-000Z']);
    assert.match(tl.recorder.health() ?? '', /unreadable .*moved to .*history\.db\.corrupt-2026-03-01T00-00-00-000Z/);
    await runTimeline(tl, [{ name: 'api', intervalMs: 10_000 }], T0 + 5 * MIN);
    assert.equal(tl.recorder.health(), null, 'the next good write clears it');
    await tl.recorder.close();
    const db = openReader(file);
    assert.equal(totals(db, 'api', T0, T0 + HOUR).checks, 31);
    const reset = db.prepare("SELECT message FROM events WHERE reason = 'HistoryReset' AND service_id IS NULL").pluck().get() as string;
    assert.match(reset, /moved to .*corrupt/);
    db.close();
  } finally {
    dir.remove();
  }
});

test('a database written by a newer vai is refused with a clear message, and left as it is', async () => {
  const dir = testdir();
  try {
    const file = dir.join('history.db');
    const raw = new BetterSqlite3(file);
    raw.pragma('user_version = 99');
    raw.close();
    assert.throws(() => new HistoryWriter({ file, nowMs: T0 }), (e: unknown) => e instanceof HistoryTooNew && /newer vai \(history format 99; this vai reads up to 1\)/.test(e.message));
    assert.throws(() => openReader(file), HistoryTooNew);
    const tl = openTimeline(file, T0);
    assert.match(tl.recorder.health() ?? '', /newer vai/);
    await runTimeline(tl, [{ name: 'api', intervalMs: 10_000 }], T0 + MIN);
    await tl.recorder.close();
    const again = new BetterSqlite3(file, { readonly: true });
    assert.equal(again.pragma('user_version', { simple: true }), 99);
    assert.equal(readdirSync(dir.path).filter((f) => f.includes('corrupt')).length, 0);
    again.close();
  } finally {
    dir.remove();
  }
});

test('a writer that fails falls behind without losing a minute, says so, drops the oldest minutes past its bound with a counter, and catches up', async () => {
  const dir = testdir();
  try {
    const file = dir.join('history.db');
    const clock = manualClock(T0);
    // A stand-in for a failing disk in front of the real writer: it refuses while `broken`.
    const real = (await import('../../../src/history/sinks.js')).directSink({ file, historyDays: 400, nowMs: T0 });
    let broken = true;
    const sink: HistorySink = {
      refused: () => null,
      write: (b) => (broken ? Promise.resolve({ seq: b.seq, ok: false, error: 'SQLITE_FULL: database or disk is full', code: 'SQLITE_FULL', retry: true }) : real.write(b)),
      close: () => real.close(),
    };
    const r = new HistoryRecorder({ clock, sink, flushIntervalMs: 365 * DAY, maxPendingRows: 100, behindAfterMs: 60_000 });
    r.start(() => ({ manifests: { generation: 0 }, alerts: { recent: [] }, services: {} }) as never);
    let prev: ReturnType<typeof serviceStatus> | null = null;
    for (let i = 0; i <= 150; i++) {
      const at = new Date(T0 + i * MIN).toISOString();
      const s = serviceStatus('api', { lastCheck: { at, health: 'healthy', reason: 'CheckPassed', latencyMs: 2, message: 'HTTP 200' }, events: [] });
      clock.advance(i === 0 ? 0 : MIN);
      r.observe({ name: 'api', status: s, previous: prev, ops: [] });
      prev = s;
      if (i % 10 === 0) await r.flush();
    }
    assert.match(r.health() ?? '', /SQLITE_FULL/);
    assert.ok(r.stats.droppedMinutes >= 50, `dropped ${r.stats.droppedMinutes}`);
    assert.equal(r.stats.pendingRows, 100);
    broken = false;
    await r.flush();
    assert.equal(r.health(), null);
    await r.close();
    const db = openReader(file);
    const t = totals(db, 'api', T0, T0 + DAY);
    assert.equal(t.checks, 100, 'the newest 100 minutes were kept and written');
    assert.equal(Number(db.prepare("SELECT value FROM meta WHERE key = 'dropped_minutes'").pluck().get()), r.stats.droppedMinutes);
    db.close();
  } finally {
    dir.remove();
  }
});
