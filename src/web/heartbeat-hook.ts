// POST /hooks/heartbeat/NAME: a job on another host (or one without vaictl) reports in over HTTP,
// as `vaictl heartbeat NAME` does on this one. The only route that writes, so it always wants the
// endpoint's Bearer token (a listener without one refuses it), takes no more than a small body
// (`{"fail": true, "message": "..."}` or ?fail=1&message=...), and names a service only by a
// DNS-1123 label, the one part of the beat's path that comes from the request.
import type { IncomingMessage } from 'node:http';
import { writeBeat } from '../executor/checks/heartbeat.js';

export const HOOK_PREFIX = '/hooks/heartbeat/';
const MAX_BODY = 4096;
const NAME = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

export type Reply = (status: number, body: string) => void;

export async function heartbeatHook(req: IncomingMessage, pathname: string, query: URLSearchParams, dir: string, reply: Reply): Promise<void> {
  const name = decodeURIComponent(pathname.slice(HOOK_PREFIX.length));
  if (!NAME.test(name)) return reply(400, 'not a service name\n');
  let raw = '';
  for await (const chunk of req) {
    raw += String(chunk);
    if (raw.length > MAX_BODY) return reply(413, `body over ${MAX_BODY} bytes\n`);
  }
  let fail = query.get('fail') === '1' || query.get('fail') === 'true';
  let message = query.get('message') ?? '';
  if (raw.trim() !== '') {
    try {
      const j = JSON.parse(raw) as { fail?: unknown; message?: unknown };
      if (typeof j.fail === 'boolean') fail = j.fail;
      if (typeof j.message === 'string') message = j.message;
    } catch {
      return reply(400, 'body must be JSON: {"fail": false, "message": "..."}\n');
    }
  }
  await writeBeat(dir, name, { at: Date.now(), fail, message });
  reply(200, `service/${name} heartbeat${fail ? ' (failed)' : ''} recorded\n`);
}
