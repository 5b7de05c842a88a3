// Maintenance windows and ad-hoc silences for one seed: Maintenance manifests (mode silence or
// pause; cron + duration + time zone, or a fixed start/end; selected by names and/or labels)
// loaded through the real manifest loader, silences through the real silence-file parser, and
// the oracle of which mutes cover which service when. The oracle computes the windows itself
// (its own reading of the few cron shapes drawn here, on fixed zone offsets), not with the
// code under test: a disagreement between the two is what the invariants look for.
import type { DesiredMaintenance } from '../../src/manifest/types.js';
import { loadFileText } from '../../src/manifest/load-file.js';
import { assembleState } from '../../src/manifest/assemble-state.js';
import { parseSilence, type Silence } from '../../src/status/state-dir/silences.js';
import type { Rng } from './prng.js';

export type MuteMode = 'silence' | 'pause';

/** A simple label selector, as drawn here, rendered for vai and matched by the oracle itself. */
interface SimSelector {
  key: string;
  op: '=' | '!=' | 'in';
  values: string[];
}

export interface SimMute {
  /** `window/NAME` or `silence/ID`, as vai names it in records and events. */
  label: string;
  kind: 'window' | 'silence';
  mode: MuteMode;
  /** The services it covers (by name or by label), by the oracle's own matching. */
  covers: ReadonlySet<string>;
  /** When it is open, merged, already cut at its removal (manifest removed, silence deleted). */
  spans: Span[];
  /** Manifest removed from git, or silence deleted, at this time (null: never). */
  removedAt: number | null;
  /** What the operator wrote: the manifest's YAML, or the silence file's JSON. */
  source: string;
}

export interface Span {
  start: number;
  end: number;
}

export interface Cover {
  label: string;
  mode: MuteMode;
  start: number;
  end: number;
}

export interface MaintenancePlan {
  labels: ReadonlyMap<string, Record<string, string>>;
  windows: SimMute[];
  silences: Array<SimMute & { silence: Silence; createdAt: number }>;
  /** The manifests vai loads at start, by name (the real loader's output). */
  initialWindows: Map<string, DesiredMaintenance>;
  /** Per service: every mute span covering it, and the union of them. */
  coverOf(service: string): { covers: readonly Cover[]; union: readonly Span[] };
  /** The mutes open for the service at t (start inclusive, end exclusive, as vai reads them). */
  activeAt(service: string, t: number): Cover[];
  /** Whether a pause-mode mute covers the service at t. */
  pausedAt(service: string, t: number): boolean;
}

const ZONES: Array<{ zone: string; offset: string; minutes: number }> = [
  { zone: 'UTC', offset: 'Z', minutes: 0 },
  { zone: 'Europe/Berlin', offset: '+01:00', minutes: 60 },
  { zone: 'Asia/Kolkata', offset: '+05:30', minutes: 330 },
  { zone: 'America/New_York', offset: '-05:00', minutes: -300 },
];
const TIERS = ['web', 'db', 'cache'];
const H = 3_600_000;
const M = 60_000;

function zoneMinutes(zone: string, t: number): number {
  const name = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset' }).formatToParts(new Date(t)).find((p) => p.type === 'timeZoneName')!.value;
  const m = /^GMT(?:([+-])(\d\d):(\d\d))?$/.exec(name);
  if (!m) throw new Error(`unexpected offset ${name} of ${zone}`);
  return m[1] ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) : 0;
}

function durationText(ms: number): string {
  const h = Math.floor(ms / H);
  const m = Math.round((ms - h * H) / M);
  return `${h > 0 ? `${h}h` : ''}${m > 0 || h === 0 ? `${m}m` : ''}`;
}

function isoWithOffset(t: number, z: (typeof ZONES)[number]): string {
  return `${new Date(t + z.minutes * M).toISOString().slice(0, 19)}${z.offset}`;
}

function merge(spans: Span[]): Span[] {
  const sorted = [...spans].sort((a, b) => a.start - b.start);
  const out: Span[] = [];
  for (const s of sorted) {
    const last = out[out.length - 1];
    if (last && s.start <= last.end) last.end = Math.max(last.end, s.end);
    else out.push({ ...s });
  }
  return out;
}

function cut(spans: Span[], at: number | null): Span[] {
  if (at === null) return spans;
  return spans.filter((s) => s.start < at).map((s) => ({ start: s.start, end: Math.min(s.end, at) }));
}

