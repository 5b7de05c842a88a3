// `vaictl --server URL`: the read commands show another host's status, read over that host's
// vaid endpoint (/api/status) instead of the local status file. The flag is taken out of argv
// here, at the edge, so the commands themselves stay unaware of where the document came from.
// Commands that change things (stop, start, restart, reconcile) are local by design: the
// endpoint is read-only and never runs anything.
import { VaiError } from '../errors.js';
import { fetchStatus } from '../web/client.js';
import { readToken } from '../web/web-config.js';
import { useRemoteStatus } from './status-reader.js';

// alerts is not here: it reads the local outbox first.
export const REMOTE_COMMANDS: ReadonlySet<string> = new Set(['get', 'describe', 'events']);

/** Splits `--server URL` / `--server=URL` out of argv; undefined when absent. */
export function takeServerFlag(argv: readonly string[]): { server: string | undefined; rest: string[] } {
  const rest: string[] = [];
  let server: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      rest.push(...argv.slice(i));
      break;
    }
    if (a === '--server') {
      server = argv[i + 1];
      if (server === undefined || server.startsWith('-')) throw new VaiError('VAI_E_USAGE', '--server needs a URL, e.g. --server http://vps1:9753');
      i++;
    } else if (a.startsWith('--server=')) {
      server = a.slice('--server='.length);
    } else {
      rest.push(a);
    }
  }
  return { server, rest };
}

/**
 * When argv names a server: checks the command can read remotely, fetches the status (token from
 * VAI_WEB_TOKEN_FILE or VAI_WEB_TOKEN) and makes it what readStatus returns. Returns argv without the flag.
 */
export async function applyServerFlag(command: string, argv: readonly string[], env: NodeJS.ProcessEnv): Promise<string[]> {
  const { server, rest } = takeServerFlag(argv);
  if (server === undefined) return rest;
  if (!REMOTE_COMMANDS.has(command)) {
    throw new VaiError('VAI_E_USAGE', `--server works with ${[...REMOTE_COMMANDS].join(', ')}; "${command}" acts on this host only (the endpoint is read-only)`);
  }
  if (rest.some((a) => a === '-w' || a === '--watch')) {
    throw new VaiError('VAI_E_USAGE', `--watch does not work with --server; open ${server} in a browser for a live view`);
  }
  useRemoteStatus(await fetchStatus(server, readToken(env.VAI_WEB_TOKEN_FILE, env)), server);
  return rest;
}
