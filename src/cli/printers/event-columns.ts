// Events as kubectl shows them: repeats are folded into one line whose age reads
// "3m (x5 over 10m)": last seen 3m ago, five times since the first, 10m ago.
import type { StatusEvent } from '../../status/schema.js';
import { age } from './age.js';
import type { Column } from './table.js';

export interface EventRow {
  service: string;
  event: StatusEvent;
}

export function foldedAge(e: StatusEvent, now: number): string {
  const last = age(e.lastTime, now);
  return e.count > 1 ? `${last} (x${e.count} over ${age(e.firstTime, now)})` : last;
}

/** Newest last, as kubectl get events sorts by last time. */
export function sortEvents(rows: EventRow[]): EventRow[] {
  return rows.sort((a, b) => Date.parse(a.event.lastTime) - Date.parse(b.event.lastTime) || a.service.localeCompare(b.service));
}

export function eventColumns(now: number): Column<EventRow>[] {
  return [
    { name: 'last seen', priority: 0, cell: (r) => foldedAge(r.event, now) },
    { name: 'type', priority: 0, cell: (r) => r.event.type, colour: (r) => (r.event.type === 'Warning' ? 'yellow' : undefined) },
    { name: 'reason', priority: 0, cell: (r) => r.event.reason },
    { name: 'object', priority: 0, cell: (r) => `service/${r.service}` },
    { name: 'message', priority: 0, cell: (r) => r.event.message },
    { name: 'first seen', priority: 1, cell: (r) => age(r.event.firstTime, now) },
    { name: 'count', priority: 1, cell: (r) => String(r.event.count) },
  ];
}
