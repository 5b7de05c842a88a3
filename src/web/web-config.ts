// The flags and variables that turn the endpoint on, shared by vaid (and read by vaictl for
// the token): `--listen HOST:PORT` (VAI_LISTEN), the token from VAI_WEB_TOKEN or
// `--web-token-file PATH` (a file keeps it out of `ps` and shell history).
import { readFileSync } from 'node:fs';
import { VaiError } from '../errors.js';

export const WEB_OPTIONS = {
  listen: { type: 'string' },
  'web-token-file': { type: 'string' },
} as const;

export interface WebFlags {
  listen?: string | undefined;
  'web-token-file'?: string | undefined;
}

export interface WebConfig {
  listen: string;
  token: string | undefined;
}

/** undefined when the endpoint is off (no --listen, no VAI_LISTEN). */
export function webConfigFromEnv(flags: WebFlags, env: NodeJS.ProcessEnv): WebConfig | undefined {
  const listen = flags.listen ?? env.VAI_LISTEN;
  if (!listen) return undefined;
  return { listen, token: readToken(flags['web-token-file'] ?? env.VAI_WEB_TOKEN_FILE, env) };
}

export function readToken(file: string | undefined, env: NodeJS.ProcessEnv): string | undefined {
  if (file) {
    try {
      return readFileSync(file, 'utf8').trim() || undefined;
    } catch (e) {
      throw new VaiError('VAI_E_USAGE', `--web-token-file ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  }
  return env.VAI_WEB_TOKEN?.trim() || undefined;
}
