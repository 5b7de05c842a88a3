// vaictl start NAME...: removes the manual-stop marker, so vai recovers the service again.
import type { Command } from '../command.js';
import { EXIT } from '../command.js';
import { knownServices, parse, usageError } from '../command-support.js';
import { assertServiceName, daemonWords, removeMarker } from '../manual-stop.js';
import { markerPath } from '../paths.js';
import { CONTEXT_ACT, MARKER_DIR, SERVER_ACT, STATE_DIR, type Flag } from '../flags.js';

const FLAGS = [CONTEXT_ACT, SERVER_ACT, MARKER_DIR, STATE_DIR] as const satisfies readonly Flag[];

export const startCommand: Command = {
  name: 'start',
  summary: 'Resume recovering a service: remove its manual-stop marker',
  usage: `Usage: vaictl start NAME... [flags]

Removes MARKER_DIR/NAME.stopped. vai checks the service at once and recovers it if it is
unhealthy (restart_cmd), as for any other failure.`,
  flags: FLAGS,
  remote: 'own',
  operands: 'services',
  epilog: `Exit codes: 0 ok, 2 usage or a bad name, 3 no such service in the status.`,
  async run(ctx) {
    const { values, positionals, paths } = parse(ctx, FLAGS);
    if (positionals.length === 0) throw usageError('name the service(s) to start');
    positionals.forEach(assertServiceName);
    if (values.context !== undefined || values.server !== undefined) {
      const remote = await import('../vaictl-remote.js');
      return remote.remoteActions((await remote.remoteTarget(values, 'write', ctx.env))!, 'start', positionals, ctx);
    }
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
