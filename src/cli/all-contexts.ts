// `vaictl get -A` (--all-contexts): every context's services in one table with a HOST column.
// The hosts are asked at once, each with its own timeout; a host that does not answer is one
// row with its error, and the exit code is 0 unless no host answered.
import { EXIT, type CommandContext } from './command.js';
import { readConfig, contextToken, type Context } from './contexts.js';
import { fetchStatus } from '../web/client.js';
import { renderTable, type Column } from './printers/table.js';
import { serviceColumns, type ServiceRow } from './printers/service-columns.js';
import { serialize } from './printers/output.js';
import { objectList, serviceObject } from '../status/reader-objects.js';
import type { ServiceStatus, StatusDocument } from '../status/schema.js';
import type { Paint } from './printers/color.js';
import { usageError } from './command-support.js';

export interface AllContextsOptions {
  format: 'table' | 'wide' | 'json' | 'yaml' | 'name';
  timeoutMs: number;
  noHeaders: boolean;
  paint: Paint;
  /** The services of one host's document to show, in order. */
  select(doc: StatusDocument): ServiceStatus[];
}

interface HostResult {
  context: Context;
  doc?: StatusDocument;
  error?: string;
}

interface HostRow extends ServiceRow {
  host: string;
}

export async function getAllContexts(ctx: CommandContext, o: AllContextsOptions): Promise<number> {
  const config = await readConfig(ctx.env);
  if (config.contexts.length === 0) throw usageError(`-A lists every context, and ${config.file} has none; add one: vaictl config set-context NAME --server URL`);
  const results: HostResult[] = await Promise.all(
    config.contexts.map(async (context) => {
      try {
        const doc = await fetchStatus(context.server, contextToken(context['token-file'], ctx.env), { timeoutMs: o.timeoutMs });
        return { context, doc };
      } catch (e) {
        return { context, error: (e as Error).message };
      }
    }),
  );
  const rows: HostRow[] = results.flatMap((r) => (r.doc ? o.select(r.doc).map((status) => ({ host: r.context.name, status })) : []));
  const failed = results.filter((r) => r.error !== undefined);
  if (o.format === 'json' || o.format === 'yaml') {
    ctx.stdout.write(await serialize(objectList(rows.map((r) => serviceObject(r.status, undefined, r.host))), o.format));
    for (const f of failed) ctx.stderr.write(`Error: ${f.context.name}: ${f.error}\n`);
  } else if (o.format === 'name') {
    ctx.stdout.write(rows.map((r) => `${r.host}/service/${r.status.name}\n`).join(''));
    for (const f of failed) ctx.stderr.write(`Error: ${f.context.name}: ${f.error}\n`);
  } else {
    const now = Date.now();
    const hostColumn: Column<HostRow> = { name: 'host', priority: 0, cell: (r) => r.host };
    const columns: Column<HostRow>[] = [hostColumn, ...(serviceColumns(now) as Column<HostRow>[])];
    const table = rows.length > 0 || failed.length > 0 ? renderTable(columns, rows, { wide: o.format === 'wide', noHeaders: o.noHeaders, paint: o.paint }) : '';
    const hostWidth = Math.max('HOST'.length, ...rows.map((r) => r.host.length), ...failed.map((f) => f.context.name.length)) + 3;
    // A host that did not answer is one row, under the others: HOST, then its error.
    const errorRows = failed.map((f) => `${f.context.name.padEnd(hostWidth)}<error>   ${f.error}\n`).join('');
    ctx.stdout.write(alignHost(table, hostWidth) + errorRows);
    if (rows.length === 0 && failed.length === 0) ctx.stderr.write('No resources found\n');
  }
  return failed.length === results.length ? EXIT.FAILED : EXIT.OK;
}

// The table's HOST column is as wide as its own cells; the error rows may hold a longer host name.
function alignHost(table: string, width: number): string {
  const lines = table.split('\n');
  const current = /^\S+\s+/.exec(lines[0] ?? '')?.[0].length ?? width;
  if (current >= width) return table;
  return lines.map((l) => (l === '' ? l : l.replace(/^(\S+)(\s+)/, (_m, h: string) => h.padEnd(width)))).join('\n');
}
