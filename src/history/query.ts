// What readers ask of history.db: incidents, uptime over a window, latency percentiles from the
// histogram, uptime bars and latency series for the page, and the report's numbers. Pure reads
// on a connection from openReader(); every time is unix ms in and out, windows are [since, until).
// A window is summed from the coarsest rows that fit inside it and finer rows at its leading
// edge (windowParts), so it is exact to the minute for the last 48 h, to the hour for the last
// 32 days, and to the day beyond, at the cost of a few dozen rows per service.
import { LATENCY_BOUNDS_MS, LATENCY_BUCKETS, LEVELS } from './sql-schema.js';
import type { AlertRef, CauseRecord, RollupDelta } from './batch.js';
import type { Db } from './database.js';

export interface IncidentItem {
  service: string;
  seq: number;
  openedAt: string;
  closedAt: string | null;
  durationMs: number | null;
  closedBy: 'recovery' | 'operator' | 'stop' | null;
  trigger: string;
  cause: CauseRecord | null;
  attempts: number;
  restarts: number;
  alertsSent: number;
  alerts: AlertRef[];
}

interface IncidentRow {
  name: string;
  seq: number;
  opened_ms: number;
  closed_ms: number | null;
  duration_ms: number | null;
  closed_by: IncidentItem['closedBy'];
  trigger: string;
  cause_reason: string | null;
  cause_message: string | null;
  cause_evidence: string | null;
  attempts: number;
  restarts: number;
  alerts_sent: number;
  alerts: string;
}

/** Incidents open at any time in [sinceMs, now], newest first. */
export function incidents(db: Db, q: { sinceMs: number; service?: string | undefined; limit?: number }): IncidentItem[] {
  const rows = db
    .prepare(
      `SELECT s.name, i.* FROM incidents i JOIN services s ON s.id = i.service_id
       WHERE (i.closed_ms IS NULL OR i.closed_ms >= @since) ${q.service ? 'AND s.name = @service' : ''}
       ORDER BY i.opened_ms DESC, s.name LIMIT @limit`,
    )
    .all({ since: q.sinceMs, service: q.service ?? null, limit: q.limit ?? 10_000 }) as IncidentRow[];
  return rows.map((r) => ({
    service: r.name,
    seq: r.seq,
    openedAt: new Date(r.opened_ms).toISOString(),
    closedAt: r.closed_ms === null ? null : new Date(r.closed_ms).toISOString(),
    durationMs: r.duration_ms,
    closedBy: r.closed_by,
    trigger: r.trigger,
    cause: r.cause_reason ? { reason: r.cause_reason, message: r.cause_message ?? '', evidence: safeJson(r.cause_evidence, []) } : null,
    attempts: r.attempts,
    restarts: r.restarts,
    alertsSent: r.alerts_sent,
    alerts: safeJson(r.alerts, []),
  }));
}

function safeJson<T>(text: string | null, fallback: T): T {
  if (text === null) return fallback;
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}

/** A span's sums: the rollup columns of batch.ts' RollupDelta, added up. */
export type Totals = Omit<RollupDelta, 'service' | 'start'>;

const HIST_SUMS = Array.from({ length: LATENCY_BUCKETS }, (_, i) => `sum(h${i}) AS h${i}`).join(', ');
const TOTALS = `sum(checks) AS checks, sum(failures) AS failures, sum(unknowns) AS unknowns, sum(latency_sum_us) AS latency_sum_us, max(latency_max_us) AS latency_max_us, ${HIST_SUMS}, sum(observed_ms) AS observed_ms, sum(down_ms) AS down_ms, sum(restarts) AS restarts`;

type TotalsRow = Record<string, number | null>;

function toTotals(r: TotalsRow | undefined): Totals {
  const n = (k: string) => Number(r?.[k] ?? 0);
  return {
    checks: n('checks'),
    failures: n('failures'),
    unknowns: n('unknowns'),
    latencySumUs: n('latency_sum_us'),
    latencyMaxUs: n('latency_max_us'),
    hist: Array.from({ length: LATENCY_BUCKETS }, (_, i) => n(`h${i}`)),
    observedMs: n('observed_ms'),
    downMs: n('down_ms'),
    restarts: n('restarts'),
  };
}

export interface WindowPart {
  table: (typeof LEVELS)[number]['table'];
  /** Unix s: rows that start in [from, to). */
  from: number;
  to: number;
}

/**
 * The rows that sum to [sinceMs, now): the coarsest level whose span fits twice in the window for
 * its bulk, then finer levels back to `since`, as far as a finer level still keeps rows there.
 */
