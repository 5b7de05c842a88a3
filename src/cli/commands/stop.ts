// vaictl stop NAME...: the seed's manual-stop marker. vai stops recovering the service; the
// service itself is left as it is (the marker is how a person says "hands off while I fix it").
import type { Command } from '../command.js';
import { EXIT } from '../command.js';
import { knownServices, parse, usageError } from '../command-support.js';
import { assertServiceName, daemonWords, writeMarker } from '../manual-stop.js';
import { markerPath } from '../paths.js';

export const stopCommand: Command = {
  name: 'stop',
  summary: 'Stop recovering a service: write its manual-stop marker',
  usage: `Usage: vaictl stop NAME... [flags]

Writes MARKER_DIR/NAME.stopped (the seed's manual-stop marker). vai then observes the service
but never restarts it, until "vaictl start NAME". The service's process is not touched.

Flags:
  --marker-dir DIR, --state-dir DIR  (or VAI_MARKER_DIR, VAI_STATE_DIR)

Exit codes: 0 ok, 2 usage or a bad name, 3 no such service in the status.`,
  async run(ctx) {
    const { positionals, paths } = parse(ctx, {});
    if (positionals.length === 0) throw usageError('name the service(s) to stop');
    positionals.forEach(assertServiceName);
    const known = knownServices(ctx, paths, positionals);
    if (!known.ok) return EXIT.NOT_FOUND;
    for (const name of positionals) {
      const created = writeMarker(paths, name);
      ctx.stdout.write(
        `service/${name} ${created ? 'stopped' : 'already stopped'} (marker ${markerPath(paths, name)}).\n` +
          `vai will not recover ${name} while it is stopped; ${daemonWords(known.daemon)}. ` +
          `Its process is left as it is; "vaictl start ${name}" resumes recovery.\n`,
      );
    }
    return EXIT.OK;
  },
};
