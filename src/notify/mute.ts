// Muting: which maintenance windows and silences cover a service at T. Pure, on the caller's
// clock: the notifier asks it before an alert reaches a person, the world (reconcile) before a
// plan, so a paused service and a muted alert agree on the same windows. An alert that is muted
// is recorded as muted (with the window's name) and held; when the last mute ends, the held alert
// goes through the truth rule (truth.ts), so a service still failing is told once.
import type { DesiredMaintenance } from '../manifest/types.js';
import { nextWindowChange, openWindow, windowCovers } from '../manifest/maintenance-window.js';
import { matchesSelector, parseLabelSelector, type LabelSelector } from '../manifest/label-selector.js';
import type { Silence } from '../status/state-dir/silences.js';
import type { ServiceStatus } from '../status/schema.js';

export type Mute = NonNullable<ServiceStatus['maintenance']>[number];

export interface MuteSources {
  windows: ReadonlyMap<string, DesiredMaintenance> | readonly DesiredMaintenance[];
  silences: readonly Silence[];
}

export const NO_MUTES: MuteSources = { windows: [], silences: [] };

const selectors = new WeakMap<Silence, LabelSelector | null>();

function selectorOf(s: Silence): LabelSelector | null {
  if (!selectors.has(s)) {
    let sel: LabelSelector | null = null;
    try {
      sel = s.selector ? parseLabelSelector(s.selector) : null;
    } catch {
      // A hand-edited file with a bad selector selects by name only.
      sel = null;
    }
    selectors.set(s, sel);
  }
  return selectors.get(s)!;
}

function silenceCovers(s: Silence, name: string, labels: Readonly<Record<string, string>>): boolean {
  if (s.names.includes(name)) return true;
  const sel = selectorOf(s);
  return sel !== null && sel.requirements.length > 0 && matchesSelector(labels, sel);
}

function windowList(src: MuteSources): readonly DesiredMaintenance[] {
  return Array.isArray(src.windows) ? (src.windows as readonly DesiredMaintenance[]) : [...(src.windows as ReadonlyMap<string, DesiredMaintenance>).values()];
}

/** The windows and silences open for the service at `now`: pause first, then by name. */
export function activeMutes(src: MuteSources, name: string, labels: Readonly<Record<string, string>>, now: number): Mute[] {
  const out: Mute[] = [];
  for (const w of windowList(src)) {
    if (!windowCovers(w, name, labels)) continue;
    const open = openWindow(w.spec, now);
    if (!open) continue;
    out.push({ kind: 'window', name: w.name, mode: w.spec.mode, until: new Date(open.end).toISOString(), ...(w.spec.reason ? { reason: w.spec.reason } : {}) });
  }
  for (const s of src.silences) {
    if (Date.parse(s.endsAt) <= now || !silenceCovers(s, name, labels)) continue;
    out.push({ kind: 'silence', name: s.id, mode: 'silence', until: s.endsAt, ...(s.reason ? { reason: s.reason } : {}) });
  }
  return out.sort((a, b) => (a.mode === b.mode ? 0 : a.mode === 'pause' ? -1 : 1) || a.name.localeCompare(b.name));
}

/** When the set of mutes covering the service next changes after `now`, or null: never. */
export function nextMuteChange(src: MuteSources, name: string, labels: Readonly<Record<string, string>>, now: number): number | null {
  let next = Infinity;
  for (const w of windowList(src)) {
    if (!windowCovers(w, name, labels)) continue;
    next = Math.min(next, nextWindowChange(w.spec, now) ?? Infinity);
  }
  for (const s of src.silences) {
    const end = Date.parse(s.endsAt);
    if (end > now && silenceCovers(s, name, labels)) next = Math.min(next, end);
  }
  return next === Infinity ? null : next;
}

/** `window/nightly` or `silence/s-1a2b3c4d`: how records and messages name a mute. */
export function muteLabel(m: Pick<Mute, 'kind' | 'name'>): string {
  return `${m.kind}/${m.name}`;
}

/** The latest end among the mutes: until then the service stays muted (if nothing new opens). */
export function mutedUntil(mutes: readonly Mute[]): number {
  return Math.max(...mutes.map((m) => Date.parse(m.until)));
}
