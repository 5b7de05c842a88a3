// vaictl describe NAME...: everything about a service, kubectl-style, Events last.
import type { Command } from '../command.js';
import { EXIT } from '../command.js';
import { notFoundMessage, parse, pickByName, staleExit, usageError } from '../command-support.js';
import { describeService } from '../printers/describe-service.js';
import { readSpecs } from '../spec-reader.js';
import { statusSource } from '../status-source.js';

export const describeCommand: Command = {
  name: 'describe',
  summary: 'Show one or more services in detail: spec in words, status, conditions, events',
  usage: `Usage: vaictl describe [services] NAME... [flags]

Show a service's health check, commands, dependencies (with their phases), policy, restarts,
backoff, last check, counters with success rates, conditions, manifest errors and events.

Flags:
  --manifests DIR, --state-dir DIR, --marker-dir DIR  (or VAI_MANIFESTS, VAI_STATE_DIR, VAI_MARKER_DIR)

Exit codes: 0 ok, 2 usage, 3 a service does not exist, 4 no status file or vaid not running.

Example:
  vaictl describe minio`,
  async run(ctx) {
    const { positionals, paths, manifestsExplicit } = parse(ctx, {});
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
    if (found.length > 0) {
      const specs = await readSpecs(snap.doc, paths.manifests, manifestsExplicit, found, ctx.status?.server);
      if (specs.warning) ctx.stderr.write(`Warning: ${specs.warning}\n`);
      const texts = found.map((status) => describeService({ doc: snap.doc, status, spec: specs.services.get(status.name), now }));
      ctx.stdout.write(texts.join('\n\n'));
    }
    return staleExit(ctx, snap, code);
  },
};
