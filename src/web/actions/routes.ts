// POST /api/services/NAME/ACTION: the write routes. The server mounts them only when vaid has a
// write token (--web-write-token-file, VAI_WEB_WRITE_TOKEN), separate from the read token; the
// read token cannot act. The token comes only in `Authorization: Bearer`, never a cookie or a
// query, so a page on another site cannot make a browser act (it cannot set that header without
// a CORS preflight, which this endpoint never grants). Every call is rate-limited per address
// before the token is compared (constant time, bearer-auth.ts), and each action is logged and
// noted on the service as an event naming the address it came from.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { bearerMatches } from '../bearer-auth.js';
import { NO_STORE } from '../http-headers.js';
import type { ActionHost, EndpointAction } from './action.js';
import { ActionRateLimit } from './rate-limit.js';

export const ACTION_PREFIX = '/api/services/';
const MAX_BODY = 4096;
const NAME = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
/** What vaictl says it is (X-Vai-Client: vaictl of user@host); shown in the event, never trusted. */
const CLIENT = /^[\w .@:+-]{1,80}$/;

export interface ActionRoutesOptions {
  writeToken: string;
  /** The read token, if any: it is refused here with a word saying why. */
  readToken?: string | undefined;
  host: ActionHost;
  actions: readonly EndpointAction[];
  log?: Logger | undefined;
  limit?: ActionRateLimit;
  now?: () => number;
}

export type ActionRoute = (req: IncomingMessage, res: ServerResponse, pathname: string) => Promise<void>;

export function actionRoutes(opts: ActionRoutesOptions): ActionRoute {
  const limit = opts.limit ?? new ActionRateLimit();
  const now = opts.now ?? Date.now;
  const byName = new Map(opts.actions.map((a) => [a.name, a]));
  return async (req, res, pathname) => {
    const from = remoteAddress(req);
    const reply = (status: number, body: Record<string, unknown>) => send(res, status, { apiVersion: 'vai/v1', kind: 'ActionResult', ...body });
    const wait = limit.take(from);
    if (wait > 0) {
      res.setHeader('Retry-After', String(wait));
      return reply(429, { ok: false, message: `too many requests from ${from}; try again in ${wait} s` });
    }
    const auth = req.headers.authorization;
    if (!bearerMatches(auth, opts.writeToken)) {
      res.setHeader('WWW-Authenticate', 'Bearer realm="vai-write"');
      const readOnly = opts.readToken !== undefined && bearerMatches(auth, opts.readToken);
      opts.log?.warn({ from, path: pathname, readToken: readOnly }, `action refused from ${from}: ${readOnly ? 'the read token cannot act' : 'no valid write token'}`);
      return readOnly
        ? reply(403, { ok: false, message: "this is the endpoint's read token; actions want its write token (vaid --web-write-token-file)" })
        : reply(401, { ok: false, message: "actions want the endpoint's write token as Authorization: Bearer" });
    }
    const [name, verb, ...extra] = pathname.slice(ACTION_PREFIX.length).split('/');
    const action = verb === undefined ? undefined : byName.get(verb);
    if (!name || !NAME.test(name) || !action || extra.length > 0) {
      return reply(404, { ok: false, message: `use POST ${ACTION_PREFIX}NAME/ACTION with ACTION one of ${[...byName.keys()].join(', ')}` });
    }
    const body = await readBody(req);
    if (typeof body === 'string') return reply(400, { ok: false, message: body });
    const client = String(req.headers['x-vai-client'] ?? '');
    const requestedBy = `over the endpoint from ${from}${CLIENT.test(client) ? ` (${client})` : ''}`;
    const r = action.run(opts.host, { service: name, requestedBy, body, now: now() });
    if (r.status < 300) opts.log?.info({ service: name, action: action.name, from, client: CLIENT.test(client) ? client : undefined }, `${name}: ${action.name} requested ${requestedBy}`);
    reply(r.status, { ok: r.status < 300, action: action.name, service: name, message: r.message });
  };
}

function remoteAddress(req: IncomingMessage): string {
  const a = req.socket.remoteAddress ?? 'unknown';
  return a.startsWith('::ffff:') ? a.slice(7) : a;
}

/** The JSON object body, {} when empty; a string says what is wrong with it. */
async function readBody(req: IncomingMessage): Promise<Record<string, unknown> | string> {
  let raw = '';
  for await (const chunk of req) {
    raw += String(chunk);
    if (raw.length > MAX_BODY) return `body over ${MAX_BODY} bytes`;
  }
  if (raw.trim() === '') return {};
  try {
    const v = JSON.parse(raw) as unknown;
    if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch {
    // Said below.
  }
  return 'body must be a JSON object, e.g. {}';
}

function send(res: ServerResponse, status: number, body: Record<string, unknown>): void {
  const text = `${JSON.stringify(body)}\n`;
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': NO_STORE, 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}
