// POST /hooks/git: a signed "fetch now" from GitHub, Gitea or GitLab (src/source/webhook.ts says
// how each signs). The only thing a valid hook can do is start a fetch of the configured ref a
// little sooner than the interval would; the body is read (bounded) only to check its signature.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { HookRateLimit, verifyGitHook } from '../source/index.js';
import { NO_STORE } from './http-headers.js';

const MAX_BODY = 1024 * 1024;

export interface GitHookOptions {
  secret: string;
  fetchNow(): void;
  log?: Logger | undefined;
  limit?: HookRateLimit;
}

function reply(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': NO_STORE });
  res.end(body);
}

export function gitHookRoute(opts: GitHookOptions): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const limit = opts.limit ?? new HookRateLimit();
  return async (req, res) => {
    const from = req.socket.remoteAddress ?? 'unknown';
    if (!limit.take()) {
      res.setHeader('Retry-After', '2');
      return reply(res, 429, 'too many hooks; the next fetch is coming anyway\n');
    }
    const chunks: Buffer[] = [];
    let size = 0;
    try {
      for await (const c of req as AsyncIterable<Buffer>) {
        size += c.length;
        if (size > MAX_BODY) return reply(res, 413, 'body too large\n');
        chunks.push(c);
      }
    } catch {
      return;
    }
    const verdict = verifyGitHook(req.headers, Buffer.concat(chunks), opts.secret);
    if (!verdict.ok) {
      opts.log?.warn({ from, reason: verdict.reason }, `git hook refused: ${verdict.reason}`);
      return reply(res, 401, `${verdict.reason}\n`);
    }
    opts.log?.info({ from, via: verdict.via }, `git hook from ${from} (${verdict.via}): fetching now`);
    opts.fetchNow();
    reply(res, 202, 'fetching\n');
  };
}
