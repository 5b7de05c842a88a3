// Columns of `vaictl history` (one row per incident) and `vaictl report` (one row per service and
// a TOTAL row), kubectl-style: data plus the shared table renderer.
import type { IncidentItem } from '../../history/query.js';
import { formatSpan, formatUptime, type ReportRow } from '../../history/views.js';
import { age } from './age.js';
import type { Column } from './table.js';

function did(i: IncidentItem): string {
  const parts: string[] = [];
  if (i.attempts > 0) parts.push(`${i.attempts} attempt${i.attempts === 1 ? '' : 's'}`);
  if (i.restarts > 0) parts.push(`${i.restarts} restart${i.restarts === 1 ? '' : 's'}`);
  return parts.join(', ') || 'observed only';
}

function alertsCell(i: IncidentItem): string {
  if (i.alerts.length === 0) return '0';
  const states = new Map<string, number>();
  for (const a of i.alerts) states.set(a.state, (states.get(a.state) ?? 0) + 1);
  return `${i.alertsSent} (${[...states].map(([s, n]) => (n > 1 ? `${n} ${s}` : s)).join(', ')})`;
}

export function incidentColumns(now: number): Column<IncidentItem>[] {
  return [
    { name: 'opened', priority: 0, cell: (i) => `${age(i.openedAt, now)} ago` },
    { name: 'service', priority: 0, cell: (i) => i.service },
    { name: 'duration', priority: 0, cell: (i) => (i.durationMs === null ? `open ${formatSpan(now - Date.parse(i.openedAt))}` : formatSpan(i.durationMs)) },
    { name: 'closed by', priority: 0, cell: (i) => i.closedBy ?? '<open>', colour: (i) => (i.closedBy === null ? 'red' : undefined) },
    { name: 'cause', priority: 0, cell: (i) => (i.cause ? `${i.cause.reason}: ${i.cause.message}` : i.trigger) },
    { name: 'vai did', priority: 0, cell: did },
    { name: 'alerts', priority: 0, cell: alertsCell },
    { name: 'at', priority: 1, cell: (i) => i.openedAt },
  ];
}

const pct = (r: number | null) => (r === null ? '<none>' : formatUptime(r));

export function reportColumns(): Column<ReportRow>[] {
  return [
    { name: 'service', priority: 0, cell: (r) => r.service },
    { name: 'checks', priority: 0, cell: (r) => String(r.checks) },
    { name: 'check success', priority: 0, cell: (r) => pct(r.checkSuccessRate) },
    { name: 'uptime', priority: 0, cell: (r) => pct(r.uptime) },
    { name: 'recoveries', priority: 0, cell: (r) => `${r.recoveriesSucceeded}/${r.recoveriesAttempted}` },
    { name: 'recovery success', priority: 0, cell: (r) => pct(r.recoverySuccessRate) },
    { name: 'restarts', priority: 0, cell: (r) => String(r.restarts) },
    { name: 'incidents', priority: 0, cell: (r) => String(r.incidents) },
    { name: 'alerts sent', priority: 0, cell: (r) => String(r.alertsSent) },
  ];
}
