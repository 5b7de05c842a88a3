// The flags and variables that turn the endpoint on, shared by vaid (and read by vaictl for
// the token): `--listen HOST:PORT` (VAI_LISTEN), the read token from VAI_WEB_TOKEN or
// `--web-token-file PATH`, and the write token that turns on the action routes (actions/) from
// VAI_WEB_WRITE_TOKEN or `--web-write-token-file PATH`. A token is never an argument: a file
// or the environment keeps it out of `ps` and shell history.
import { readFileSync } from 'node:fs';
import { VaiError } from '../errors.js';

export const WEB_OPTIONS = {
  listen: { type: 'string' },
  'web-token-file': { type: 'string' },
  'web-write-token-file': { type: 'string' },
} as const;

export interface WebFlags {
  listen?: string | undefined;
  'web-token-file'?: string | undefined;
  'web-write-token-file'?: string | undefined;
}

export interface WebConfig {
  listen: string;
  token: string | undefined;
  /** Turns on POST /api/services/NAME/ACTION; undefined: the endpoint only reads. */
  writeToken: string | undefined;
}

/** undefined when the endpoint is off (no --listen, no VAI_LISTEN). */
export function webConfigFromEnv(flags: WebFlags, env: NodeJS.ProcessEnv): WebConfig | undefined {
  const listen = flags.listen ?? env.VAI_LISTEN;
  if (!listen) return undefined;
  return { listen, token: readToken(flags['web-token-file'] ?? env.VAI_WEB_TOKEN_FILE, env), writeToken: readWriteToken(flags['web-write-token-file'] ?? env.VAI_WEB_WRITE_TOKEN_FILE, env) };
}

export function readToken(file: string | undefined, env: NodeJS.ProcessEnv): string | undefined {
  return tokenFrom(file, env.VAI_WEB_TOKEN, '--web-token-file');
}

/** The write token: VAI_WEB_WRITE_TOKEN_FILE (or --web-write-token-file) names the file, else VAI_WEB_WRITE_TOKEN. */
export function readWriteToken(file: string | undefined, env: NodeJS.ProcessEnv): string | undefined {
  return tokenFrom(file, env.VAI_WEB_WRITE_TOKEN, '--web-write-token-file');
}

function tokenFrom(file: string | undefined, value: string | undefined, flag: string): string | undefined {
  if (file) {
    try {
      return readFileSync(file, 'utf8').trim() || undefined;
    } catch (e) {
      throw new VaiError('VAI_E_USAGE', `${flag} ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  }
  return value?.trim() || undefined;
}
