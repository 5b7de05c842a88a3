// vaictl (the bin, vaictl.ts, runs it bundled or as modules): the CLI edge. Parses the command
// name, runs it, turns errors into messages and exit codes. Everything else lives in the command
// modules and the parts they call.
import { EXIT, type Command, type CommandContext } from './command.js';
import { isVaiError } from '../errors.js';
import { closestMatch } from '../manifest/closest-match.js';
import { helpText } from './flags.js';

// A command loads only its own module, commands/NAME.js, found by its name: commands/index.js
// pulls in every command, and some (validate, convert) load yaml and the manifest validators at
// import, which would cost every other command hundreds of milliseconds. No list to keep in step:
// a new command module is found the same way. Help, and a name with no module of its own, load
// the full list.
// The bundle (scripts/bundle-vaictl.ts) holds every command module and passes their loaders.
export type CommandLoaders = Readonly<Record<string, () => Promise<Record<string, unknown>>>>;

async function direct(name: string, bundled: CommandLoaders): Promise<Command | undefined> {
  if (!/^[a-z][a-z-]{0,30}$/.test(name)) return undefined;
  let mod: Record<string, unknown>;
  try {
    // A plain string, not a template: a bundler would otherwise inline every command module.
    const file = './commands/' + name + '.js';
    mod = Object.hasOwn(bundled, name) ? await bundled[name]!() : ((await import(file)) as Record<string, unknown>);
  } catch (e) {
    // No module of that name; a package missing under a real command is an error to show.
    if ((e as { code?: string }).code === 'ERR_MODULE_NOT_FOUND' && String((e as Error).message).includes(`/commands/${name}.js`)) return undefined;
    throw e;
  }
  return Object.values(mod).find((v): v is Command => typeof v === 'object' && v !== null && (v as Command).name === name && typeof (v as Command).run === 'function');
}

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
    `Another host: ${COMMANDS.filter((c) => c.remote).map((c) => c.name).join(', ')} take --server URL (that vaid's --listen endpoint) or --context NAME`,
    'Run "vaictl help COMMAND" for a command\'s flags.',
    '',
  ].join('\n');
}

function closest(COMMANDS: readonly Command[], name: string): string | undefined {
  return closestMatch(name, COMMANDS.map((c) => c.name));
}

export async function main(argv: string[], ctx: Omit<CommandContext, 'argv'>, bundled: CommandLoaders = {}): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    const commands = await allCommands();
    const target = name === 'help' && rest[0] ? commands.find((c) => c.name === rest[0]) : undefined;
    ctx.stdout.write(target ? `${helpText(target)}\n` : help(commands));
    return EXIT.OK;
  }
  if (name === 'version' || name === '--version') {
    ctx.stdout.write(`vaictl ${(await import('../version.js')).VERSION}\n`);
    return EXIT.OK;
  }
  const own = await direct(name, bundled);
  const commands = own ? null : await allCommands();
  const command = own ?? commands!.find((c) => c.name === name);
  if (!command) {
    const hint = closest(commands ?? [], name);
    ctx.stderr.write(`vaictl: unknown command "${name}"${hint ? `; did you mean "${hint}"?` : ''}\nRun "vaictl help" for the list.\n`);
    return EXIT.USAGE;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    ctx.stdout.write(`${helpText(command)}\n`);
    return EXIT.OK;
  }
  try {
    // --server/--context (src/cli/vaictl-remote.ts) are loaded only when used: they pull in the HTTP client.
    // `config set-context --server URL` writes the flag; it does not read over it.
    const remote = name !== 'config' && rest.some((a) => a === '--server' || a.startsWith('--server=') || a === '--context' || a.startsWith('--context='))
      ? await (await import('./vaictl-remote.js')).remoteFlags(command, rest, ctx.env, command.remote === undefined ? await allCommands() : [])
      : { rest, status: undefined };
    return await command.run({ ...ctx, argv: remote.rest, status: remote.status, commands: allCommands });
  } catch (e) {
    if (isVaiError(e)) {
      ctx.stderr.write(`vaictl ${name}: ${e.message} [${e.code}]\n`);
      if (e.code === 'VAI_E_USAGE') ctx.stderr.write(`${helpText(command)}\n`);
      return e.code === 'VAI_E_USAGE' ? EXIT.USAGE : e.code === 'VAI_E_NOT_FOUND' ? EXIT.NOT_FOUND : e.code === 'VAI_E_STATUS_MISSING' ? EXIT.NO_DAEMON : EXIT.FAILED;
    }
    if (e instanceof TypeError && (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      ctx.stderr.write(`vaictl ${name}: ${e.message}\n${helpText(command)}\n`);
      return EXIT.USAGE;
    }
    throw e;
  }
}

/** Runs vaictl on this process's arguments and streams; sets the exit code. */
export async function run(bundled: CommandLoaders = {}): Promise<void> {
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
  }, bundled);
}
