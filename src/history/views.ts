// The shapes vaictl and the web endpoint show, built from query.ts: the incident list
// (`vaictl history -o json` = /api/history), one service's summary for describe and the page,
// the report's numbers (the seed's "Monitoring Auto-Recovery" figures) and the page's bars and
// latency series. Pure functions of a reader connection and `now`.
import { DAY, HOUR } from './sql-schema.js';
import type { Db } from './database.js';
import { bars, incidents, incidentSummaries, latencyQuantile, latencySeries, totals, totalsByService, uptimeRatio, writerState, type Bar, type IncidentItem, type LatencyPoint, type Totals } from './query.js';

export interface HistoryList {
  apiVersion: 'vai/v1';
  kind: 'HistoryList';
  since: string;
  items: IncidentItem[];
}

export function historyList(db: Db, q: { service?: string | undefined; sinceMs: number }): HistoryList {
  return { apiVersion: 'vai/v1', kind: 'HistoryList', since: new Date(q.sinceMs).toISOString(), items: incidents(db, q) };
}

export interface ServiceSummary {
  uptime: { '24h': number | null; '7d': number | null; '30d': number | null };
  latency24h: { p50Ms: number | null; p95Ms: number | null; hourlyAvgMs: (number | null)[] };
  incidents7d: { count: number; mttrMs: number | null };
  writer: { lastWriteAt: string | null; droppedMinutes: number };
}

export function serviceSummary(db: Db, name: string, nowMs: number): ServiceSummary {
  const day = totals(db, name, nowMs - DAY * 1000, nowMs);
  const week = totals(db, name, nowMs - 7 * DAY * 1000, nowMs);
  const month = totals(db, name, nowMs - 30 * DAY * 1000, nowMs);
  const inc = incidentSummaries(db, nowMs - 7 * DAY * 1000, name).get(name);
  const w = writerState(db);
  const hourly = latencySeries(db, name, nowMs - DAY * 1000 + HOUR * 1000, nowMs, HOUR * 1000, 'hours');
  return {
    uptime: { '24h': uptimeRatio(day), '7d': uptimeRatio(week), '30d': uptimeRatio(month) },
    latency24h: { p50Ms: latencyQuantile(day, 0.5), p95Ms: latencyQuantile(day, 0.95), hourlyAvgMs: hourly.map((p) => p.avgMs) },
    incidents7d: { count: inc?.count ?? 0, mttrMs: inc?.mttrMs ?? null },
    writer: { lastWriteAt: w.lastWriteMs === null ? null : new Date(w.lastWriteMs).toISOString(), droppedMinutes: w.droppedMinutes },
  };
}

/** UPTIME (24h) of every service, for get -o wide. */
export function uptimes24h(db: Db, nowMs: number): Map<string, number | null> {
  const out = new Map<string, number | null>();
  for (const [name, t] of totalsByService(db, nowMs - DAY * 1000, nowMs)) out.set(name, uptimeRatio(t));
  return out;
}

export interface ReportRow {
  service: string;
  checks: number;
  failedChecks: number;
  /** Health-check success rate (0..1), null without checks. */
  checkSuccessRate: number | null;
  uptime: number | null;
  recoveriesAttempted: number;
  recoveriesSucceeded: number;
  /** Auto-recovery success rate (0..1), null when nothing was attempted. */
  recoverySuccessRate: number | null;
  restarts: number;
  incidents: number;
  alertsSent: number;
}

export interface Report {
  apiVersion: 'vai/v1';
  kind: 'Report';
  since: string;
  until: string;
  services: ReportRow[];
  total: Omit<ReportRow, 'service'>;
}

export function report(db: Db, sinceMs: number, nowMs: number): Report {
  const sums = totalsByService(db, sinceMs, nowMs);
  const inc = incidentSummaries(db, sinceMs);
  const names = [...new Set([...sums.keys(), ...inc.keys()])].sort();
  const rows = names.map((service) => reportRow(service, sums.get(service), inc.get(service)));
  const total = rows.reduce(
    (a, r) => ({ ...a, checks: a.checks + r.checks, failedChecks: a.failedChecks + r.failedChecks, recoveriesAttempted: a.recoveriesAttempted + r.recoveriesAttempted, recoveriesSucceeded: a.recoveriesSucceeded + r.recoveriesSucceeded, restarts: a.restarts + r.restarts, incidents: a.incidents + r.incidents, alertsSent: a.alertsSent + r.alertsSent, observedMs: a.observedMs + (sums.get(r.service)?.observedMs ?? 0), downMs: a.downMs + (sums.get(r.service)?.downMs ?? 0) }),
    { checks: 0, failedChecks: 0, recoveriesAttempted: 0, recoveriesSucceeded: 0, restarts: 0, incidents: 0, alertsSent: 0, observedMs: 0, downMs: 0 },
  );
  return {
    apiVersion: 'vai/v1',
    kind: 'Report',
    since: new Date(sinceMs).toISOString(),
    until: new Date(nowMs).toISOString(),
    services: rows,
    total: {
      checks: total.checks,
      failedChecks: total.failedChecks,
      checkSuccessRate: rate(total.checks - total.failedChecks, total.checks),
      uptime: uptimeRatio(total),
      recoveriesAttempted: total.recoveriesAttempted,
      recoveriesSucceeded: total.recoveriesSucceeded,
      recoverySuccessRate: rate(total.recoveriesSucceeded, total.recoveriesAttempted),
      restarts: total.restarts,
      incidents: total.incidents,
      alertsSent: total.alertsSent,
    },
  };
}

