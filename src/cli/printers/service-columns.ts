// The columns of `vaictl get`: priority 0 always, priority 1 with -o wide. Wide columns come from
// the spec (the status has none); a row without a spec shows <unknown> there.
import type { DesiredService } from '../../manifest/types.js';
import type { ServiceStatus } from '../../status/schema.js';
import { age, until } from './age.js';
import { healthColour, phaseColour } from './color.js';
import { checkSuccessRate, formatRate } from './rates.js';
import type { Column } from './table.js';

export interface ServiceRow {
  status: ServiceStatus;
  spec?: DesiredService | undefined;
  /** The check's short target (check-words.ts), computed where the spec is read: its words load on demand. */
  checkTarget?: string | undefined;
  /** get -w: the service left the status document (its manifest was removed). */
  removed?: boolean;
  /** get -o wide: the share of the last 24 h it was up (history.db); null: no history. */
  uptime24h?: string | undefined;
}

export function restartsCell(s: ServiceStatus, now: number): string {
  const { count, lastAt } = s.restarts;
  return lastAt ? `${count} (${age(lastAt, now)} ago)` : String(count);
}

export function serviceColumns(now: number): Column<ServiceRow>[] {
  return [
    { name: 'name', priority: 0, cell: (r) => r.status.name },
    {
      name: 'desired',
      priority: 0,
      // A maintenance window or silence is marked where a person looks for "is vai acting on it".
      cell: (r) => (r.status.maintenance?.length ? `${r.status.desired} (${r.status.maintenance.some((m) => m.mode === 'pause') ? 'paused' : 'silenced'})` : r.status.desired),
      colour: (r) => (r.status.desired === 'Running' && !r.status.maintenance?.length ? undefined : 'grey'),
    },
    { name: 'phase', priority: 0, cell: (r) => (r.removed ? 'Removed' : r.status.phase), colour: (r) => (r.removed ? 'grey' : phaseColour(r.status.phase)) },
    {
      name: 'health',
      priority: 0,
      cell: (r) => r.status.lastCheck?.health ?? '<none>',
      colour: (r) => healthColour(r.status.lastCheck?.health ?? ''),
    },
    { name: 'restarts', priority: 0, cell: (r) => restartsCell(r.status, now) },
    { name: 'last check', priority: 0, cell: (r) => (r.status.lastCheck ? age(r.status.lastCheck.at, now) : '<none>') },
    { name: 'age', priority: 0, cell: (r) => age(r.status.createdAt, now) },
    { name: 'check', priority: 1, cell: (r) => r.checkTarget ?? '<unknown>' },
    { name: 'container', priority: 1, cell: (r) => (r.spec ? (r.spec.spec.container ?? '<none>') : '<unknown>') },
    {
      name: 'dependencies',
      priority: 1,
      cell: (r) => (r.spec ? r.spec.spec.dependencies.join(',') || '<none>' : '<unknown>'),
    },
    { name: 'next check', priority: 1, cell: (r) => until(r.status.nextCheckAt, now) },
    { name: 'success', priority: 1, cell: (r) => formatRate(checkSuccessRate(r.status.counters)) },
    { name: 'uptime', priority: 1, cell: (r) => r.uptime24h ?? '<none>' },
    { name: 'maintenance', priority: 1, cell: (r) => r.status.maintenance?.map((m) => `${m.kind}/${m.name} until ${until(m.until, now)}`).join(',') || '<none>' },
  ];
}

/**
 * Widths that fit any phase, health and a typical restarts cell, for get -w: its later rows can
 * hold values the first listing did not have (WaitingForDependency), and should still line up.
 */
export const WATCH_MIN_WIDTHS: Readonly<Record<string, number>> = {
  desired: 'Disabled'.length,
  phase: 'WaitingForDependency'.length,
  health: 'unhealthy'.length,
  restarts: '10 (59m ago)'.length,
  'last check': 5,
  age: 5,
};

/** What a row shows apart from ages, to skip printing the same row twice in a row in get -w. */
export function visibleKey(r: ServiceRow): string {
  const s = r.status;
  return JSON.stringify([r.removed ?? false, s.desired, s.phase, s.lastCheck?.health ?? null, s.restarts.count]);
}
