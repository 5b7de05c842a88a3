// What happened in a simulated run, in virtual-time order. The simulated executor, the world
// and the recording notifier append here; the invariant checker reads each entry as it lands.
import type { Health, CommandKind } from '../../src/executor/types.js';
import type { Alert, AlertKind } from '../../src/notify/types.js';

export type TraceEntry =
  | { t: number; type: 'check-start'; service: string; op: number }
  | { t: number; type: 'check-end'; service: string; op: number; health: Health; reason: string }
  | { t: number; type: 'run-start'; service: string; op: number; kind: CommandKind }
  | { t: number; type: 'run-end'; service: string; op: number; kind: CommandKind; ok: boolean; unavailable: boolean }
  | { t: number; type: 'fault'; service: string; fault: string }
  | { t: number; type: 'marker'; service: string; present: boolean }
  | { t: number; type: 'enabled'; service: string; enabled: boolean }
  | { t: number; type: 'engine'; up: boolean }
  | { t: number; type: 'alert'; alert: Alert }
  /** A notice that reached the person (the notifier did not fold it). */
  | { t: number; type: 'notice'; service: string; kind: AlertKind; id?: string }
  /** The notifier recorded an alert as muted by a maintenance window or silence (`vaictl alerts`: muted (BY)). */
  | { t: number; type: 'muted'; service: string; kind: AlertKind; id: string; by: string }
  /** A maintenance window or silence opened or closed (the harness's oracle; for the trace's reader). */
  | { t: number; type: 'maintenance'; mute: string; mode: string; open: boolean; services: string[] };

export class Trace {
  readonly entries: TraceEntry[] = [];
  private readonly listeners: Array<(e: TraceEntry) => void> = [];
  /** Keep only the last `keep` entries (memory stays flat over long runs); 0 keeps all. */
  constructor(private readonly keep = 2000) {}

  on(listener: (e: TraceEntry) => void): void {
    this.listeners.push(listener);
  }

  add(e: TraceEntry): void {
    this.entries.push(e);
    if (this.keep > 0 && this.entries.length > this.keep * 2) this.entries.splice(0, this.entries.length - this.keep);
    for (const l of this.listeners) l(e);
  }

  tail(n: number, service?: string): TraceEntry[] {
    const out: TraceEntry[] = [];
    for (let i = this.entries.length - 1; i >= 0 && out.length < n; i--) {
      const e = this.entries[i]!;
      const of = e.type === 'alert' ? e.alert.service : 'service' in e ? e.service : undefined;
      if (service === undefined || of === undefined || of === service) out.push(e);
    }
    return out.reverse();
  }
}

export function formatEntry(e: TraceEntry, t0: number): string {
  const at = `+${((e.t - t0) / 1000).toFixed(3)}s`;
  if (e.type === 'alert') return `${at} alert ${e.alert.kind} ${e.alert.service} id=${e.alert.id}`;
  const { t: _t, type, ...rest } = e;
  return `${at} ${type} ${JSON.stringify(rest)}`;
}
