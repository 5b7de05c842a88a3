// vaictl get [services] [NAME...]: the table people live in, and its -o/-l/-w variants.
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { getHeaderLines } from '../printers/source-words.js';
import type { Command, CommandContext } from '../command.js';
import { EXIT } from '../command.js';
import { allSorted, notFoundMessage, parse, parseDuration, pickByName, staleExit, usageError } from '../command-support.js';
import { painter, useColour, type Paint } from '../printers/color.js';
import { parseOutput, printRows, serialize, type OutputFormat } from '../printers/output.js';
import { matchesFields, parseFieldSelector, parseObjectFormat, printObjects, sortObjects } from '../printers/objects.js';
import { objectList, serviceObject, type ServiceObject } from '../../status/reader-objects.js';
import { serviceColumns, visibleKey, WATCH_MIN_WIDTHS, type ServiceRow } from '../printers/service-columns.js';
import { cells, columnWidths, renderRow, visibleColumns } from '../printers/table.js';
import type { StatusSnapshot } from '../status-source.js';
import { statusSource } from '../status-source.js';
import type { Paths } from '../paths.js';
import type { ServiceStatus, StatusDocument } from '../../status/schema.js';
import { CONTEXT, outputFlag, PATH_FLAGS, SELECTOR, SERVER, type Flag } from '../flags.js';

const RESOURCE_WORDS = new Set(['services', 'service', 'svc']);

const FLAGS = [
  outputFlag(
    `table (default), wide, json, yaml, name, jsonpath=TEMPLATE or
custom-columns=HEADER:PATH,... (kubectl's syntax; json and yaml print
a List of {apiVersion, kind: Service, metadata, spec, status})`,
    ['table', 'wide', 'json', 'yaml', 'name', 'jsonpath=', 'custom-columns='],
  ),
  SELECTOR,
  { name: 'field-selector', type: 'string', value: 'SEL', help: `only services whose fields match: phase=, desired=, health=, name=
(=, ==, !=), e.g. --field-selector phase=CrashLoopBackOff` },
  { name: 'sort-by', type: 'string', value: 'PATH', help: 'sort by a JSONPath of the object, e.g. --sort-by=.status.restarts.count' },
  { name: 'all-contexts', short: 'A', type: 'boolean', help: 'every context of ~/.config/vai/config.yaml in one table with a HOST column' },
  { name: 'request-timeout', type: 'string', value: 'D', help: 'per host, with -A (default 5s)' },
  CONTEXT,
  SERVER,
  { name: 'watch', short: 'w', type: 'boolean', help: 'after the list, print a row each time a service changes' },
  { name: 'no-headers', type: 'boolean', help: 'omit the header row' },
  ...PATH_FLAGS,
] as const satisfies readonly Flag[];