function matches(labels: Readonly<Record<string, string>>, sel: SimSelector): boolean {
  const v = labels[sel.key];
  if (sel.op === '=') return v === sel.values[0];
  if (sel.op === '!=') return v !== sel.values[0];
  return v !== undefined && sel.values.includes(v);
}

function selectorText(sel: SimSelector): string {
  return sel.op === 'in' ? `${sel.key} in (${sel.values.join(',')})` : `${sel.key}${sel.op}${sel.values[0]}`;
}

function drawSelector(rng: Rng): SimSelector {
  const r = rng.int(3);
  if (r === 0) return { key: 'tier', op: '=', values: [rng.pick(TIERS)] };
  if (r === 1) return { key: 'tier', op: '!=', values: [rng.pick(TIERS)] };
  return { key: 'tier', op: 'in', values: [...new Set([rng.pick(TIERS), rng.pick(TIERS)])] };
}

/** Names, a label selector, or both; the oracle's covered set. */
function drawCover(rng: Rng, names: readonly string[], labels: ReadonlyMap<string, Record<string, string>>) {
  const how = rng.int(3);
  const byName = how !== 1 ? [...new Set(Array.from({ length: rng.between(1, 3) }, () => rng.pick(names)))] : [];
  const sel = how !== 0 ? drawSelector(rng) : null;
  const covers = new Set(names.filter((n) => byName.includes(n) || (sel !== null && matches(labels.get(n)!, sel))));
  return { byName, sel, covers };
}

/** The oracle's cron: minute M of the given hours, every day or on the given weekdays, in local time. */
function cronSpans(minute: number, hours: number[], weekdays: number[] | null, durationMs: number, zoneMin: number, from: number, to: number): Span[] {
  const out: Span[] = [];
  const day0 = Math.floor((from + zoneMin * M) / (24 * H)) * 24 * H;
  for (let day = day0; day <= to + zoneMin * M; day += 24 * H) {
    if (weekdays && !weekdays.includes(new Date(day).getUTCDay())) continue;
    for (const h of hours) {
      const start = day + h * H + minute * M - zoneMin * M;
      if (start + durationMs > from && start < to) out.push({ start, end: start + durationMs });
    }
  }
  return merge(out);
}

