// vaictl suspend / resume: stop applying new commits in pull mode (vaid keeps fetching and
// shows what waits), e.g. during an incident, as `flux suspend source git` does.
import type { Command } from '../command.js';
import { EXIT } from '../command.js';
import { parse, usageError } from '../command-support.js';
import { readStatus } from '../status-source.js';
import { clearSuspension, readSuspension, writeSuspension } from '../../source/index.js';
import { STATE_DIR, type Flag } from '../flags.js';

const SUSPEND_FLAGS = [{ name: 'reason', type: 'string', value: 'TEXT', help: "shown in status and vaid's log" }, STATE_DIR] as const satisfies readonly Flag[];
const RESUME_FLAGS = [STATE_DIR] as const satisfies readonly Flag[];

function pullMode(paths: Parameters<typeof readStatus>[0]): boolean | null {
  try {
    return readStatus(paths, Date.now()).doc.source !== undefined;
  } catch {
    return null;
  }
}

export const suspendCommand: Command = {
  name: 'suspend',
  summary: 'Stop applying new commits from git (vaid keeps fetching)',
  usage: `Usage: vaictl suspend [--reason TEXT] [flags]

Writes STATE_DIR/source/suspended. vaid (in pull mode, --git-url) keeps fetching, shows the
fetched revision beside the applied one, and applies nothing new until \`vaictl resume\`.
Recovery of services goes on as before.`,
  flags: SUSPEND_FLAGS,
  async run(ctx) {
    const { values, positionals, paths } = parse(ctx, SUSPEND_FLAGS);
    if (positionals.length) throw usageError(`suspend takes no names (got ${positionals.join(' ')})`);
    writeSuspension(paths.stateDir, { suspendedAt: new Date().toISOString(), reason: values.reason ?? '' });
    ctx.stdout.write(`source suspended: new commits are fetched but not applied until \`vaictl resume\`\n`);
    if (pullMode(paths) === false) ctx.stderr.write('Warning: vaid is not in pull mode (no --git-url); suspending has no effect on a watched directory.\n');
    return EXIT.OK;
  },
};

export const resumeCommand: Command = {
  name: 'resume',
  summary: 'Apply new commits from git again',
  usage: `Usage: vaictl resume [flags]

Removes STATE_DIR/source/suspended; vaid applies the newest fetched commit at once.`,
  flags: RESUME_FLAGS,
  async run(ctx) {
    const { positionals, paths } = parse(ctx, RESUME_FLAGS);
    if (positionals.length) throw usageError(`resume takes no names (got ${positionals.join(' ')})`);
    const was = readSuspension(paths.stateDir);
    clearSuspension(paths.stateDir);
    ctx.stdout.write(was ? 'source resumed: vaid applies the newest fetched commit now\n' : 'source was not suspended\n');
    return EXIT.OK;
  },
};