export const getCommand: Command = {
  name: 'get',
  summary: 'List services: desired state, phase, health, restarts',
  usage: `Usage: vaictl get [services] [NAME...] [flags]

List services with their desired state, phase, last health check and restarts.`,
  flags: FLAGS,
  remote: 'status',
  operands: 'services',
  epilog: `Exit codes: 0 ok, 2 usage, 3 a named service does not exist, 4 no status file or vaid not running.

Examples:
  vaictl get
  vaictl get minio postgres -o wide
  vaictl get -l tier=storage -o name
  vaictl get -w
  vaictl get -o jsonpath='{.items[*].metadata.name}'
  vaictl get -o jsonpath='{range .items[*]}{.metadata.name}{"\\t"}{.status.phase}{"\\n"}{end}'
  vaictl get -o custom-columns=NAME:.metadata.name,RESTARTS:.status.restarts.count --sort-by=.status.restarts.count`,
  async run(ctx) {
    const { values, positionals, paths, manifestsExplicit } = parse(ctx, FLAGS);
    const objectFormat = parseObjectFormat(values.output);
    const format = objectFormat ? 'json' : parseOutput(values.output);
    const fields = values['field-selector'] === undefined ? [] : parseFieldSelector(values['field-selector']);
    // Loaded only for -l: every module on the plain `get` path costs start-up time.
    const labels = values.selector === undefined ? null : await import('../../manifest/label-selector.js');
    const selector = labels && values.selector !== undefined ? labels.parseLabelSelector(values.selector) : null;
    const names = positionals[0] !== undefined && RESOURCE_WORDS.has(positionals[0]) ? positionals.slice(1) : positionals;
    const now = Date.now();
    if (values['all-contexts']) {
      if (values.watch) throw usageError('-A does not work with -w; watch one host with its page');
      if (objectFormat) throw usageError('-A prints table, wide, json, yaml or name');
      const timeoutMs = parseDuration(values['request-timeout'] ?? '5s', '--request-timeout');
      const { getAllContexts } = await import('../all-contexts.js');
      const pick = (d: StatusDocument): ServiceStatus[] => {
        const chosen = names.length > 0 ? pickByName(d, names).found : allSorted(d);
        return chosen.filter((s) => (!selector || labels!.matchesSelector(s.labels, selector)) && (fields.length === 0 || matchesFields(serviceObject(s), fields)));
      };
      return getAllContexts(ctx, { format, timeoutMs, noHeaders: Boolean(values['no-headers']), paint: painter(useColour(ctx.isTTY, ctx.env)), select: pick });
    }
    // json and yaml print whole objects, and -w compares each new document with this one. The
    // table and -o name show only what vaid's summary holds (src/status/summary.ts); -o wide
    // shows more of each status.
    // Pull mode and rollouts put a header line above the table, from status.json (not in the summary).
    const sourceOrRollout = existsSync(path.join(paths.stateDir, 'source')) || existsSync(path.join(paths.stateDir, 'rollout'));
    const brief = (format === 'table' || format === 'name') && !values.watch && values['sort-by'] === undefined && !(format === 'table' && sourceOrRollout);
    // The summary's services hold every field the table's and -o name's columns read.
    const source = statusSource(ctx, paths);
    // -w: which status.json the listing shows, so one written while the watch starts is not missed.
    const shownId = values.watch ? statIdentity(paths.statusFile) : null;
    const snap = (brief ? (source.summary(now) as unknown as StatusSnapshot | null) : null) ?? source.full(now);
    const { doc } = snap;
    let code: number = EXIT.OK;

    const select = (d: StatusDocument): ServiceRow[] => {
      const chosen = names.length > 0 ? pickByName(d, names).found : allSorted(d);
      const picked = chosen.filter((s) => (!selector || labels!.matchesSelector(s.labels, selector)) && (fields.length === 0 || matchesFields(serviceObject(s), fields))).map((status) => ({ status }));
      return values['sort-by'] === undefined ? picked : sortObjects(picked, values['sort-by'], (r) => serviceObject(r.status));
    };
    if (names.length > 0) {
      for (const m of pickByName(doc, names).missing) {
        // -w on a name that does not exist yet watches for it: that is not an error.
        if (values.watch) ctx.stderr.write(`Warning: ${notFoundMessage(m, Object.keys(doc.services))} yet; watching for it\n`);
        else {
          ctx.stderr.write(`Error: ${notFoundMessage(m, Object.keys(doc.services))}\n`);
          code = EXIT.NOT_FOUND;
        }
      }
    }
    const rows = select(doc);
    const warning = format === 'table' || format === 'wide' ? manifestWarning(doc.manifests) : null;
    // kubectl's way: a warning on stderr, before the table (the services shown run their last good spec).
    if (warning) ctx.stderr.write(`${warning}\n`);
    // The spec comes from the manifests (yaml, ajv: ~100 ms to load): for a template only when it reads one.
    const needSpecs = format === 'wide' || (objectFormat ? /\bspec\b/.test(values.output ?? '') : format === 'json' || format === 'yaml');
    const withSpecs = needSpecs ? await attachSpecs(ctx, rows, doc, paths, manifestsExplicit) : rows;
    const paint = painter(useColour(ctx.isTTY, ctx.env));
    const opts = {
      format,
      columns: serviceColumns(now),
      paint,
      noHeaders: Boolean(values['no-headers']),
      single: names.length === 1,
      minWidths: values.watch ? WATCH_MIN_WIDTHS : undefined,
    };
    const objects = (rs: ServiceRow[]): ServiceObject[] => rs.map((r) => serviceObject(r.status, r.spec));
    const single = names.length === 1 && withSpecs.length === 1;
    if (objectFormat) {
      const items = objects(withSpecs);
      ctx.stdout.write(printObjects(objectFormat, single ? items[0] : objectList(items), items, opts.noHeaders));
    } else if (format === 'json' || format === 'yaml') {
      if (withSpecs.length > 0 || names.length === 0) {
        const items = objects(withSpecs);
        ctx.stdout.write(await serialize(single ? items[0] : objectList(items), format));
      }
    } else if (withSpecs.length === 0 && !values.watch) {
      if (code === EXIT.OK) ctx.stderr.write('No resources found\n');
    } else if (withSpecs.length === 0) {
      // Watching for services not there yet: the header now, so the rows that come line up under it.
      if (!opts.noHeaders && format !== 'name') {
        const columns = visibleColumns(serviceColumns(now), format === 'wide');
        const header = columns.map((c) => c.name.toUpperCase());
        const widths = watchWidths(columns, header, [], names);
        ctx.stdout.write(`${renderRow(columns, undefined, header, widths, paint)}\n`);
      }
    } else {
      const header = !opts.noHeaders && !values.watch && (format === 'table' || format === 'wide') ? getHeaderLines(doc, withSpecs.map((r) => r.status.name), now) : [];
      ctx.stdout.write(`${header.map((l) => `${l}\n`).join('')}${await printRows(withSpecs, opts)}`);
    }
    code = staleExit(ctx, snap, code);
    if (!values.watch) return code;
    await watchLoop(ctx, paths, doc, withSpecs, { format, paint, noHeaders: opts.noHeaders, select, names, shownId });
    return code;
  },
};

