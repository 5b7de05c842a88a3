// vaictl plan: a dry run of the reconciler. For each service, the real planner is given what
// vaid would give it, built by the same read model (reconcile/world.ts) from the same parts:
// the specs vaid's --selector selects (status.json records it), markers, pending restart
// requests; only the observation is the last check in status instead of a new one. plan runs no
// command and no check at all, so it is safe on a production host at any time.
// It answers "what will vaid do next if nothing changes", e.g. recover redis before api.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import type { Command } from '../command.js';
import { EXIT } from '../command.js';
import { notFoundMessage, parse, staleExit, usageError } from '../command-support.js';
import { painter, phaseColour, useColour } from '../printers/color.js';
import { parseOutput, serialize } from '../printers/output.js';
import { planWords } from '../printers/plan-words.js';
import { renderTable, type Column } from '../printers/table.js';
import type { Paths } from '../paths.js';
import { readSpecs } from '../spec-reader.js';
import { readStatus } from '../status-source.js';
import type { DesiredService } from '../../manifest/types.js';
import { matchesSelector, parseLabelSelector } from '../../manifest/label-selector.js';
import type { ServiceStatus } from '../../status/schema.js';
import type { CheckResult } from '../../executor/types.js';
import type { PlanResult } from '../../reconcile/planner.js';
import { outputFlag, PATH_FLAGS, type Flag } from '../flags.js';

interface PlanRow {
  name: string;
  phase: string;
  next: string;
  action: string;
  why: string;
}

const COLUMNS: Column<PlanRow>[] = [
  { name: 'name', priority: 0, cell: (r) => r.name },
  { name: 'phase', priority: 0, cell: (r) => r.phase, colour: (r) => phaseColour(r.phase) },
  { name: 'action', priority: 0, cell: (r) => r.action, colour: (r) => (r.action === 'nothing' ? undefined : 'yellow') },
  { name: 'why', priority: 0, cell: (r) => r.why },
  { name: 'next phase', priority: 1, cell: (r) => r.next },
];

const FLAGS = [
  outputFlag('table (default), wide (adds the phase it would move to), json or yaml', ['table', 'wide', 'json', 'yaml']),
  ...PATH_FLAGS,
] as const satisfies readonly Flag[];

