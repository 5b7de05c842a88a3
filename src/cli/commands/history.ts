// vaictl history [NAME] [--since 24h|7d|...]: the incident timeline from STATE_DIR/history.db,
// newest first: when, how long, the cause, what vai did, the alerts sent. Reads the database
// only, so it works while vaid is down and never opens status.json.
import type { Command } from '../command.js';
import { EXIT } from '../command.js';
import { VaiError } from '../../errors.js';
import { resolvePaths } from '../paths.js';
import { painter, useColour } from '../printers/color.js';
import { incidentColumns } from '../printers/history-columns.js';
import { parseOutput, serialize } from '../printers/output.js';
import { renderTable } from '../printers/table.js';
import { historyFile, openReader } from '../../history/database.js';
import { historyList, parseSince, type HistoryList } from '../../history/views.js';
import { CONTEXT, outputFlag, parseFlags, SERVER, STATE_DIR, withPathFlags, type Flag } from '../flags.js';

const FLAGS = [
  { name: 'since', type: 'string', value: 'WINDOW', help: '30m, 24h (default), 7d, 2w or an ISO time' },
  outputFlag('table (default), wide (adds the time), json or yaml', ['table', 'wide', 'json', 'yaml']),
  { ...CONTEXT, help: "that host's history, over its endpoint (/api/history, the context's token-file)" },
  { ...SERVER, help: 'the vaid at URL (its read token in VAI_WEB_TOKEN_FILE or VAI_WEB_TOKEN)' },
  STATE_DIR,
] as const satisfies readonly Flag[];

export const historyCommand: Command = {
  name: 'history',
  summary: 'Show the incident timeline of all services or one: when, how long, cause, what vai did',
  usage: `Usage: vaictl history [NAME] [flags]

The incidents of the window (newest first) from STATE_DIR/history.db: when each opened, how
long it lasted, its cause, the recovery attempts and restarts, the alerts sent and how each
ended (closed by recovery, operator or stop).`,
  flags: FLAGS,
  remote: 'own',
  operands: 'services',
  epilog: `Exit codes: 0 ok, 2 usage, 1 no history to read.

Examples:
  vaictl history
  vaictl history minio --since 7d -o json`,
  async run(ctx) {
    // Only the modules this command needs (not command-support's status reader): it is read on every call.
    const { values, positionals } = parseFlags(ctx.argv, withPathFlags(FLAGS));
    const paths = resolvePaths(values, ctx.env, ctx.cwd);
    const format = parseOutput(values.output);
    if (format === 'name') throw new VaiError('VAI_E_USAGE', '-o name lists services; use vaictl get -o name');
    if (positionals.length > 1) throw new VaiError('VAI_E_USAGE', 'name at most one service');
    const now = Date.now();
    const sinceMs = parseSince(values.since ?? '24h', now);
    if (sinceMs === null) throw new VaiError('VAI_E_USAGE', `--since ${values.since}: use 30m, 24h, 7d, 2w or an ISO time`);
    const print = async (list: HistoryList) => {
      if (format === 'json' || format === 'yaml') ctx.stdout.write(await serialize(list, format));
      else if (list.items.length === 0) ctx.stderr.write(`No incidents since ${list.since}\n`);
      else ctx.stdout.write(renderTable(incidentColumns(now), list.items, { wide: format === 'wide', paint: painter(useColour(ctx.isTTY, ctx.env)) }));
      return EXIT.OK;
    };
    if (values.context !== undefined || values.server !== undefined) {
      // That host's database, read by its vaid: the window is passed as typed, so "24h" is its now.
      const { remoteTarget } = await import('../vaictl-remote.js');
      const target = (await remoteTarget(values, 'read', ctx.env))!;
      const { fetchHistory } = await import('../../web/client.js');
      return print((await fetchHistory(target.server, target.token, { service: positionals[0], since: values.since ?? '24h' })) as HistoryList);
    }
    const db = openReader(historyFile(paths.stateDir));
    try {
      return await print(historyList(db, { service: positionals[0], sinceMs }));
    } finally {
      db.close();
    }
  },
};
