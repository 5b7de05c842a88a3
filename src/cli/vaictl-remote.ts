// `vaictl --server URL` and `--context NAME`: the read commands show another host's status,
// read over that host's vaid endpoint (/api/status) instead of the local status file. The flags
// are taken out of argv here, at the edge, and the document goes to the command as its status
// source (src/status/reader.ts), so the commands stay unaware of where it came from.
import { VaiError } from '../errors.js';
import { fetchStatus } from '../web/client.js';
import { readToken } from '../web/web-config.js';
import { remoteSource, type StatusSource } from '../status/reader.js';

// alerts is not here: it reads the local outbox first.
export const REMOTE_COMMANDS: ReadonlySet<string> = new Set(['get', 'describe', 'events']);

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
export async function remoteFlags(command: string, argv: readonly string[], env: NodeJS.ProcessEnv): Promise<{ rest: string[]; status: StatusSource | undefined }> {
  const s = takeServerFlag(argv);
  const c = takeFlag(s.rest, 'context', 'vps1');
  const rest = c.rest;
  if (s.server === undefined && c.value === undefined) return { rest, status: undefined };
  if (s.server !== undefined && c.value !== undefined) throw new VaiError('VAI_E_USAGE', '--server and --context both name a host; give one');
  if (!REMOTE_COMMANDS.has(command)) {
    throw new VaiError('VAI_E_USAGE', `--server and --context work with ${[...REMOTE_COMMANDS].join(', ')}; "${command}" acts on this host only`);
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
