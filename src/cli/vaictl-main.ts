// vaictl (the bin, vaictl.ts, runs it bundled or as modules): the CLI edge. Parses the command
// name, runs it, turns errors into messages and exit codes. Everything else lives in the command
// modules and the parts they call.
import { EXIT, type Command, type CommandContext } from './command.js';
import { isVaiError } from '../errors.js';
import { closestMatch } from '../manifest/closest-match.js';

// The everyday read and control commands load only their own module: commands/index.js pulls in
// every command, and some (validate, convert) load yaml, ajv and TypeBox at import, which would
// cost `vaictl get` several hundred milliseconds. Help and the other commands load the full list.
const DIRECT: Record<string, () => Promise<Command>> = {
  get: async () => (await import('./commands/get.js')).getCommand,
  describe: async () => (await import('./commands/describe.js')).describeCommand,
  events: async () => (await import('./commands/events.js')).eventsCommand,
  logs: async () => (await import('./commands/logs.js')).logsCommand,
  stop: async () => (await import('./commands/stop.js')).stopCommand,
  start: async () => (await import('./commands/start.js')).startCommand,
  restart: async () => (await import('./commands/restart.js')).restartCommand,
  plan: async () => (await import('./commands/plan.js')).planCommand,
  completion: async () => (await import('./commands/index.js')).COMMANDS.find((c) => c.name === 'completion')!,
};

async function allCommands(): Promise<readonly Command[]> {
  return (await import('./commands/index.js')).COMMANDS;
}

function help(COMMANDS: readonly Command[]): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  const lines = COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return [
    'vaictl controls and shows vai, the service auto-recovery reconciler.',
    '',
    'Usage: vaictl COMMAND [flags]',
    '',
    'Commands:',
    ...lines,
    '',
    'Common flags: --manifests DIR (VAI_MANIFESTS), --state-dir DIR (VAI_STATE_DIR), --marker-dir DIR (VAI_MARKER_DIR)',
    'Another host: get, describe and events take --server URL (that vaid\'s --listen endpoint; token in VAI_WEB_TOKEN)',
    'Run "vaictl help COMMAND" for a command\'s flags.',
    '',
  ].join('\n');
}

function closest(COMMANDS: readonly Command[], name: string): string | undefined {
  return closestMatch(name, COMMANDS.map((c) => c.name));
}

export async function main(argv: string[], ctx: Omit<CommandContext, 'argv'>): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    const commands = await allCommands();
    const target = name === 'help' && rest[0] ? commands.find((c) => c.name === rest[0]) : undefined;
    ctx.stdout.write(target ? `${target.usage}\n` : help(commands));
    return EXIT.OK;
  }
  if (name === 'version' || name === '--version') {
    ctx.stdout.write(`vaictl ${(await import('../version.js')).VERSION}\n`);
    return EXIT.OK;
  }
  const direct = Object.hasOwn(DIRECT, name) ? DIRECT[name] : undefined;
  const commands = direct ? null : await allCommands();
  const command = direct ? await direct() : commands!.find((c) => c.name === name);
  if (!command) {
    const hint = closest(commands ?? [], name);
    ctx.stderr.write(`vaictl: unknown command "${name}"${hint ? `; did you mean "${hint}"?` : ''}\nRun "vaictl help" for the list.\n`);
    return EXIT.USAGE;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    ctx.stdout.write(`${command.usage}\n`);
    return EXIT.OK;
  }
  try {
    // --server (src/cli/vaictl-remote.ts) is loaded only when used: it pulls in the HTTP client.
    const args = rest.some((a) => a === '--server' || a.startsWith('--server=')) ? await (await import('./vaictl-remote.js')).applyServerFlag(name, rest, ctx.env) : rest;
    return await command.run({ ...ctx, argv: args });
  } catch (e) {
    if (isVaiError(e)) {
      ctx.stderr.write(`vaictl ${name}: ${e.message} [${e.code}]\n`);
      if (e.code === 'VAI_E_USAGE') ctx.stderr.write(`${command.usage}\n`);
      return e.code === 'VAI_E_USAGE' ? EXIT.USAGE : e.code === 'VAI_E_NOT_FOUND' ? EXIT.NOT_FOUND : e.code === 'VAI_E_STATUS_MISSING' ? EXIT.NO_DAEMON : EXIT.FAILED;
    }
    if (e instanceof TypeError && (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      ctx.stderr.write(`vaictl ${name}: ${e.message}\n${command.usage}\n`);
      return EXIT.USAGE;
    }
    throw e;
  }
}

/** Runs vaictl on this process's arguments and streams; sets the exit code. */
export async function run(): Promise<void> {
  // `vaictl get | head` closes the pipe early: that is the reader being done, not an error.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
    throw e;
  });
  process.exitCode = await main(process.argv.slice(2), {
    env: process.env,
    stdout: process.stdout,
    stderr: process.stderr,
    isTTY: Boolean(process.stdout.isTTY),
    cwd: process.cwd(),
  });
}