export const planCommand: Command = {
  name: 'plan',
  summary: 'Dry run: what the reconciler would do now for each service, and why',
  usage: `Usage: vaictl plan [NAME...] [flags]

Runs the reconciler's planner on the current status and manifests, taking each service's last
check in status as the observation. Runs no check and no command.`,
  flags: FLAGS,
  operands: 'services',
  epilog: `Exit codes: 0 ok, 2 usage, 3 a named service does not exist, 4 no status file or vaid not running.`,
  async run(ctx) {
    const { values, positionals, paths, manifestsExplicit } = parse(ctx, FLAGS);
    const format = parseOutput(values.output);
    if (format === 'name') throw usageError('-o name lists services; use vaictl get -o name');
    const now = Date.now();
    const snap = readStatus(paths, now);
    const specs = await readSpecs(snap.doc, paths.manifests, manifestsExplicit);
    if (specs.warning) {
      ctx.stderr.write(`vaictl plan: ${specs.warning}\n`);
      return EXIT.FAILED;
    }
    const selected = selectedAsVaid(specs.services, snap.doc.manifests.selector ?? null);
    const all = [...new Set([...selected.keys(), ...Object.keys(snap.doc.services)])].sort();
    let code: number = EXIT.OK;
    for (const n of positionals.filter((p) => !all.includes(p))) {
      ctx.stderr.write(`Error: ${notFoundMessage(n, all)}\n`);
      code = EXIT.NOT_FOUND;
    }
    const names = positionals.length > 0 ? positionals.filter((p) => all.includes(p)) : all;
    const [{ plan }, { World }, { Generations }] = await Promise.all([import('../../reconcile/planner.js'), import('../../reconcile/world.js'), import('../../reconcile/generations.js')]);
    const doc = snap.doc;
    const world = new World({ statuses: { get: (n) => doc.services[n] }, logsDir: paths.logsDir, random: () => 0.5 });
    const generations = new Generations({ generation: doc.manifests.generation, services: Object.values(doc.services) });
    const state = generations.apply({ generation: 1, revision: null, attemptedRevision: null, services: selected, notifiers: new Map(), errors: [], loadedAt: now });
    world.setServices(state.services, generations.specHashes());
    world.setNotifiers(state.notifiers);
    world.setMarkers(markerNames(paths));
    const requested = requestFiles(paths);
    const rows: PlanRow[] = [];
    const results: Array<{ name: string; result: PlanResult }> = [];
    for (const name of names) {
      const before = doc.services[name] ?? null;
      const request = requested.has(`${name}.restart`) ? pendingRequest(paths, name) : null;
      if (request !== null) world.requestRestart(name, request);
      const result = plan(world.planInput(name, now, lastObservation(before)));
      results.push({ name, result });
      const w = planWords(name, before, result, now);
      rows.push({ name, phase: before?.phase ?? '<none>', next: result.status?.phase ?? '<removed>', action: w.action, why: w.why });
    }
    if (format === 'json' || format === 'yaml') {
      const items = results.map(({ name, result }, i) => ({ name, action: rows[i]!.action, why: rows[i]!.why, phase: result.status?.phase ?? null, actions: result.actions.map(stripSpec), requeue: result.requeue }));
      ctx.stdout.write(await serialize({ apiVersion: 'vai/v1', kind: 'Plan', items }, format));
    } else if (rows.length === 0) {
      ctx.stderr.write('No resources found\n');
    } else {
      ctx.stdout.write(renderTable(COLUMNS, rows, { wide: format === 'wide', paint: painter(useColour(ctx.isTTY, ctx.env)) }));
    }
    return staleExit(ctx, snap, code);
  },
};

/** The services vaid reconciles: those its --selector (recorded in status) selects. */
function selectedAsVaid(services: ReadonlyMap<string, DesiredService>, selector: string | null): ReadonlyMap<string, DesiredService> {
  if (!selector) return services;
  const sel = parseLabelSelector(selector);
  return new Map([...services].filter(([, s]) => matchesSelector(s.labels, sel)));
}

function markerNames(paths: Paths): Set<string> {
  try {
    return new Set(readdirSync(paths.markerDir).filter((f) => f.endsWith('.stopped')).map((f) => f.slice(0, -'.stopped'.length)));
  } catch {
    return new Set();
  }
}

function lastObservation(s: ServiceStatus | null): CheckResult | null {
  const l = s?.lastCheck;
  if (!l) return null;
  return { health: l.health, reason: l.reason as CheckResult['reason'], message: l.message, latencyMs: l.latencyMs };
}

/**
 * The names in the requests dir, listed once: asking for NAME.restart of each of 1,000 services
 * cost ~40 ms of failed opens (docs/performance.md, session 8).
 */
function requestFiles(paths: Paths): Set<string> {
  try {
    return new Set(readdirSync(paths.requestsDir));
  } catch {
    return new Set();
  }
}

/** A `vaictl restart` request vaid has not taken yet. */
function pendingRequest(paths: Paths, name: string): number | null {
  const file = path.join(paths.requestsDir, `${name}.restart`);
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as { requestedAt?: unknown };
    const at = typeof parsed.requestedAt === 'string' ? Date.parse(parsed.requestedAt) : NaN;
    return Number.isNaN(at) ? Date.now() : at;
  } catch {
    return existsSync(file) ? Date.now() : null;
  }
}

// Alerts carry the whole spec; the plan shows what would be sent, not the service's commands again.
function stripSpec(a: PlanResult['actions'][number]): unknown {
  if (a.type !== 'notify') return a;
  const { spec: _spec, ...alert } = a.alert;
  return { type: 'notify', alert };
}
