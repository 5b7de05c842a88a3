// What vaictl's commands share: flag parsing with the common path flags, picking services by
// name (unknown names suggest the closest), the stale-status warning, and checking the names
// that stop/start/restart are given against the status.
import { EXIT, type CommandContext } from './command.js';
import { daemonState, type DaemonState } from '../status/reader.js';
import { readStatus, type StatusSnapshot } from './status-source.js';
import { VaiError } from '../errors.js';
import { resolvePaths, type Paths } from './paths.js';
import { parseFlags, withPathFlags, type Flag, type FlagValues } from './flags.js';
import type { ServiceStatus, StatusDocument } from '../status/schema.js';
import { closestMatch } from '../manifest/closest-match.js';

export interface Parsed<V> {
  values: V & { manifests?: string; 'state-dir'?: string; 'marker-dir'?: string };
  positionals: string[];
  paths: Paths;
  /** The manifests dir was named by flag or VAI_MANIFESTS (else status.manifests.dir is preferred). */
  manifestsExplicit: boolean;
}

/**
 * Parses the command's declared flags (flags.ts), and the state-dir layout's --manifests,
 * --state-dir and --marker-dir, which every command that reads paths accepts ("Common flags"
 * in `vaictl help`) whether or not its help lists them.
 */
export function parse<F extends readonly Flag[]>(ctx: CommandContext, flags: F): Parsed<FlagValues<F>> {
  const { values, positionals } = parseFlags(ctx.argv, withPathFlags(flags));
  const v = values as Parsed<FlagValues<F>>['values'];
  return {
    values: v,
    positionals,
    paths: resolvePaths(v, ctx.env, ctx.cwd),
    manifestsExplicit: v.manifests !== undefined || Boolean(ctx.env.VAI_MANIFESTS),
  };
}

export function usageError(message: string): VaiError {
  return new VaiError('VAI_E_USAGE', message);
}

/** The closest known name, if near enough to be a likely typo, for "did you mean". */
export function closestName(name: string, known: Iterable<string>): string | undefined {
  return closestMatch(name, [...known].sort());
}

export function notFoundMessage(name: string, known: Iterable<string>): string {
  const hint = closestName(name, known);
  return `service "${name}" not found${hint ? `; did you mean "${hint}"?` : ''}`;
}

/** Services named on the command line, in the order given, plus the names that do not exist. */
export function pickByName<S = ServiceStatus>(doc: { services: Record<string, S> }, names: readonly string[]): { found: S[]; missing: string[] } {
  const found: S[] = [];
  const missing: string[] = [];
  const seen = new Set<string>();
  for (const n of names) {
    if (seen.has(n)) continue;
    seen.add(n);
    const s = doc.services[n];
    if (s) found.push(s);
    else missing.push(n);
  }
  return { found, missing };
}

export function allSorted<S = ServiceStatus>(doc: { services: Record<string, S> }): S[] {
  return Object.keys(doc.services)
    .sort()
    .map((n) => doc.services[n]!);
}

/** Output was printed from a status file nobody updates: warn, and exit 4 unless already failing. */
export function staleExit(ctx: CommandContext, snap: StatusSnapshot, code: number): number {
  if (snap.note) ctx.stderr.write(`Note: ${snap.note}\n`);
  if (!snap.staleWarning) return code;
  ctx.stderr.write(`Warning: ${snap.staleWarning}\n`);
  return code === EXIT.OK ? EXIT.NO_DAEMON : code;
}

export interface Known {
  ok: boolean;
  doc: StatusDocument | null;
  daemon: DaemonState;
}

/**
 * Checks the names against the status when there is one; without a status (vaid never ran)
 * markers are still written, since vaid reads them when it starts.
 */
export function knownServices(ctx: CommandContext, paths: Paths, names: readonly string[]): Known {
  let doc: StatusDocument | null = null;
  try {
    doc = readStatus(paths, Date.now()).doc;
  } catch {
    return { ok: true, doc: null, daemon: daemonState(paths, null) };
  }
  const missing = names.filter((n) => !doc.services[n]);
  for (const m of missing) ctx.stderr.write(`Error: ${notFoundMessage(m, Object.keys(doc.services))}\n`);
  return { ok: missing.length === 0, doc, daemon: daemonState(paths, doc.vaid.pid) };
}

/** `60s`, `10m`, `1h`, `500ms` or plain seconds, as kubectl's durations. */
export function parseDuration(text: string, flag: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!m) throw usageError(`${flag} ${text}: use a duration such as 30s, 10m or 1h`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(m[2] ?? 's') as 'ms'];
  return Number(m[1]) * unit;
}
