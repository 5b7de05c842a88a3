// vaictl events [NAME...]: every service's recent events in one table, oldest first, as
// `kubectl get events` lists them; repeats are folded into "3m (x5 over 10m)".
import type { Command } from '../command.js';
import { EXIT } from '../command.js';
import { allSorted, notFoundMessage, parse, pickByName, staleExit, usageError } from '../command-support.js';
import { painter, useColour } from '../printers/color.js';
import { eventColumns, sortEvents, type EventRow } from '../printers/event-columns.js';
import { parseOutput, serialize } from '../printers/output.js';
import { renderTable } from '../printers/table.js';
import { statusSource } from '../status-source.js';
import { CONTEXT, outputFlag, SERVER, STATE_DIR, type Flag } from '../flags.js';

const FLAGS = [
  outputFlag('table (default), wide (adds first seen and count), json or yaml', ['table', 'wide', 'json', 'yaml']),
  { name: 'types', type: 'string', value: 'LIST', help: 'only these event types, e.g. --types Warning', complete: ['Normal', 'Warning'] },
  CONTEXT,
  SERVER,
  STATE_DIR,
] as const satisfies readonly Flag[];

export const eventsCommand: Command = {
  name: 'events',
  summary: 'List recent events of all services, or of the ones named',
  usage: `Usage: vaictl events [NAME...] [flags]`,
  flags: FLAGS,
  remote: 'status',
  operands: 'services',
  epilog: `Exit codes: 0 ok, 2 usage, 3 a named service does not exist, 4 no status file or vaid not running.`,
  async run(ctx) {
    const { values, positionals, paths } = parse(ctx, FLAGS);
    const format = parseOutput(values.output);
    if (format === 'name') throw usageError('-o name lists services; use vaictl get -o name');
    const now = Date.now();
    const snap = statusSource(ctx, paths).full(now);
    let code: number = EXIT.OK;
    let services = allSorted(snap.doc);
    if (positionals.length > 0) {
      const picked = pickByName(snap.doc, positionals);
      for (const m of picked.missing) {
        ctx.stderr.write(`Error: ${notFoundMessage(m, Object.keys(snap.doc.services))}\n`);
        code = EXIT.NOT_FOUND;
      }
      services = picked.found;
    }
    const types = values.types?.split(',').map((t) => t.trim().toLowerCase());
    const rows: EventRow[] = sortEvents(
      services.flatMap((s) => s.events.filter((e) => !types || types.includes(e.type.toLowerCase())).map((event) => ({ service: s.name, event }))),
    );
    if (rows.length === 0) ctx.stderr.write('No events found\n');
    else if (format === 'json' || format === 'yaml') {
      ctx.stdout.write(await serialize({ apiVersion: 'vai/v1', kind: 'List', items: rows.map((r) => ({ service: r.service, ...r.event })) }, format));
    } else {
      ctx.stdout.write(renderTable(eventColumns(now), rows, { wide: format === 'wide', paint: painter(useColour(ctx.isTTY, ctx.env)) }));
    }
    return staleExit(ctx, snap, code);
  },
};
