// vaictl alerts [SERVICE...]: recent notifications — when, which service and event, how urgent,
// where to, and whether they arrived — the seed's "Alert History" without polling ntfy. Reads
// the notifier's own records in STATE_DIR/outbox (fresher than status.json, which vaid writes
// coalesced), falling back to status.json's `alerts` when the outbox cannot be read.
import type { Command, CommandContext } from '../command.js';
import { EXIT } from '../command.js';
import { parse, staleExit, usageError } from '../command-support.js';
import { painter, useColour, type Colour } from '../printers/color.js';
import { age } from '../printers/age.js';
import { parseOutput, serialize } from '../printers/output.js';
import { renderTable, type Column } from '../printers/table.js';
import { readStatus, type StatusSnapshot } from '../status-source.js';
import { readAlertRecords } from '../../notify/read-records.js';
import type { NotifierSnapshot } from '../../notify/types.js';
import type { AlertRecord } from '../../status/schema.js';
import { outputFlag, STATE_DIR, type Flag } from '../flags.js';

const PRIORITY_NAMES: Record<number, string> = { 5: 'CRITICAL', 4: 'HIGH', 3: 'WARNING', 2: 'INFO', 1: 'DEBUG' };
const STATES = ['pending', 'delivered', 'failed', 'suppressed', 'dropped', 'muted'] as const;

function stateColour(state: AlertRecord['state']): Colour | undefined {
  switch (state) {
    case 'delivered':
      return 'green';
    case 'pending':
      return 'yellow';
    case 'failed':
    case 'dropped':
      return 'red';
    case 'suppressed':
      return 'grey';
  }
}

export function alertColumns(now: number): Column<AlertRecord>[] {
  return [
    { name: 'age', priority: 0, cell: (r) => age(r.at, now) },
    { name: 'service', priority: 0, cell: (r) => r.service },
    { name: 'event', priority: 0, cell: (r) => r.kind },
    { name: 'priority', priority: 0, cell: (r) => `${PRIORITY_NAMES[r.priority] ?? '?'}(${r.priority})`, colour: (r) => (r.priority >= 5 ? 'red' : undefined) },
    { name: 'sink', priority: 0, cell: (r) => r.sink },
    { name: 'target', priority: 0, cell: (r) => r.target },
    { name: 'state', priority: 0, cell: (r) => (r.state === 'muted' && r.mutedBy ? `muted (${r.mutedBy})` : r.state), colour: (r) => stateColour(r.state) },
    { name: 'attempts', priority: 0, cell: (r) => String(r.attempts) },
    { name: 'time', priority: 1, cell: (r) => r.at },
    { name: 'delivered', priority: 1, cell: (r) => r.deliveredAt ?? '<none>' },
    { name: 'id', priority: 1, cell: (r) => r.id },
    { name: 'last error', priority: 0, cell: (r) => r.lastError ?? '<none>' },
  ];
}

/** Oldest first, as the seed's alert history and `kubectl get events` list them. */
export function sortAlerts(records: readonly AlertRecord[]): AlertRecord[] {
  return [...records].sort((a, b) => Date.parse(a.at) - Date.parse(b.at) || a.id.localeCompare(b.id));
}

export function outboxLine(s: NotifierSnapshot): string {
  return `Outbox: ${s.outboxSize} waiting, ${s.dropped} dropped (outbox full)`;
}

async function source(ctx: CommandContext, outboxDir: string, readStatusFile: () => StatusSnapshot): Promise<{ alerts: NotifierSnapshot; status: StatusSnapshot | null }> {
  let status: StatusSnapshot | null = null;
  let statusError: unknown;
  try {
    status = readStatusFile();
  } catch (e) {
    statusError = e;
  }
  let outbox: NotifierSnapshot | undefined;
  try {
    outbox = await readAlertRecords(outboxDir);
  } catch (e) {
    // Unreadable (another user's 0600 files, or damaged): status.json still has the records.
    if (status === null) ctx.stderr.write(`Warning: cannot read ${outboxDir}: ${(e as Error).message}\n`);
  }
  if (outbox) return { alerts: outbox, status };
  if (status) return { alerts: status.doc.alerts, status };
  throw statusError;
}

const FLAGS = [
  outputFlag('table (default), wide (adds TIME, DELIVERED, ID), json or yaml', ['table', 'wide', 'json', 'yaml']),
  { name: 'state', type: 'string', value: 'STATE', help: `only alerts in this state (${STATES.join(', ')})`, complete: STATES },
  STATE_DIR,
] as const satisfies readonly Flag[];

export const alertsCommand: Command = {
  name: 'alerts',
  summary: 'List recent notifications: service, event, priority, sink, delivery state',
  usage: `Usage: vaictl alerts [SERVICE...] [flags]

Recent notifications, oldest first: AGE, SERVICE, EVENT (recovery-failed, crash-loop, reminder,
recovered), PRIORITY, SINK (ntfy, webhook, command), TARGET (topic URL, webhook URL or Notifier
name; never credentials), STATE (pending, delivered, failed, suppressed, dropped, or muted with the maintenance
window or silence that muted it), ATTEMPTS and
LAST ERROR (why it is still pending, failed, or was suppressed).`,
  flags: FLAGS,
  operands: 'services',
  epilog: `Exit codes: 0 ok, 2 usage, 4 no status file and no outbox (vaid never ran with this state dir).`,
  async run(ctx) {
    const { values, positionals, paths } = parse(ctx, FLAGS);
    const format = parseOutput(values.output);
    if (format === 'name') throw usageError('-o name is not available for alerts; use -o json');
    if (values.state !== undefined && !(STATES as readonly string[]).includes(values.state)) {
      throw usageError(`unknown state "${values.state}"; use one of ${STATES.join(', ')}`);
    }
    const now = Date.now();
    const { alerts, status } = await source(ctx, paths.outboxDir, () => readStatus(paths, now));
    const wanted = new Set(positionals);
    const rows = sortAlerts(alerts.recent).filter((r) => (wanted.size === 0 || wanted.has(r.service)) && (!values.state || r.state === values.state));
    if (format === 'json' || format === 'yaml') {
      ctx.stdout.write(await serialize({ apiVersion: 'vai/v1', kind: 'AlertList', outboxSize: alerts.outboxSize, dropped: alerts.dropped, items: rows }, format));
    } else if (rows.length === 0) {
      ctx.stderr.write(`No alerts found${wanted.size > 0 ? ` for ${[...wanted].join(', ')}` : ''}\n`);
      ctx.stderr.write(`${outboxLine(alerts)}\n`);
    } else {
      ctx.stdout.write(renderTable(alertColumns(now), rows, { wide: format === 'wide', paint: painter(useColour(ctx.isTTY, ctx.env)) }));
      // A footer only when there is something to say, so plain output stays one row per alert.
      if (alerts.outboxSize > 0 || alerts.dropped > 0) ctx.stdout.write(`\n${outboxLine(alerts)}\n`);
    }
    return status ? staleExit(ctx, status, EXIT.OK) : EXIT.OK;
  },
};
