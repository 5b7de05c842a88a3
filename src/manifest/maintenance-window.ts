// Maintenance windows in time: whether a window is open at T, when it next opens or closes, and
// which services it covers. Pure: T is given (the caller's clock, the test clock in tests), so a
// window replays exactly on a virtual clock. Cron expressions are read by croner in the window's
// IANA time zone: "0 3 * * *" in Europe/Berlin opens at 03:00 local time on both sides of a DST
// change (02:00Z in winter, 01:00Z in summer), and lasts `duration` of real time.
import { Cron } from 'croner';
import type { MaintenanceSpec } from './schema.js';
import type { SourcePosition } from './types.js';
import { matchesSelector, type LabelSelector } from './label-selector.js';

export interface DesiredMaintenance {
  name: string;
  spec: MaintenanceSpec;
  /** spec.selector.labels parsed; null when the window names services only. */
  labelSelector: LabelSelector | null;
  source: SourcePosition;
}

export interface WindowSpan {
  start: number;
  end: number;
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `30m`, `2h`, `1h30m`, `1d`, `1.5h` -> ms; null when it is not such a duration. */
export function parseWindowDuration(text: string): number | null {
  if (!/^(\d+(\.\d+)?(ms|s|m|h|d))+$/.test(text)) return null;
  let total = 0;
  for (const m of text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d)/g)) total += Number(m[1]) * UNIT_MS[m[2]!]!;
  return total;
}

const crons = new WeakMap<MaintenanceSpec, Cron>();

function cronOf(spec: MaintenanceSpec): Cron {
  let c = crons.get(spec);
  if (!c) {
    // paused: croner only computes times here; it never schedules anything.
    c = new Cron(spec.schedule.cron!, { timezone: spec.schedule.time_zone ?? 'UTC', paused: true });
    crons.set(spec, c);
  }
  return c;
}

/** The window open at `now` (start <= now < end), or null. */
export function openWindow(spec: MaintenanceSpec, now: number): WindowSpan | null {
  const s = spec.schedule;
  if (s.cron === undefined) {
    const start = Date.parse(s.start!);
    const end = Date.parse(s.end!);
    return start <= now && now < end ? { start, end } : null;
  }
  // Asked for every service it covers at every plan and alert: an open window is the same span
  // until it ends (following a chain is ~1,000 croner calls, 0.36 s, for every minute for 2 h).
  const known = openSpans.get(spec);
  if (known && known.start <= now && now < known.end) return known;
  // Closed, likewise, until its next start: most looks find a window closed (the simulation
  // spent two thirds of its CPU in croner here before this).
  const gap = closedSpans.get(spec);
  if (gap && gap.start <= now && now < gap.end) return null;
  const duration = parseWindowDuration(s.duration!) ?? 0;
  const cron = cronOf(spec);
  const zone = s.time_zone ?? 'UTC';
  const start = firstOpenStart(cron, now, duration, zone);
  if (start === null) {
    // No start in (now - duration, now]: none until the next one either.
    closedSpans.set(spec, { start: now, end: nextStart(cron, now, zone) ?? Infinity });
    return null;
  }
  // Windows longer than the gap between two starts overlap: they are one window, open until the
  // last of the chain ends. Bounded: a window that never closes (every 10 min for 15 min) reports the end of the chain so far.
  let end = start + duration;
  for (let i = 0; i < MAX_CHAIN; i++) {
    const next = cron.nextRun(new Date(end - duration))?.getTime();
    if (next === undefined || next >= end) break;
    end = next + duration;
  }
  const span = { start, end };
  openSpans.set(spec, span);
  return span;
}

const openSpans = new WeakMap<MaintenanceSpec, WindowSpan>();
const closedSpans = new WeakMap<MaintenanceSpec, WindowSpan>();
const offsetFormats = new Map<string, Intl.DateTimeFormat>();

/** The zone's UTC offset at t, as Intl names it ("GMT+01:00"). */
function zoneOffset(zone: string, t: number): string {
  let f = offsetFormats.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset' });
    offsetFormats.set(zone, f);
  }
  return f.formatToParts(new Date(t)).find((p) => p.type === 'timeZoneName')?.value ?? '';
}

const MAX_CHAIN = 1_000;
/** More than any time zone's DST shift (1 h; Lord Howe's 30 min). */
const DST_SLACK_MS = 2 * 3_600_000;
const MAX_SLACK_RUNS = 64;

/** The earliest start whose window holds `now` (start <= now < start + duration), or null. */
function firstOpenStart(cron: Cron, now: number, duration: number, zone: string): number | null {
  // The first start after now - duration: if it is not after now, its window holds now.
  const first = cron.nextRun(new Date(now - duration))?.getTime();
  if (first !== undefined && first <= now) return first;
  // A start the spring change moved (02:30 does not exist: croner runs it at 03:30) is found
  // only from before the change: look again from a little earlier, when the zone's offset
  // changed meanwhile. Bounded.
  let from = now - duration - DST_SLACK_MS;
  if (zoneOffset(zone, from) === zoneOffset(zone, now)) return null;
  for (let i = 0; i < MAX_SLACK_RUNS; i++) {
    const r = cron.nextRun(new Date(from))?.getTime();
    if (r === undefined || r > now) return null;
    if (r + duration > now) return r;
    from = r;
  }
  return null;
}

/** When the window's state next changes after `now` (it opens or closes), or null: never again. */
export function nextWindowChange(spec: MaintenanceSpec, now: number): number | null {
  const open = openWindow(spec, now);
  if (open) return open.end;
  const s = spec.schedule;
  if (s.cron === undefined) {
    const start = Date.parse(s.start!);
    return start > now ? start : null;
  }
  const gap = closedSpans.get(spec);
  if (gap && gap.start <= now && now < gap.end) return gap.end === Infinity ? null : gap.end;
  return nextStart(cronOf(spec), now, s.time_zone ?? 'UTC');
}

/**
 * The first start after `now`. Near an offset change croner, asked from `now`, misses a start
 * the change moved: 02:30 runs at 03:30 CEST on the spring day, and at the second 02:30 (CET)
 * on the autumn day, but asked at 03:10 CEST or at the first 02:36 CEST it answers the next
 * day. Asked from before the change it finds them: look from there too. Bounded.
 */
function nextStart(cron: Cron, now: number, zone: string): number | null {
  const plain = cron.nextRun(new Date(now))?.getTime() ?? null;
  let from = now - DST_SLACK_MS;
  const offset = zoneOffset(zone, now);
  if (zoneOffset(zone, from) === offset && zoneOffset(zone, now + DST_SLACK_MS) === offset) return plain;
  for (let i = 0; i < MAX_SLACK_RUNS; i++) {
    const r = cron.nextRun(new Date(from))?.getTime();
    if (r === undefined) break;
    if (r > now) return plain === null ? r : Math.min(r, plain);
    from = r;
  }
  return plain;
}

export function windowCovers(m: DesiredMaintenance, name: string, labels: Readonly<Record<string, string>>): boolean {
  if (m.spec.selector.names.includes(name)) return true;
  return m.labelSelector !== null && matchesSelector(labels, m.labelSelector);
}