export function windowParts(sinceMs: number, nowMs: number): WindowPart[] {
  const sinceS = Math.floor(sinceMs / 1000);
  const nowS = Math.floor(nowMs / 1000);
  const kept = (i: number, t: number) => t >= nowS - LEVELS[i]!.keepS + LEVELS[i]!.span;
  let level = LEVELS.length - 1;
  while (level > 0 && LEVELS[level]!.span * 2 > nowS - sinceS) level--;
  const parts: WindowPart[] = [];
  let to = Number.MAX_SAFE_INTEGER;
  for (let i = level; i >= 0; i--) {
    const span = LEVELS[i]!.span;
    const aligned = Math.ceil(sinceS / span) * span;
    const finer = i > 0 && kept(i - 1, sinceS);
    if (!finer || aligned === sinceS) {
      parts.push({ table: LEVELS[i]!.table, from: finer ? aligned : sinceS, to });
      break;
    }
    if (aligned < to) parts.push({ table: LEVELS[i]!.table, from: aligned, to });
    to = Math.min(to, aligned);
  }
  return parts;
}

function addTotals(a: Totals, b: Totals): Totals {
  return {
    checks: a.checks + b.checks,
    failures: a.failures + b.failures,
    unknowns: a.unknowns + b.unknowns,
    latencySumUs: a.latencySumUs + b.latencySumUs,
    latencyMaxUs: Math.max(a.latencyMaxUs, b.latencyMaxUs),
    hist: a.hist.map((v, i) => v + (b.hist[i] ?? 0)),
    observedMs: a.observedMs + b.observedMs,
    downMs: a.downMs + b.downMs,
    restarts: a.restarts + b.restarts,
  };
}

const EMPTY: Totals = toTotals(undefined);

function sumById(db: Db, ids: number[], sinceMs: number, nowMs: number): Totals[] {
  const parts = windowParts(sinceMs, nowMs);
  const stmts = parts.map((p) => db.prepare(`SELECT ${TOTALS} FROM ${p.table} WHERE service_id = ? AND start >= ? AND start < ?`));
  // One primary-key range per service and part: no index on start, and no scan of other services' rows.
  return ids.map((id) => parts.reduce((acc, p, i) => addTotals(acc, toTotals(stmts[i]!.get(id, p.from, p.to) as TotalsRow | undefined)), EMPTY));
}

/** Sums of one service's rollups in [sinceMs, nowMs). */
export function totals(db: Db, service: string, sinceMs: number, nowMs: number): Totals {
  const id = db.prepare('SELECT id FROM services WHERE name = ?').pluck().get(service) as number | undefined;
  return id === undefined ? EMPTY : sumById(db, [id], sinceMs, nowMs)[0]!;
}

/** Sums of every service's rollups in [sinceMs, nowMs), by name. */
export function totalsByService(db: Db, sinceMs: number, nowMs: number): Map<string, Totals> {
  const services = db.prepare('SELECT id, name FROM services ORDER BY name').all() as { id: number; name: string }[];
  const sums = sumById(db, services.map((s) => s.id), sinceMs, nowMs);
  return new Map(services.map((s, i) => [s.name, sums[i]!]));
}

/** Share of observed time the service was up (0..1), or null when nothing was observed. */
export function uptimeRatio(t: Pick<Totals, 'observedMs' | 'downMs'>): number | null {
  return t.observedMs > 0 ? 1 - t.downMs / t.observedMs : null;
}

/** The q-quantile (0..1) of latency in ms, interpolated inside its histogram bucket; null without checks. */
export function latencyQuantile(t: Pick<Totals, 'hist' | 'latencyMaxUs'>, q: number): number | null {
  const n = t.hist.reduce((a, b) => a + b, 0);
  if (n === 0) return null;
  const maxMs = t.latencyMaxUs / 1000;
  const target = q * n;
  let seen = 0;
  for (let i = 0; i < t.hist.length; i++) {
    const c = t.hist[i]!;
    if (c === 0) continue;
    if (seen + c >= target) {
      const lo = i === 0 ? 0 : LATENCY_BOUNDS_MS[i - 1]!;
      const hi = Math.min(i < LATENCY_BOUNDS_MS.length ? LATENCY_BOUNDS_MS[i]! : Math.max(maxMs, lo), Math.max(maxMs, lo));
      return lo + (hi - lo) * ((target - seen) / c);
    }
    seen += c;
  }
  return maxMs;
}

export interface Bar {
  /** Unix ms of the bar's start. */
  start: number;
  spanMs: number;
  checks: number;
  failures: number;
  observedMs: number;
  downMs: number;
}

