// Turning per-file results into one consistent desired state, with last-good semantics: a
// failing file keeps what it defined when it last loaded cleanly, a deleted service is
// dropped, and a new bad file touches nothing else. Cross-file rules (duplicate names,
// unknown dependencies, cycles) are checked on the set that would apply; a file that breaks
// one is treated as failing too, until the set is consistent. Since the previous state was
// consistent, this converges: at worst every file keeps its last good definitions.
import path from 'node:path';
import type { DesiredMaintenance, DesiredNotifier, DesiredService, DesiredState, ManifestError, SourcePosition } from './types.js';
import type { Definition } from './load-file.js';
import type { FileResult } from './load-file.js';
import type { MaintenanceSpec, NotifierSpec, ServiceSpec } from './schema.js';
import { parseLabelSelector } from './label-selector.js';
import { errorAt } from './candidate.js';
import { didYouMean } from './closest-match.js';
import { findCycles, graphOf } from './dependency-graph.js';
import { matchesSelector, type LabelSelector } from './label-selector.js';
import { deepEqual, deepFreeze } from './deep.js';

interface Entry {
  kind: 'Service' | 'Notifier' | 'Maintenance';
  name: string;
  file: string;
  labels: Record<string, string>;
  spec: ServiceSpec | NotifierSpec | MaintenanceSpec;
  source: SourcePosition;
  /** Set when the entry is fresh from this load. */
  def?: Definition;
  /** Set when the entry is a last good definition kept from the previous state. */
  kept?: DesiredService | DesiredNotifier | DesiredMaintenance;
}

interface CrossError {
  error: ManifestError;
  /** The file whose change caused it; it becomes a failing file. */
  blame?: string;
}

export interface AssembleInput {
  root: string;
  results: ReadonlyMap<string, FileResult>;
  /** Errors of the directory scan (unreadable or unsafe files and dirs). */
  scanErrors: readonly ManifestError[];
  /** Files and dirs the scan refused. */
  refused: readonly string[];
  previous?: DesiredState | undefined;
  selector?: LabelSelector | undefined;
}

export interface Assembled {
  services: Map<string, DesiredService>;
  notifiers: Map<string, DesiredNotifier>;
  maintenance: Map<string, DesiredMaintenance>;
  errors: ManifestError[];
}

function under(p: string, dirOrFile: string): boolean {
  return p === dirOrFile || p.startsWith(dirOrFile + path.sep);
}

function isService(e: Entry): boolean {
  return e.kind === 'Service';
}

function at(root: string, s: SourcePosition): string {
  return `${path.relative(root, s.file) || path.basename(s.file)}:${s.line}:${s.column}`;
}

function previousEntries(previous: DesiredState | undefined): Entry[] {
  if (!previous) return [];
  const out: Entry[] = [];
  for (const s of previous.services.values()) out.push({ kind: 'Service', name: s.name, file: s.source.file, labels: s.labels, spec: s.spec, source: s.source, kept: s });
  for (const n of previous.notifiers.values()) out.push({ kind: 'Notifier', name: n.name, file: n.source.file, labels: {}, spec: n.spec, source: n.source, kept: n });
  for (const m of previous.maintenance?.values() ?? []) out.push({ kind: 'Maintenance', name: m.name, file: m.source.file, labels: {}, spec: m.spec, source: m.source, kept: m });
  return out;
}

function freshEntries(defs: readonly Definition[]): Entry[] {
  return defs.map((d) => ({ kind: d.kind, name: d.name, file: d.source.file, labels: d.labels, spec: d.spec, source: d.source, def: d }));
}

function duplicates(entries: Entry[], input: AssembleInput): { winners: Entry[]; errors: CrossError[] } {
  const groups = new Map<string, Entry[]>();
  for (const e of entries) {
    const key = `${e.kind}/${e.name}`;
    groups.set(key, [...(groups.get(key) ?? []), e]);
  }
  const winners: Entry[] = [];
  const errors: CrossError[] = [];
  for (const group of groups.values()) {
    const first = group[0]!;
    const prevFile = (first.kind === 'Service' ? input.previous?.services : first.kind === 'Notifier' ? input.previous?.notifiers : input.previous?.maintenance)?.get(first.name)?.source.file;
    const winner = group.find((e) => e.kept) ?? group.find((e) => e.file === prevFile) ?? first;
    winners.push(winner);
    for (const loser of group) {
      if (loser === winner || !loser.def) continue;
      const what = loser.kind === 'Service' ? 'service' : loser.kind === 'Notifier' ? 'notifier' : 'maintenance window';
      errors.push({
        blame: loser.file,
        error: errorAt(loser.def.candidate, ['metadata', 'name'], 'value', 'VAI_E_DUPLICATE_NAME', `${what} "${loser.name}" is defined twice: here and at ${at(input.root, winner.source)}`),
      });
    }
  }
  return { winners, errors };
}

/**
 * A dependency must be a service of the repository. One that the label selector leaves out runs
 * on another host: it is allowed, and the controller counts it as ready (this host can neither
 * check nor recover it). Refusing it instead would make a label move of a depended-on service
 * fail the dependent's file on the old host, whose last good spec would then keep the moved
 * service there too, reconciled by two hosts at once.
 */