export function makeMaintenance(rng: Rng, serviceNames: readonly string[], t0: number, hours: number): MaintenancePlan {
  const end = t0 + hours * H;
  const labels = new Map(serviceNames.map((n) => [n, { tier: rng.pick(TIERS), host: 'vps1' }]));
  const windows: SimMute[] = [];
  const docs: string[] = [];
  const nWindows = rng.between(2, 5);
  for (let i = 0; i < nWindows; i++) {
    const name = `maint-${i}`;
    const mode: MuteMode = rng.chance(0.5) ? 'pause' : 'silence';
    const { byName, sel, covers } = drawCover(rng, serviceNames, labels);
    let schedule: string;
    let spans: Span[];
    if (rng.chance(0.5)) {
      const z = rng.pick(ZONES);
      for (const t of [t0 - 8 * 24 * H, end]) if (zoneMinutes(z.zone, t) !== z.minutes) throw new Error(`${z.zone} changes its offset during the run: the oracle assumes ${z.offset}`);
      const minute = rng.int(60);
      const shape = rng.int(4);
      let hoursOf: number[];
      let weekdays: number[] | null = null;
      let durationMs = rng.between(10, 180) * M;
      let cron: string;
      if (shape === 0) {
        hoursOf = [rng.int(24)];
        cron = `${minute} ${hoursOf[0]} * * *`;
      } else if (shape === 1) {
        const k = rng.pick([3, 4, 6, 8, 12]);
        hoursOf = Array.from({ length: 24 / k }, (_, j) => j * k);
        durationMs = Math.min(durationMs, k * H - 10 * M);
        cron = `${minute} */${k} * * *`;
      } else if (shape === 2) {
        hoursOf = [rng.int(24)];
        weekdays = rng.chance(0.5) ? [rng.int(7)] : [1, 2, 3, 4, 5];
        cron = `${minute} ${hoursOf[0]} * * ${weekdays.length === 1 ? weekdays[0] : '1-5'}`;
      } else {
        // Two starts an hour apart, each window longer than the gap: one long window.
        const h = rng.int(23);
        hoursOf = [h, h + 1];
        durationMs = rng.between(61, 150) * M;
        cron = `${minute} ${h},${h + 1} * * *`;
      }
      schedule = `    cron: "${cron}"\n    duration: ${durationText(durationMs)}\n${z.zone === 'UTC' && rng.chance(0.5) ? '' : `    time_zone: ${z.zone}\n`}`;
      spans = cronSpans(minute, hoursOf, weekdays, durationMs, z.minutes, t0 - 8 * 24 * H, end + 24 * H);
    } else {
      const z = rng.pick(ZONES);
      const start = Math.floor((t0 - 2 * H + rng.next() * (hours * H)) / 1000) * 1000;
      const stop = start + rng.between(10 * 60, 8 * 3600) * 1000;
      schedule = `    start: "${isoWithOffset(start, z)}"\n    end: "${isoWithOffset(stop, z)}"\n`;
      spans = [{ start, end: stop }];
    }
    const selector = `${byName.length ? `    names: [${byName.join(', ')}]\n` : ''}${sel ? `    labels: "${selectorText(sel)}"\n` : ''}`;
    const doc = `apiVersion: vai/v1\nkind: Maintenance\nmetadata:\n  name: ${name}\nspec:\n  schedule:\n${schedule}  selector:\n${selector}  mode: ${mode}\n  reason: simulated ${mode} ${i}\n`;
    const removedAt = rng.chance(0.15) ? t0 + rng.next() * hours * H : null;
    docs.push(doc);
    windows.push({ label: `window/${name}`, kind: 'window', mode, covers, spans: cut(spans, removedAt), removedAt, source: doc });
  }
  const file = '/sim/manifests/maintenance.yaml';
  const loaded = loadFileText(docs.join('---\n'), file);
  if (loaded.errors.length > 0) throw new Error(`simulated Maintenance manifests do not load: ${loaded.errors.map((e) => `${e.line}:${e.column}: ${e.path}: ${e.message}`).join('; ')}\n${docs.join('---\n')}`);
  const assembled = assembleState({ root: '/sim/manifests', results: new Map([[file, loaded]]), scanErrors: [], refused: [] });
  if (assembled.maintenance.size !== nWindows) throw new Error(`expected ${nWindows} windows, the loader gave ${assembled.maintenance.size}`);

  const silences: MaintenancePlan['silences'] = [];
  const nSilences = rng.between(1, 5);
  for (let i = 0; i < nSilences; i++) {
    const id = `s-${(0x10000000 + rng.int(0xefffffff)).toString(16)}`;
    const { byName, sel, covers } = drawCover(rng, serviceNames, labels);
    const createdAt = Math.round(t0 + rng.next() * hours * H);
    const endsAt = createdAt + rng.between(5, 240) * M;
    const deletedAt = rng.chance(0.25) ? createdAt + Math.round(rng.next() * (endsAt - createdAt)) : null;
    const text = JSON.stringify({ id, names: byName, selector: sel ? selectorText(sel) : null, reason: `simulated silence ${i}`, createdAt: new Date(createdAt).toISOString(), endsAt: new Date(endsAt).toISOString() });
    const silence = parseSilence(text, id);
    if (!silence) throw new Error(`simulated silence file is refused: ${text}`);
    silences.push({ label: `silence/${id}`, kind: 'silence', mode: 'silence', covers, spans: cut([{ start: createdAt, end: endsAt }], deletedAt), removedAt: deletedAt, source: text, silence, createdAt });
  }

  const perService = new Map<string, { covers: Cover[]; union: Span[]; paused: Span[] }>();
  for (const n of serviceNames) {
    const covers: Cover[] = [];
    for (const m of [...windows, ...silences]) if (m.covers.has(n)) for (const s of m.spans) covers.push({ label: m.label, mode: m.mode, start: s.start, end: s.end });
    covers.sort((a, b) => a.start - b.start);
    perService.set(n, { covers, union: merge(covers), paused: merge(covers.filter((c) => c.mode === 'pause')) });
  }
  const empty = { covers: [], union: [] };
  const within = (spans: readonly Span[], t: number): boolean => {
    let lo = 0;
    let hi = spans.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const s = spans[mid]!;
      if (t < s.start) hi = mid - 1;
      else if (t >= s.end) lo = mid + 1;
      else return true;
    }
    return false;
  };
  return {
    labels,
    windows,
    silences,
    initialWindows: assembled.maintenance,
    coverOf: (s) => perService.get(s) ?? empty,
    activeAt: (s, t) => (perService.get(s)?.covers ?? []).filter((c) => c.start <= t && t < c.end),
    pausedAt: (s, t) => within(perService.get(s)?.paused ?? [], t),
  };
}