/** One bar per `stepMs` from sinceMs to untilMs (empty bars included), oldest first. */
export function bars(db: Db, service: string, sinceMs: number, untilMs: number, stepMs: number, table: WindowPart['table']): Bar[] {
  const stepS = Math.round(stepMs / 1000);
  const sinceS = Math.floor(sinceMs / 1000 / stepS) * stepS;
  const rows = db
    .prepare(
      `SELECT (start / ${stepS}) * ${stepS} AS slot, sum(checks) AS checks, sum(failures) AS failures, sum(observed_ms) AS observed_ms, sum(down_ms) AS down_ms
       FROM ${table} WHERE service_id = (SELECT id FROM services WHERE name = ?) AND start >= ? AND start < ? GROUP BY slot`,
    )
    .all(service, sinceS, Math.floor(untilMs / 1000)) as { slot: number; checks: number; failures: number; observed_ms: number; down_ms: number }[];
  const bySlot = new Map(rows.map((r) => [r.slot, r]));
  const out: Bar[] = [];
  for (let s = sinceS; s * 1000 < untilMs; s += stepS) {
    const r = bySlot.get(s);
    out.push({ start: s * 1000, spanMs: stepS * 1000, checks: r?.checks ?? 0, failures: r?.failures ?? 0, observedMs: r?.observed_ms ?? 0, downMs: r?.down_ms ?? 0 });
  }
  return out;
}

export interface LatencyPoint {
  start: number;
  spanMs: number;
  checks: number;
  avgMs: number | null;
  maxMs: number | null;
}

/** Average and highest latency per `stepMs` slot, oldest first. */
export function latencySeries(db: Db, service: string, sinceMs: number, untilMs: number, stepMs: number, table: WindowPart['table']): LatencyPoint[] {
  const stepS = Math.round(stepMs / 1000);
  const sinceS = Math.floor(sinceMs / 1000 / stepS) * stepS;
  const rows = db
    .prepare(
      `SELECT (start / ${stepS}) * ${stepS} AS slot, sum(checks) AS checks, sum(latency_sum_us) AS sum_us, max(latency_max_us) AS max_us
       FROM ${table} WHERE service_id = (SELECT id FROM services WHERE name = ?) AND start >= ? AND start < ? GROUP BY slot`,
    )
    .all(service, sinceS, Math.floor(untilMs / 1000)) as { slot: number; checks: number; sum_us: number; max_us: number }[];
  const bySlot = new Map(rows.map((r) => [r.slot, r]));
  const out: LatencyPoint[] = [];
  for (let s = sinceS; s * 1000 < untilMs; s += stepS) {
    const r = bySlot.get(s);
    const has = r !== undefined && r.checks > 0;
    out.push({ start: s * 1000, spanMs: stepS * 1000, checks: r?.checks ?? 0, avgMs: has ? r.sum_us / r.checks / 1000 : null, maxMs: has ? r.max_us / 1000 : null });
  }
  return out;
}

export interface IncidentSummary {
  count: number;
  closed: number;
  /** Mean time to recover of the incidents closed in the window, ms. */
  mttrMs: number | null;
  attempts: number;
  recovered: number;
  alertsSent: number;
}

/** Incidents opened in [sinceMs, now), by service. */
export function incidentSummaries(db: Db, sinceMs: number, service?: string): Map<string, IncidentSummary> {
  const rows = db
    .prepare(
      `SELECT s.name, count(*) AS count, count(i.closed_ms) AS closed, avg(i.duration_ms) AS mttr, sum(i.attempts) AS attempts,
         sum(CASE WHEN i.closed_by = 'recovery' AND i.attempts > 0 THEN 1 ELSE 0 END) AS recovered, sum(i.alerts_sent) AS alerts
       FROM incidents i JOIN services s ON s.id = i.service_id WHERE i.opened_ms >= ? ${service ? 'AND s.name = ?' : ''} GROUP BY i.service_id`,
    )
    .all(...(service ? [sinceMs, service] : [sinceMs])) as { name: string; count: number; closed: number; mttr: number | null; attempts: number; recovered: number; alerts: number }[];
  return new Map(rows.map((r) => [r.name, { count: r.count, closed: r.closed, mttrMs: r.mttr, attempts: r.attempts ?? 0, recovered: r.recovered ?? 0, alertsSent: r.alerts ?? 0 }]));
}

export interface WriterState {
  lastWriteMs: number | null;
  droppedMinutes: number;
}

export function writerState(db: Db): WriterState {
  const rows = db.prepare("SELECT key, value FROM meta WHERE key IN ('last_write_ms', 'dropped_minutes')").all() as { key: string; value: string }[];
  const m = new Map(rows.map((r) => [r.key, Number(r.value)]));
  return { lastWriteMs: m.get('last_write_ms') ?? null, droppedMinutes: m.get('dropped_minutes') ?? 0 };
}
