// `vaictl --server URL` and `--context NAME`: the read commands show another host's status,
// read over that host's vaid endpoint (/api/status) instead of the local status file. The flags
// are taken out of argv here, at the edge, and the document goes to the command as its status
// source (src/status/reader.ts), so the commands stay unaware of where it came from.
import { VaiError } from '../errors.js';
import { fetchStatus } from '../web/client.js';
import { readToken } from '../web/web-config.js';
import { remoteSource, type StatusSource } from '../status/reader.js';

/** What the edge needs of a command: its name and how it reads another host (Command.remote). */
export interface RemoteCapable {
  name: string;
  remote?: 'status' | 'own' | undefined;
}

/** Splits `--NAME VALUE` / `--NAME=VALUE` out of argv; undefined when absent. */
export function takeFlag(argv: readonly string[], name: string, example: string): { value: string | undefined; rest: string[] } {
  const rest: string[] = [];
  let value: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      rest.push(...argv.slice(i));
      break;
    }
    if (a === `--${name}`) {
      value = argv[i + 1];
      if (value === undefined || value.startsWith('-')) throw new VaiError('VAI_E_USAGE', `--${name} needs a value, e.g. --${name} ${example}`);
      i++;
    } else if (a.startsWith(`--${name}=`)) {
      value = a.slice(name.length + 3);
    } else {
      rest.push(a);
    }
  }
  return { value, rest };
}

export function takeServerFlag(argv: readonly string[]): { server: string | undefined; rest: string[] } {
  const { value, rest } = takeFlag(argv, 'server', 'http://vps1:9753');
  return { server: value, rest };
}

export function hasRemoteFlag(argv: readonly string[]): boolean {
  return argv.some((a) => a === '--server' || a.startsWith('--server=') || a === '--context' || a.startsWith('--context='));
}

/**
 * When argv names a server or a context: checks the command can read remotely and fetches the
 * status (a context's token file, else VAI_WEB_TOKEN_FILE or VAI_WEB_TOKEN). Returns argv
 * without the flags, and the source the command reads from.
 */
export async function remoteFlags(command: RemoteCapable, argv: readonly string[], env: NodeJS.ProcessEnv, commands: readonly RemoteCapable[] = []): Promise<{ rest: string[]; status: StatusSource | undefined }> {
  const s = takeServerFlag(argv);
  const c = takeFlag(s.rest, 'context', 'vps1');
  const rest = c.rest;
  if (s.server === undefined && c.value === undefined) return { rest, status: undefined };
  if (command.remote === 'own') return { rest: [...argv], status: undefined };
  if (s.server !== undefined && c.value !== undefined) throw new VaiError('VAI_E_USAGE', '--server and --context both name a host; give one');
  if (command.remote !== 'status') {
    const able = commands.filter((c) => c.remote).map((c) => c.name);
    throw new VaiError('VAI_E_USAGE', `--server and --context work with ${able.length ? able.join(', ') : 'the read commands (vaictl help)'}; "${command.name}" acts on this host only`);
  }
  let server = s.server;
  let token: string | undefined;
  if (c.value !== undefined) {
    const { readConfig, findContext, contextToken } = await import('./contexts.js');
    const ctx = findContext(await readConfig(env), c.value);
    server = ctx.server;
    token = contextToken(ctx['token-file'], env);
  } else token = readToken(env.VAI_WEB_TOKEN_FILE, env);
  if (rest.some((a) => a === '-w' || a === '--watch')) {
    throw new VaiError('VAI_E_USAGE', `--watch does not work with --server or --context; open ${server} in a browser for a live view`);
  }
  return { rest, status: remoteSource(await fetchStatus(server!, token), server!) };
}

export interface RemoteTarget {
  server: string;
  /** The token for this use: the read token, or the write token for actions. */
  token: string | undefined;
  /** How to name the host in messages: the context's name or the URL. */
  label: string;
}

/**
 * The host a command's own --server/--context flags name, with the token for `use`: a context's
 * token-file or write-token-file, else VAI_WEB_TOKEN(_FILE) or VAI_WEB_WRITE_TOKEN(_FILE).
 * undefined when neither flag is given (the command acts on this host).
 */
export async function remoteTarget(flags: { server?: string | undefined; context?: string | undefined }, use: 'read' | 'write', env: NodeJS.ProcessEnv): Promise<RemoteTarget | undefined> {
  if (flags.server === undefined && flags.context === undefined) return undefined;
  if (flags.server !== undefined && flags.context !== undefined) throw new VaiError('VAI_E_USAGE', '--server and --context both name a host; give one');
  const { readWriteToken } = await import('../web/web-config.js');
  if (flags.server !== undefined) {
    const token = use === 'read' ? readToken(env.VAI_WEB_TOKEN_FILE, env) : readWriteToken(env.VAI_WEB_WRITE_TOKEN_FILE, env);
    if (use === 'write' && token === undefined) throw new VaiError('VAI_E_USAGE', `acting on ${flags.server} wants its vaid's write token: set VAI_WEB_WRITE_TOKEN_FILE (a file holding it), or use a context with write-token-file`);
    return { server: flags.server, token, label: flags.server };
  }
  const { readConfig, findContext, contextToken } = await import('./contexts.js');
  const config = await readConfig(env);
  const ctx = findContext(config, flags.context!);
  const file = use === 'read' ? ctx['token-file'] : ctx['write-token-file'];
  if (use === 'write' && !file) throw new VaiError('VAI_E_USAGE', `context "${ctx.name}" has no write-token-file, so vaictl cannot act on it; add one: vaictl config set-context ${ctx.name} --write-token-file FILE (the file holding that vaid's --web-write-token-file token)`);
  return { server: ctx.server, token: contextToken(file, env), label: ctx.name };
}

/** Asks the host to restart, stop or start each name (POST /api/services/NAME/ACTION); prints its answers. */
export async function remoteActions(target: RemoteTarget, action: string, names: readonly string[], out: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream }, body: Record<string, unknown> = {}): Promise<number> {
  const { postAction } = await import('../web/client.js');
  let code = 0;
  for (const name of names) {
    const r = await postAction(target.server, target.token, name, action, {}, body);
    if (r.ok) out.stdout.write(`${target.label}: ${r.message}\n`);
    else {
      out.stderr.write(`Error: ${target.label}: ${r.message}\n`);
      code = Math.max(code, r.status === 404 ? 3 : 1);
    }
  }
  return code;
}
