// vaictl start NAME...: removes the manual-stop marker, so vai recovers the service again.
import type { Command, CommandContext } from '../command.js';
import { EXIT } from '../command.js';
import { notFoundMessage, parse, usageError } from '../command-support.js';
import { assertServiceName, daemonWords, removeMarker } from '../manual-stop.js';
import { markerPath, type Paths } from '../paths.js';
import { daemonState, readStatus, type DaemonState } from '../status-reader.js';
import type { StatusDocument } from '../../status/schema.js';

export const startCommand: Command = {
  name: 'start',
  summary: 'Resume recovering a service: remove its manual-stop marker',
  usage: `Usage: vaictl start NAME... [flags]

Removes MARKER_DIR/NAME.stopped. vai checks the service at once and recovers it if it is
unhealthy (restart_cmd), as for any other failure.

Flags:
  --marker-dir DIR, --state-dir DIR  (or VAI_MARKER_DIR, VAI_STATE_DIR)

Exit codes: 0 ok, 2 usage or a bad name, 3 no such service in the status.`,
  async run(ctx) {
    const { positionals, paths } = parse(ctx, {});
    if (positionals.length === 0) throw usageError('name the service(s) to start');
    positionals.forEach(assertServiceName);
    const known = knownServices(ctx, paths, positionals);
    if (!known.ok) return EXIT.NOT_FOUND;
    for (const name of positionals) {
      const removed = removeMarker(paths, name);
      const s = known.doc?.services[name];
      const disabled = s?.desired === 'Disabled' ? ` Note: ${name} has enabled: false in its manifest, so vai still will not act on it.` : '';
      ctx.stdout.write(
        removed
          ? `service/${name} started (marker ${markerPath(paths, name)} removed).\n` +
              `vai checks ${name} now and runs its restart_cmd if it is unhealthy; ${daemonWords(known.daemon)}.${disabled}\n`
          : `service/${name} was not stopped (no marker ${markerPath(paths, name)}); nothing to do.${disabled}\n`,
      );
    }
    return EXIT.OK;
  },
};

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