async function attachSpecs(ctx: CommandContext, rows: ServiceRow[], doc: StatusDocument, paths: Paths, explicit: boolean): Promise<ServiceRow[]> {
  const { readSpecs } = await import('../spec-reader.js');
  // The check types' words come with their modules (and the schema library): on demand, as the specs.
  const { checkTarget } = await import('../printers/check-words.js');
  const specs = await readSpecs(doc, paths.manifests, explicit, rows.map((r) => r.status), ctx.status?.server);
  if (specs.warning) ctx.stderr.write(`Warning: ${specs.warning}\n`);
  const uptimes = await readUptimes(paths);
  return rows.map((r) => {
    const spec = specs.services.get(r.status.name);
    return { ...r, spec, uptime24h: uptimes.get(r.status.name), checkTarget: spec ? checkTarget(spec.spec.health_check, spec.spec) : undefined };
  });
}

/** UPTIME (24h) for -o wide only: the plain get never opens history.db. No history: no values. */
async function readUptimes(paths: Paths): Promise<Map<string, string>> {
  try {
    const { historyFile, openReader } = await import('../../history/index.js');
    const { formatUptime, uptimes24h } = await import('../../history/views.js');
    const db = openReader(historyFile(paths.stateDir));
    try {
      const now = Date.now();
      return new Map([...uptimes24h(db, now)].map(([n, u]) => [n, formatUptime(u)]));
    } finally {
      db.close();
    }
  } catch {
    return new Map();
  }
}

interface WatchOpts {
  format: OutputFormat;
  paint: Paint;
  noHeaders: boolean;
  select(doc: StatusDocument): ServiceRow[];
  /** Names asked for: NAME is as wide as the longest, so a service that appears later fits under its header. */
  names: readonly string[];
  shownId: string | null;
}

function watchWidths(columns: ReturnType<typeof visibleColumns<ServiceRow>>, header: string[], body: string[][], names: readonly string[]): number[] {
  return columnWidths(header, body).map((w, i) => Math.max(w, WATCH_MIN_WIDTHS[columns[i]!.name] ?? 0, columns[i]!.name === 'name' ? Math.max(0, ...names.map((n) => n.length)) : 0));
}

function statIdentity(file: string): string | null {
  try {
    const s = statSync(file, { bigint: true });
    return `${s.ino}:${s.mtimeNs}:${s.size}`;
  } catch {
    return null;
  }
}

// Prints one row per changed service, with the column widths of the first listing so the
// rows stay under their headers. Ends on SIGINT/SIGTERM (Ctrl-C), exit 0.
async function watchLoop(ctx: CommandContext, paths: Paths, first: StatusDocument, initial: ServiceRow[], o: WatchOpts): Promise<void> {
  const columns = visibleColumns(serviceColumns(Date.now()), o.format === 'wide');
  const header = columns.map((c) => c.name.toUpperCase());
  let widths = watchWidths(columns, header, cells(columns, initial), o.names);
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
        if (o.format === 'json') ctx.stdout.write(rows.map((r) => `${JSON.stringify(serviceObject(r.status, r.spec))}\n`).join(''));
        else if (toYaml) ctx.stdout.write(rows.map((r) => `---\n${toYaml(serviceObject(r.status, r.spec), { lineWidth: 0 })}`).join(''));
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
    }, o.shownId);
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


/**
 * One line when the last manifest load had errors: the full status holds them all, the summary
 * (vaictl get's fast path) a count and the first few.
 */
export function manifestWarning(m: { errors?: unknown }): string | null {
  const e = m.errors as Array<{ file: string; line: number; column: number; path?: string; message: string }> | { count: number; first: string[] } | undefined;
  let count: number;
  let first: string;
  if (Array.isArray(e)) {
    if (e.length === 0) return null;
    const f = e[0]!;
    count = e.length;
    first = `${f.file}:${f.line}:${f.column}: ${f.path ? `${f.path}: ` : ''}${f.message}`;
  } else if (e && typeof e.count === 'number' && e.count > 0) {
    count = e.count;
    first = e.first[0] ?? '';
  } else return null;
  const more = count > 1 ? ` (and ${count - 1} more)` : '';
  return `Warning: the last manifest load had ${count} error${count === 1 ? '' : 's'}; the last good specs keep running: ${first.split('\n')[0]}${more}; see vaictl validate`;
}
