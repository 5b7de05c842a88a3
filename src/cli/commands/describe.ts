// vaictl describe NAME...: everything about a service, kubectl-style, Events last.
import type { Command } from '../command.js';
import { EXIT } from '../command.js';
import { notFoundMessage, parse, pickByName, staleExit, usageError } from '../command-support.js';
import { describeService } from '../printers/describe-service.js';
import { readSpecs } from '../spec-reader.js';
import { statusSource } from '../status-source.js';
import { asList, parseOutput, serialize } from '../printers/output.js';
import type { ServiceSummary } from '../../history/views.js';
import { CONTEXT, outputFlag, PATH_FLAGS, SERVER, type Flag } from '../flags.js';
import type { DesiredService } from '../../manifest/types.js';

/** Each service's history summary, or why there is none; never fails describe. */
async function readHistory(stateDir: string, names: string[], now: number): Promise<(name: string) => ServiceSummary | string> {
  try {
    const { historyFile, openReader } = await import('../../history/index.js');
    const { serviceSummary } = await import('../../history/views.js');
    const db = openReader(historyFile(stateDir));
    try {
      const out = new Map(names.map((n) => [n, serviceSummary(db, n, now)]));
      return (n) => out.get(n)!;
    } finally {
      db.close();
    }
  } catch (e) {
    const why = (e as Error).message;
    return () => why;
  }
}

const FLAGS = [
  outputFlag('text (default), json or yaml (the status objects, with lastFailure: the cause and its evidence)', ['text', 'json', 'yaml']),
  CONTEXT,
  SERVER,
  ...PATH_FLAGS,
] as const satisfies readonly Flag[];

export const describeCommand: Command = {
  name: 'describe',
  summary: 'Show one or more services in detail: spec in words, status, conditions, events',
  usage: `Usage: vaictl describe [services] NAME... [flags]

Show a service's health check, commands, dependencies (with their phases), policy, restarts,
backoff, last check, counters with success rates, conditions, manifest errors and events.`,
  flags: FLAGS,
  remote: 'status',
  operands: 'services',
  epilog: `Exit codes: 0 ok, 2 usage, 3 a service does not exist, 4 no status file or vaid not running.

Example:
  vaictl describe minio`,
  async run(ctx) {
    const { values, positionals, paths, manifestsExplicit } = parse(ctx, FLAGS);
    const format = values.output === undefined || values.output === 'text' ? 'text' : parseOutput(values.output);
    if (format !== 'text' && format !== 'json' && format !== 'yaml') throw usageError(`describe prints text, json or yaml, not ${format}`);
    const names = ['services', 'service', 'svc'].includes(positionals[0] ?? '') ? positionals.slice(1) : positionals;
    if (names.length === 0) throw usageError('name at least one service');
    const now = Date.now();
    const snap = statusSource(ctx, paths).full(now);
    const { found, missing } = pickByName(snap.doc, names);
    let code: number = EXIT.OK;
    for (const m of missing) {
      ctx.stderr.write(`Error: ${notFoundMessage(m, Object.keys(snap.doc.services))}\n`);
      code = EXIT.NOT_FOUND;
    }
    if (found.length > 0 && format !== 'text') ctx.stdout.write(await serialize(asList(found, names.length === 1), format));
    else if (found.length > 0) {
      const specs = await readSpecs(snap.doc, paths.manifests, manifestsExplicit, found, ctx.status?.server);
      if (specs.warning) ctx.stderr.write(`Warning: ${specs.warning}\n`);
      // Another host's history is in its database, not this one's: say where to read it.
      const server = ctx.status?.server;
      const history = server ? () => `kept on ${server}: vaictl history NAME with the same --context or --server` : await readHistory(paths.stateDir, found.map((s) => s.name), now);
      // Another host's paths are not this host's to judge.
      const { pathWarnings } = await import('../../manifest/path-safety.js');
      const warningsOf = (sp: DesiredService | undefined) => (sp && !server ? pathWarnings(sp.spec, sp.source.file) : []);
      const texts = found.map((status) => {
        const spec = specs.services.get(status.name);
        return describeService({ doc: snap.doc, status, spec, now, history: history(status.name), pathWarnings: warningsOf(spec) });
      });
      ctx.stdout.write(texts.join('\n\n'));
    }
    return staleExit(ctx, snap, code);
  },
};
