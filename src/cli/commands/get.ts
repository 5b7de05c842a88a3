// vaictl get [services] [NAME...]: the table people live in, and its -o/-l/-w variants.
import type { Command, CommandContext } from '../command.js';
import { EXIT } from '../command.js';
import { allSorted, notFoundMessage, parse, pickByName, staleExit } from '../command-support.js';
import { painter, useColour, type Paint } from '../printers/color.js';
import { parseOutput, printRows, type OutputFormat } from '../printers/output.js';
import { serviceColumns, visibleKey, WATCH_MIN_WIDTHS, type ServiceRow } from '../printers/service-columns.js';
import { cells, columnWidths, renderRow, visibleColumns } from '../printers/table.js';
import { readStatus } from '../status-reader.js';
import { readSummary } from '../summary-reader.js';
import type { Paths } from '../paths.js';
import type { StatusDocument } from '../../status/schema.js';

const RESOURCE_WORDS = new Set(['services', 'service', 'svc']);

interface GetFlags {
  output?: string;
  selector?: string;
  watch?: boolean;
  'no-headers'?: boolean;
}

export const getCommand: Command = {
  name: 'get',
  summary: 'List services: desired state, phase, health, restarts',
  usage: `Usage: vaictl get [services] [NAME...] [flags]

List services with their desired state, phase, last health check and restarts.

Flags:
  -o, --output FORMAT   table (default), wide, json, yaml or name
  -l, --selector SEL    only services whose labels match, e.g. -l tier=db,env!=dev
  -w, --watch           after the list, print a row each time a service changes
      --no-headers      omit the header row
  --manifests DIR, --state-dir DIR, --marker-dir DIR  (or VAI_MANIFESTS, VAI_STATE_DIR, VAI_MARKER_DIR)

Exit codes: 0 ok, 2 usage, 3 a named service does not exist, 4 no status file or vaid not running.

Examples:
  vaictl get
  vaictl get minio postgres -o wide
  vaictl get -l tier=storage -o name
  vaictl get -w`,
  async run(ctx) {
    const { values, positionals, paths, manifestsExplicit } = parse<GetFlags>(ctx, {
      output: { type: 'string', short: 'o' },
      selector: { type: 'string', short: 'l' },
      watch: { type: 'boolean', short: 'w' },
      'no-headers': { type: 'boolean' },
    });
    const format = parseOutput(values.output);
    // Loaded only for -l: every module on the plain `get` path costs start-up time.
    const labels = values.selector === undefined ? null : await import('../../manifest/label-selector.js');
    const selector = labels && values.selector !== undefined ? labels.parseLabelSelector(values.selector) : null;
    const names = positionals[0] !== undefined && RESOURCE_WORDS.has(positionals[0]) ? positionals.slice(1) : positionals;
    const now = Date.now();
    // json and yaml print whole objects, and -w compares each new document with this one. The
    // table and -o name show only what vaid's summary holds (src/status/summary.ts); -o wide
    // shows more of each status.
    const brief = (format === 'table' || format === 'name') && !values.watch;
    // The summary's services hold every field the table's and -o name's columns read.
    const snap = (brief ? (readSummary(paths, now) as unknown as ReturnType<typeof readStatus> | null) : null) ?? readStatus(paths, now, { withoutHistory: format !== 'json' && format !== 'yaml' && !values.watch });
    const { doc } = snap;
    let code: number = EXIT.OK;

    const select = (d: StatusDocument): ServiceRow[] => {
      const chosen = names.length > 0 ? pickByName(d, names).found : allSorted(d);
      return chosen.filter((s) => !selector || labels!.matchesSelector(s.labels, selector)).map((status) => ({ status }));
    };
    if (names.length > 0) {
      for (const m of pickByName(doc, names).missing) {
        ctx.stderr.write(`Error: ${notFoundMessage(m, Object.keys(doc.services))}\n`);
        code = EXIT.NOT_FOUND;
      }
    }
    const rows = select(doc);
    const withSpecs = format === 'wide' ? await attachSpecs(ctx, rows, doc, paths, manifestsExplicit) : rows;
    const paint = painter(useColour(ctx.isTTY, ctx.env));
    const opts = {
      format,
      columns: serviceColumns(now),
      paint,
      noHeaders: Boolean(values['no-headers']),
      single: names.length === 1,
      minWidths: values.watch ? WATCH_MIN_WIDTHS : undefined,
    };
    if (withSpecs.length === 0 && !values.watch) {
      if (code === EXIT.OK) ctx.stderr.write('No resources found\n');
    } else {
      ctx.stdout.write(await printRows(withSpecs, opts));
    }
    code = staleExit(ctx, snap, code);
    if (!values.watch) return code;
    await watchLoop(ctx, paths, doc, withSpecs, { format, paint, noHeaders: opts.noHeaders, select });
    return code;
  },
};