function unknownDeps(services: Entry[], allNames: Set<string>, input: AssembleInput): CrossError[] {
  const names = new Set(services.map((s) => s.name));
  const errors: CrossError[] = [];
  for (const s of services) {
    (s.spec as ServiceSpec).dependencies.forEach((dep, i) => {
      if (names.has(dep) || (input.selector && allNames.has(dep))) return;
      if (s.def) {
        errors.push({ blame: s.file, error: errorAt(s.def.candidate, ['spec', 'dependencies', i], 'value', 'VAI_E_UNKNOWN_DEPENDENCY', `unknown service "${dep}"${didYouMean(dep, allNames)}`) });
        return;
      }
      // A kept service still needs `dep`: the change that removed it waits until its file is fixed.
      const gone = input.previous?.services.get(dep);
      if (!gone) return;
      errors.push({
        blame: gone.source.file,
        error: {
          code: 'VAI_E_UNKNOWN_DEPENDENCY',
          file: gone.source.file,
          line: gone.source.line,
          column: gone.source.column,
          path: 'metadata.name',
          message: `service "${dep}" cannot be removed yet: "${s.name}" (${at(input.root, s.source)}) depends on it and its file has errors, so its last good spec stays in force; fix that file first`,
        },
      });
    });
  }
  return errors;
}

function cycles(services: Entry[], input: AssembleInput): CrossError[] {
  const byName = new Map(services.map((s) => [s.name, s]));
  const errors: CrossError[] = [];
  for (const cycle of findCycles(graphOf(services.map((s) => ({ name: s.name, spec: s.spec as ServiceSpec }))))) {
    const members = cycle.slice(0, -1).map((n) => byName.get(n)!);
    const fresh = members.filter((m) => m.def);
    const changed = fresh.filter((m) => !deepEqual(input.previous?.services.get(m.name)?.spec.dependencies, (m.spec as ServiceSpec).dependencies));
    const text = cycle.join(' -> ');
    for (const m of changed.length > 0 ? changed : fresh) {
      const next = cycle[cycle.indexOf(m.name) + 1]!;
      const i = (m.spec as ServiceSpec).dependencies.indexOf(next);
      errors.push({ blame: m.file, error: errorAt(m.def!.candidate, ['spec', 'dependencies', i], 'value', 'VAI_E_DEP_CYCLE', `dependency cycle: ${text}`) });
    }
  }
  return errors;
}

function toService(e: Entry, previous: DesiredState | undefined): DesiredService {
  if (e.kept) return e.kept as DesiredService;
  const def = e.def!;
  const prev = previous?.services.get(e.name);
  const same = prev && deepEqual(prev.spec, def.spec) && deepEqual(prev.labels, def.labels);
  if (same && prev.format === def.format && deepEqual(prev.annotations, def.annotations) && deepEqual(prev.source, def.source)) return prev;
  return deepFreeze({
    name: def.name,
    labels: def.labels,
    annotations: def.annotations,
    spec: def.spec as ServiceSpec,
    generation: same ? prev.generation : (prev?.generation ?? 0) + 1,
    source: def.source,
    format: def.format,
  });
}

function toNotifier(e: Entry): DesiredNotifier {
  if (e.kept) return e.kept as DesiredNotifier;
  return deepFreeze({ name: e.name, spec: e.spec as NotifierSpec, source: e.source });
}

function toMaintenance(e: Entry): DesiredMaintenance {
  if (e.kept) return e.kept as DesiredMaintenance;
  const spec = e.spec as MaintenanceSpec;
  // The rules (maintenance-rules.ts) parsed the selector already: this cannot throw.
  return deepFreeze({ name: e.name, spec, labelSelector: spec.selector.labels === undefined ? null : parseLabelSelector(spec.selector.labels), source: e.source });
}

export function assembleState(input: AssembleInput): Assembled {
  const failed = new Set<string>();
  for (const [file, r] of input.results) if (r.errors.length > 0) failed.add(file);
  const isFailed = (file: string) => failed.has(file) || input.refused.some((p) => under(file, p));
  const prev = previousEntries(input.previous);
  const files = [...new Set([...input.results.keys(), ...prev.map((e) => e.file)])].sort();
  const crossErrors: ManifestError[] = [];
  let winners: Entry[] = [];
  for (let round = 0; round <= files.length + 1; round++) {
    const entries: Entry[] = [];
    for (const file of files) {
      if (isFailed(file)) entries.push(...prev.filter((e) => e.file === file));
      else entries.push(...freshEntries(input.results.get(file)?.definitions ?? []));
    }
    const selected = entries.filter((e) => !isService(e) || !input.selector || matchesSelector(e.labels, input.selector));
    const dup = duplicates(selected, input);
    winners = dup.winners;
    const services = winners.filter(isService);
    const allNames = new Set(entries.filter(isService).map((e) => e.name));
    const found = [...dup.errors, ...unknownDeps(services, allNames, input), ...cycles(services, input)];
    const blamed = found.filter((f) => f.blame !== undefined && !isFailed(f.blame));
    if (blamed.length === 0) {
      crossErrors.push(...found.filter((f) => f.blame === undefined).map((f) => f.error));
      break;
    }
    for (const f of blamed) {
      failed.add(f.blame!);
      crossErrors.push(f.error);
    }
  }
  const services = new Map<string, DesiredService>();
  const notifiers = new Map<string, DesiredNotifier>();
  const maintenance = new Map<string, DesiredMaintenance>();
  for (const e of winners.sort((a, b) => a.name.localeCompare(b.name))) {
    if (isService(e)) services.set(e.name, toService(e, input.previous));
    else if (e.kind === 'Notifier') notifiers.set(e.name, toNotifier(e));
    else maintenance.set(e.name, toMaintenance(e));
  }
  const errors = [...input.scanErrors, ...[...input.results.values()].flatMap((r) => r.errors), ...crossErrors].map((e) => ({ ...e }));
  for (const err of errors) {
    const kept = prev.filter((e) => e.kind === 'Service' && under(e.file, err.file)).map((e) => e.name);
    if (kept.length > 0) err.services = [...new Set(kept)].sort();
  }
  errors.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column || a.message.localeCompare(b.message));
  return { services, notifiers, maintenance, errors };
}
