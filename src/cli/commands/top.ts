// vaictl top [NAME...]: CPU and memory of each service's process tree, as `kubectl top pod`
// prints them. The process is the one vaid knows for the service (pid_file, process check, the
// owner of its check's loopback port; a container's main process through the engine); CPU is
// the share of a core over a short window between two reads of /proc, as top(1) measures it.
import path from 'node:path';
import type { Command, CommandContext } from '../command.js';
import { EXIT } from '../command.js';
import { allSorted, notFoundMessage, parse, parseDuration, pickByName, usageError } from '../command-support.js';
import { readStatus } from '../status-source.js';
import { readSpecs } from '../spec-reader.js';
import { renderTable, type Column } from '../printers/table.js';
import { noPaint } from '../printers/color.js';
import type { DesiredService } from '../../manifest/types.js';
import type { ServiceStatus } from '../../status/schema.js';
// Types only: the executor's modules (the check registry behind the listener lookup) load in run(),
// so they cost nothing to the other commands.
import type { ServiceProcess } from '../../executor/service-process.js';
import type { TreeUsage } from '../../executor/process-tree.js';
import { MANIFESTS, outputFlag, SELECTOR, STATE_DIR, type Flag } from '../flags.js';

export interface TopRow {
  name: string;
  pid: number | null;
  /** Cores used over the window (1 = one whole core); null without a process. */
  cores: number | null;
  rssBytes: number | null;
  processes: number | null;
  note: string;
}

/** kubectl's units: millicores and binary megabytes. */
export function millicores(cores: number): string {
  return `${Math.round(cores * 1000)}m`;
}

export function mebibytes(bytes: number): string {
  return `${Math.round(bytes / (1024 * 1024))}Mi`;
}

const COLUMNS: Column<TopRow>[] = [
  { name: 'name', priority: 0, cell: (r) => r.name },
  { name: 'cpu(cores)', priority: 0, cell: (r) => (r.cores === null ? '<unknown>' : millicores(r.cores)) },
  { name: 'memory(bytes)', priority: 0, cell: (r) => (r.rssBytes === null ? '<unknown>' : mebibytes(r.rssBytes)) },
  { name: 'processes', priority: 0, cell: (r) => (r.processes === null ? '-' : String(r.processes)) },
  { name: 'pid', priority: 0, cell: (r) => (r.pid === null ? '-' : String(r.pid)) },
  { name: 'process', priority: 1, cell: (r) => r.note },
];

/** Rows from two samples of the process table taken windowMs apart. */
export function topRows(found: ReadonlyMap<string, ServiceProcess>, first: ReadonlyMap<number, TreeUsage | null>, second: ReadonlyMap<number, TreeUsage | null>, windowMs: number): TopRow[] {
  const rows: TopRow[] = [];
  for (const [name, p] of found) {
    const b = p.pid === null ? null : (second.get(p.pid) ?? null);
    if (p.pid === null || b === null) {
      rows.push({ name, pid: p.pid, cores: null, rssBytes: null, processes: null, note: p.pid === null ? p.reason : `pid ${p.pid} is gone` });
      continue;
    }
    const a = first.get(p.pid) ?? null;
    const cores = a === null || windowMs <= 0 ? null : Math.max(0, b.cpuSeconds - a.cpuSeconds) / (windowMs / 1000);
    rows.push({ name, pid: p.pid, cores, rssBytes: b.rssBytes, processes: b.processes, note: p.via });
  }
  return rows;
}

const FLAGS = [
  { ...SELECTOR, help: 'only services whose labels match, e.g. -l tier=db' },
  { name: 'sort-by', type: 'string', value: 'F', help: 'cpu or memory, highest first (default: by name)', complete: ['cpu', 'memory'] },
  { name: 'window', type: 'string', value: 'D', help: 'how long to measure CPU over (default 1s; 200ms to 60s)' },
  { name: 'no-headers', type: 'boolean', help: 'print no header line' },
  outputFlag('wide: also show which process was measured', ['wide']),
  MANIFESTS,
  STATE_DIR,
] as const satisfies readonly Flag[];