function reportRow(service: string, t: Totals | undefined, i: ReturnType<typeof incidentSummaries> extends Map<string, infer V> ? V | undefined : never): ReportRow {
  const checks = t?.checks ?? 0;
  const failed = t?.failures ?? 0;
  const attempted = i?.attempts ?? 0;
  const succeeded = Math.min(attempted, i?.recovered ?? 0);
  return {
    service,
    checks,
    failedChecks: failed,
    checkSuccessRate: rate(checks - failed, checks),
    uptime: t ? uptimeRatio(t) : null,
    recoveriesAttempted: attempted,
    recoveriesSucceeded: succeeded,
    recoverySuccessRate: rate(succeeded, attempted),
    restarts: t?.restarts ?? 0,
    incidents: i?.count ?? 0,
    alertsSent: i?.alertsSent ?? 0,
  };
}

function rate(part: number, whole: number): number | null {
  return whole > 0 ? part / whole : null;
}

export interface PageHistory {
  service: string;
  now: string;
  /** 48 hourly bars and 90 daily bars, oldest first. */
  hours: Bar[];
  days: Bar[];
  /** 24 h in 15-minute points, 7 d in 2-hour points. */
  latency24h: LatencyPoint[];
  latency7d: LatencyPoint[];
  summary: ServiceSummary;
  incidents: IncidentItem[];
}

export function pageHistory(db: Db, service: string, nowMs: number): PageHistory {
  const hourEnd = (Math.floor(nowMs / 3_600_000) + 1) * 3_600_000;
  const dayEnd = (Math.floor(nowMs / 86_400_000) + 1) * 86_400_000;
  return {
    service,
    now: new Date(nowMs).toISOString(),
    hours: bars(db, service, hourEnd - 48 * 3_600_000, hourEnd, 3_600_000, 'hours'),
    days: bars(db, service, dayEnd - 90 * 86_400_000, dayEnd, 86_400_000, 'days'),
    latency24h: latencySeries(db, service, nowMs - 86_400_000, nowMs, 15 * 60_000, 'minutes'),
    latency7d: latencySeries(db, service, nowMs - 7 * 86_400_000, nowMs, 2 * 3_600_000, 'hours'),
    summary: serviceSummary(db, service, nowMs),
    incidents: incidents(db, { service, sinceMs: nowMs - 30 * 86_400_000, limit: 50 }),
  };
}

/** "99.98%": truncated, never rounded up to 100% while any time was down. */
export function formatUptime(ratio: number | null): string {
  if (ratio === null) return '<none>';
  if (ratio >= 1) return '100%';
  return `${(Math.floor(ratio * 10_000) / 100).toFixed(2)}%`;
}

/** "0.4 s" under a minute, "12m" and up beyond. */
export function formatSpan(ms: number | null): string {
  if (ms === null) return '<none>';
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  if (s < 3600) return `${Math.floor(s / 60)}m${s % 60 ? `${s % 60}s` : ''}`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h${Math.floor((s % 3600) / 60) ? `${Math.floor((s % 3600) / 60)}m` : ''}`;
  return `${Math.floor(s / 86_400)}d${Math.floor((s % 86_400) / 3600) ? `${Math.floor((s % 86_400) / 3600)}h` : ''}`;
}

export function formatMs(ms: number | null): string {
  if (ms === null) return '<none>';
  return ms < 10 ? `${ms.toFixed(1)} ms` : `${Math.round(ms)} ms`;
}

const SPARKS = '▁▂▃▄▅▆▇█';

/** One line of block characters, scaled to the highest value; a gap is a space, leading gaps are left out. */
export function sparkline(all: readonly (number | null)[]): string {
  const first = all.findIndex((v) => v !== null);
  const values = first < 0 ? [] : all.slice(first);
  const present = values.filter((v): v is number => v !== null);
  if (present.length === 0) return '';
  const max = Math.max(...present);
  const min = Math.min(...present);
  return values.map((v) => (v === null ? ' ' : SPARKS[max === min ? 0 : Math.min(7, Math.floor(((v - min) / (max - min)) * 8))])).join('');
}

/** Parses --since: 30m, 24h, 7d, 2w, or an ISO time; returns unix ms. */
export function parseSince(text: string, nowMs: number): number | null {
  const m = /^(\d+(?:\.\d+)?)(m|h|d|w)$/.exec(text.trim());
  if (m) return nowMs - Number(m[1]) * { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 }[m[2] as 'm' | 'h' | 'd' | 'w'];
  const t = Date.parse(text);
  return Number.isNaN(t) ? null : t;
}
