// vaictl restart NAME...: asks vaid for a recovery now through STATE_DIR/requests/NAME.restart.
// vaictl never runs restart_cmd itself: vaid alone acts, so the restart is recorded, counted
// and verified like any other, and cannot race a recovery vaid is already running.
import type { Command } from '../command.js';
import { EXIT } from '../command.js';
import { knownServices, parse, usageError } from '../command-support.js';
import { assertServiceName, writeRestartRequest } from '../manual-stop.js';
import { CONTEXT_ACT, SERVER_ACT, STATE_DIR, type Flag } from '../flags.js';

const FLAGS = [CONTEXT_ACT, SERVER_ACT, STATE_DIR] as const satisfies readonly Flag[];

export const restartCommand: Command = {
  name: 'restart',
  summary: 'Ask vaid to recover a service now (stop_cmd, restart_cmd, verify)',
  usage: `Usage: vaictl restart NAME... [flags]

Writes STATE_DIR/requests/NAME.restart; vaid picks it up at once, runs stop_cmd (if set) and
restart_cmd, verifies the check within startup_delay_seconds, and deletes the request.
A stopped or disabled service is not restarted.`,
  flags: FLAGS,
  remote: 'own',
  operands: 'services',
  epilog: `Exit codes: 0 request written, 2 usage or a bad name, 3 no such service, 4 vaid not running.`,
  async run(ctx) {
    const { values, positionals, paths } = parse(ctx, FLAGS);
    if (positionals.length === 0) throw usageError('name the service(s) to restart');
    positionals.forEach(assertServiceName);
    if (values.context !== undefined || values.server !== undefined) {
      const remote = await import('../vaictl-remote.js');
      return remote.remoteActions((await remote.remoteTarget(values, 'write', ctx.env))!, 'restart', positionals, ctx);
    }
    const known = knownServices(ctx, paths, positionals);
    if (!known.ok) return EXIT.NOT_FOUND;
    for (const name of positionals) {
      const file = writeRestartRequest(paths, name, new Date());
      const desired = known.doc?.services[name]?.desired;
      const note = desired && desired !== 'Running' ? ` Note: ${name} is ${desired}, so vaid will not act on the request.` : '';
      ctx.stdout.write(`service/${name} restart requested (${file}).${note}\n`);
    }
    if (!known.daemon.running) {
      ctx.stderr.write('Warning: vaid is not running; the request waits until it starts.\n');
      return EXIT.NO_DAEMON;
    }
    ctx.stdout.write(`vaid (pid ${known.daemon.pid}) runs it now; follow with: vaictl get -w ${positionals.join(' ')}\n`);
    return EXIT.OK;
  },
};