export const topCommand: Command = {
  name: 'top',
  summary: 'Show CPU and memory of each service (its process tree)',
  usage: `Usage: vaictl top [NAME...] [-l SELECTOR] [--sort-by cpu|memory] [--window D] [flags]

Shows the CPU (in millicores: 1000m is one core) and memory (RSS of the service's whole process
tree) of each service, as kubectl top does. The process is the one vaid watches: the pid in
pid_file, else the match of a process check, else the owner of the check's loopback port; a
container's main process as the Docker engine reports it. CPU is measured over --window.`,
  flags: FLAGS,
  operands: 'services',
  epilog: `Exit codes: 0 ok, 2 usage, 3 no such service, 4 no status file.`,
  async run(ctx) {
    const { values, positionals, paths, manifestsExplicit } = parse(ctx, FLAGS);
    const sortBy = values['sort-by'];
    if (sortBy !== undefined && sortBy !== 'cpu' && sortBy !== 'memory') throw usageError(`--sort-by ${sortBy}: use cpu or memory`);
    if (values.output !== undefined && values.output !== 'wide') throw usageError(`-o ${values.output}: top prints a table or -o wide`);
    const windowMs = parseDuration(values.window ?? '1s', '--window');
    if (windowMs < 200 || windowMs > 60_000) throw usageError(`--window ${values.window}: between 200ms and 60s`);
    const { doc } = readStatus(paths, Date.now());
    let chosen: ServiceStatus[];
    if (positionals.length > 0) {
      const { found, missing } = pickByName(doc, positionals);
      for (const m of missing) ctx.stderr.write(`Error: ${notFoundMessage(m, Object.keys(doc.services))}\n`);
      if (missing.length > 0) return EXIT.NOT_FOUND;
      chosen = found;
    } else chosen = allSorted(doc);
    if (values.selector !== undefined) {
      const labels = await import('../../manifest/label-selector.js');
      const sel = labels.parseLabelSelector(values.selector);
      chosen = chosen.filter((s) => labels.matchesSelector(s.labels, sel));
    }
    const specs = await readSpecs(doc, paths.manifests, manifestsExplicit, chosen);
    if (specs.warning) ctx.stderr.write(`Warning: ${specs.warning}\n`);
    const found = await processesOf(ctx, chosen, specs.services);
    const { readProcTable, usageIn } = await import('../../executor/process-tree.js');
    const pids = [...new Set([...found.values()].flatMap((p) => (p.pid === null ? [] : [p.pid])))];
    const sample = (): Map<number, TreeUsage | null> => {
      const table = readProcTable();
      return new Map(pids.map((pid) => [pid, usageIn(table, pid)]));
    };
    const first = sample();
    const started = performance.now();
    if (pids.length > 0) await new Promise((r) => setTimeout(r, windowMs));
    const rows = topRows(found, first, sample(), performance.now() - started);
    if (sortBy === 'cpu') rows.sort((a, b) => (b.cores ?? -1) - (a.cores ?? -1));
    else if (sortBy === 'memory') rows.sort((a, b) => (b.rssBytes ?? -1) - (a.rssBytes ?? -1));
    ctx.stdout.write(renderTable(COLUMNS, rows, { wide: values.output === 'wide', noHeaders: Boolean(values['no-headers']), paint: noPaint }));
    return EXIT.OK;
  },
};

/** Each chosen service's main process; containers through the engine's inspect (State.Pid). */
async function processesOf(ctx: CommandContext, chosen: readonly ServiceStatus[], specs: ReadonlyMap<string, DesiredService>): Promise<Map<string, ServiceProcess>> {
  const queries = [];
  const out = new Map<string, ServiceProcess>();
  for (const s of chosen) {
    const d = specs.get(s.name);
    if (!d) out.set(s.name, { pid: null, reason: 'its spec cannot be read' });
    else queries.push({ name: s.name, spec: d.spec, workingDir: path.dirname(d.source.file) });
  }
  const { findServiceProcesses } = await import('../../executor/service-process.js');
  const host = await findServiceProcesses(queries);
  const containers = queries.filter((q) => q.spec.container !== undefined);
  if (containers.length > 0) {
    const { containerPids } = await import('../container-pids.js');
    const byContainer = await containerPids(
      containers.map((q) => q.spec.container!),
      ctx.env,
    );
    for (const q of containers) host.set(q.name, byContainer.get(q.spec.container!)!);
  }
  for (const s of chosen) if (!out.has(s.name)) out.set(s.name, host.get(s.name) ?? { pid: null, reason: 'not found' });
  return out;
}
