// vaictl report [--since 7d]: the seed's "Monitoring Auto-Recovery" numbers, per service and in
// total, from STATE_DIR/history.db: health-check success rate, uptime, auto-recovery success
// rate, restarts, incidents and alerts sent.
import type { Command } from '../command.js';
import { EXIT } from '../command.js';
import { VaiError } from '../../errors.js';
import { resolvePaths } from '../paths.js';
import { painter, useColour } from '../printers/color.js';
import { reportColumns } from '../printers/history-columns.js';
import { parseOutput, serialize } from '../printers/output.js';
import { renderTable } from '../printers/table.js';
import { historyFile, openReader } from '../../history/database.js';
import { parseSince, report } from '../../history/views.js';
import { outputFlag, parseFlags, STATE_DIR, withPathFlags, type Flag } from '../flags.js';

const FLAGS = [
  { name: 'since', type: 'string', value: 'WINDOW', help: '30m, 24h, 7d (default), 30d, 2w or an ISO time' },
  outputFlag('table (default), json or yaml', ['table', 'json', 'yaml']),
  STATE_DIR,
] as const satisfies readonly Flag[];

export const reportCommand: Command = {
  name: 'report',
  summary: 'Report check success, uptime, recoveries, restarts, incidents and alerts per service',
  usage: `Usage: vaictl report [flags]

Per service and in total over the window: checks, health-check success rate, uptime,
recoveries succeeded/attempted with the auto-recovery success rate, restarts, incidents and
alerts sent, from STATE_DIR/history.db.`,
  flags: FLAGS,
  epilog: `Exit codes: 0 ok, 2 usage, 1 no history to read.`,
  async run(ctx) {
    // Only the modules this command needs (not command-support's status reader).
    const { values, positionals } = parseFlags(ctx.argv, withPathFlags(FLAGS));
    if (positionals.length) throw new VaiError('VAI_E_USAGE', `report takes no names (got ${positionals.join(' ')}); it covers every service`);
    const paths = resolvePaths(values, ctx.env, ctx.cwd);
    const format = parseOutput(values.output);
    if (format === 'name') throw new VaiError('VAI_E_USAGE', '-o name is not a report format; use table, json or yaml');
    const now = Date.now();
    const sinceMs = parseSince(values.since ?? '7d', now);
    if (sinceMs === null) throw new VaiError('VAI_E_USAGE', `--since ${values.since}: use 30m, 24h, 7d, 2w or an ISO time`);
    const db = openReader(historyFile(paths.stateDir));
    try {
      const r = report(db, sinceMs, now);
      if (format === 'json' || format === 'yaml') {
        ctx.stdout.write(await serialize(r, format));
        return EXIT.OK;
      }
      if (r.services.length === 0) {
        ctx.stderr.write(`No history since ${r.since}\n`);
        return EXIT.OK;
      }
      ctx.stdout.write(`Since ${r.since}\n`);
      ctx.stdout.write(renderTable(reportColumns(), [...r.services, { service: 'TOTAL', ...r.total }], { wide: false, paint: painter(useColour(ctx.isTTY, ctx.env)) }));
      return EXIT.OK;
    } finally {
      db.close();
    }
  },
};