async function attachSpecs(ctx: CommandContext, rows: ServiceRow[], doc: StatusDocument, paths: Paths, explicit: boolean): Promise<ServiceRow[]> {
  const { readSpecs } = await import('../spec-reader.js');
  // The check types' words come with their modules (and the schema library): on demand, as the specs.
  const { checkTarget } = await import('../printers/check-words.js');
  const specs = await readSpecs(doc, paths.manifests, explicit, rows.map((r) => r.status));
  if (specs.warning) ctx.stderr.write(`Warning: ${specs.warning}\n`);
  return rows.map((r) => {
    const spec = specs.services.get(r.status.name);
    return { ...r, spec, checkTarget: spec ? checkTarget(spec.spec.health_check, spec.spec) : undefined };
  });
}

interface WatchOpts {
  format: OutputFormat;
  paint: Paint;
  noHeaders: boolean;
  select(doc: StatusDocument): ServiceRow[];
}

// Prints one row per changed service, with the column widths of the first listing so the
// rows stay under their headers. Ends on SIGINT/SIGTERM (Ctrl-C), exit 0.
async function watchLoop(ctx: CommandContext, paths: Paths, first: StatusDocument, initial: ServiceRow[], o: WatchOpts): Promise<void> {
  const columns = visibleColumns(serviceColumns(Date.now()), o.format === 'wide');
  const header = columns.map((c) => c.name.toUpperCase());
  let widths = columnWidths(header, cells(columns, initial)).map((w, i) => Math.max(w, WATCH_MIN_WIDTHS[columns[i]!.name] ?? 0));
  const shown = new Map(initial.map((r) => [r.status.name, visibleKey(r)]));
  const specs = new Map(initial.map((r) => [r.status.name, { spec: r.spec, checkTarget: r.checkTarget }]));
  const { changedServices, watchStatus } = await import('../watch.js');
  const toYaml = o.format === 'yaml' ? (await import('yaml')).stringify : null;
  const controller = new AbortController();
  const stop = (): void => controller.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  let prev = first;
  try {
    await watchStatus(paths, controller.signal, {
      onDoc: (doc) => {
        const wanted = new Set(o.select(doc).map((r) => r.status.name));
        const changes = changedServices(prev, doc).filter((c) => wanted.has(c.name) || (c.status === null && c.previous !== null));
        prev = doc;
        const rows = changes.map((c) => ({ status: c.status ?? c.previous!, removed: c.status === null, ...specs.get(c.name) }));
        if (rows.length === 0) return;
        if (o.format === 'json') ctx.stdout.write(rows.map((r) => `${JSON.stringify(r.status)}\n`).join(''));
        else if (toYaml) ctx.stdout.write(rows.map((r) => `---\n${toYaml(r.status, { lineWidth: 0 })}`).join(''));
        else if (o.format === 'name') ctx.stdout.write(rows.map((r) => `service/${r.status.name}\n`).join(''));
        else {
          // A table row that would look the same as the last one printed (only a hidden step of
          // the recovery moved) is skipped; json/yaml/name print every change.
          const fresh = rows.filter((r) => shown.get(r.status.name) !== visibleKey(r));
          for (const r of fresh) shown.set(r.status.name, visibleKey(r));
          if (fresh.length > 0) widths = writeRows(ctx, fresh, o, widths);
        }
      },
      onError: (e) => ctx.stderr.write(`Warning: ${(e as Error).message}\n`),
    });
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}

function writeRows(ctx: CommandContext, rows: ServiceRow[], o: WatchOpts, widths: number[]): number[] {
  const columns = visibleColumns(serviceColumns(Date.now()), o.format === 'wide');
  const texts = cells(columns, rows);
  const grown = widths.map((w, i) => Math.max(w, ...texts.map((t) => t[i]!.length)));
  ctx.stdout.write(rows.map((r, i) => `${renderRow(columns, r, texts[i]!, grown, o.paint)}\n`).join(''));
  return grown;
}
