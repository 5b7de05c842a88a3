// Reading another host's status over its vaid endpoint (`vaictl --server URL`). Uses the
// same document the local status file holds, so every vaictl printer works on it unchanged.
import http from 'node:http';
import https from 'node:https';
import os from 'node:os';
import jsonPatch, { type Operation } from 'fast-json-patch';
import { VaiError } from '../errors.js';
import type { StatusDocument } from '../status/schema.js';
import { STATUS_API_VERSION } from '../status/format-version.js';
import { checkStatusDocument } from '../status/reader.js';

export interface RemoteOptions {
  timeoutMs?: number;
}

/** One GET with the read token; an unreachable host is a VAI_E_REMOTE naming it. */
async function get(url: URL, token: string | undefined, opts: RemoteOptions): Promise<{ res: Response; body: string }> {
  let res: Response;
  try {
    res = await fetch(url, { headers: headers(token), signal: AbortSignal.timeout(opts.timeoutMs ?? 10_000), redirect: 'error' });
  } catch (e) {
    throw new VaiError('VAI_E_REMOTE', `cannot reach ${url.origin}: ${describeFetchError(e)}`, { url: url.href });
  }
  return { res, body: await res.text() };
}

/** `base` is the server's URL (http://host:port, a trailing path prefix is kept); `token` is sent as Bearer. */
export async function fetchStatus(base: string, token?: string, opts: RemoteOptions = {}): Promise<StatusDocument> {
  const url = endpoint(base, 'api/status');
  const { res, body } = await get(url, token, opts);
  if (res.status === 401) throw new VaiError('VAI_E_REMOTE', `${url.origin} wants a token: set VAI_WEB_TOKEN to the token of that host's vaid`, { url: url.href });
  if (!res.ok) throw new VaiError('VAI_E_REMOTE', `${url.href} answered HTTP ${res.status}: ${body.slice(0, 200).trim()}`, { url: url.href });
  return parseStatus(body, url.href);
}

/** GET /api/history?service=&since= with the read token: the HistoryList `vaictl history -o json` prints. */
export async function fetchHistory(base: string, token: string | undefined, q: { service?: string | undefined; since: string }, opts: RemoteOptions = {}): Promise<unknown> {
  const url = endpoint(base, 'api/history');
  url.searchParams.set('since', q.since);
  if (q.service) url.searchParams.set('service', q.service);
  const { res, body } = await get(url, token, opts);
  if (res.status === 401) throw new VaiError('VAI_E_REMOTE', `${url.origin} wants a token: give the context a token-file (or set VAI_WEB_TOKEN_FILE)`, { url: url.href });
  if (res.status === 204) throw new VaiError('VAI_E_REMOTE', `${url.origin} keeps no history (its vaid runs with --history-days 0)`, { url: url.href });
  if (!res.ok) throw new VaiError('VAI_E_REMOTE', `${url.href} answered HTTP ${res.status}: ${body.slice(0, 200).trim()}`, { url: url.href });
  let list: { kind?: unknown; items?: unknown } | null;
  try {
    list = JSON.parse(body) as { kind?: unknown; items?: unknown } | null;
  } catch {
    list = null;
  }
  if (!list || list.kind !== 'HistoryList' || !Array.isArray(list.items)) throw new VaiError('VAI_E_REMOTE', `${url.href} did not answer a vai HistoryList`);
  return list;
}

export interface ActionAnswer {
  ok: boolean;
  status: number;
  message: string;
}

/** POST /api/services/NAME/ACTION with the write token; an answer that is not a success says why. */
export async function postAction(base: string, token: string | undefined, name: string, action: string, opts: RemoteOptions = {}): Promise<ActionAnswer> {
  const url = endpoint(base, `api/services/${encodeURIComponent(name)}/${encodeURIComponent(action)}`);
  let res: Response;
  try {
    res = await fetch(url, { method: 'POST', headers: { ...headers(token), 'Content-Type': 'application/json', 'X-Vai-Client': clientName() }, body: '{}', signal: AbortSignal.timeout(opts.timeoutMs ?? 10_000), redirect: 'error' });
  } catch (e) {
    throw new VaiError('VAI_E_REMOTE', `cannot reach ${url.origin}: ${describeFetchError(e)}`, { url: url.href });
  }
  const text = await res.text();
  let message = text.trim().slice(0, 500);
  try {
    const j = JSON.parse(text) as { message?: unknown };
    if (typeof j.message === 'string') message = j.message;
  } catch {
    // Not a vaid that has action routes: say what it answered.
    if (res.status === 405) message = `${url.origin} has no action routes: start its vaid with --web-write-token-file`;
  }
  if (res.status === 429) message += ` (HTTP 429${res.headers.get('retry-after') ? `, retry after ${res.headers.get('retry-after')} s` : ''})`;
  else if (!res.ok) message += ` (HTTP ${res.status})`;
  return { ok: res.ok, status: res.status, message };
}

/** Who asks, for the event on the other host: self-reported, shown as such, never trusted. */
function clientName(): string {
  let user = 'unknown';
  try {
    user = os.userInfo().username;
  } catch {
    // No passwd entry for this uid.
  }
  return `vaictl of ${user}@${os.hostname()}`.replace(/[^\w .@:+-]/g, '_').slice(0, 80);
}

/**
 * Follows /api/events: calls `onStatus` with the whole document after the first snapshot and
 * after each patch (the same object, patched in place: copy it to keep a version). Resolves when
 * `signal` aborts; rejects when the stream cannot be opened.
 */
export async function watchStatus(base: string, token: string | undefined, onStatus: (doc: StatusDocument) => void, signal: AbortSignal): Promise<void> {
  const url = endpoint(base, 'api/events');
  const client = url.protocol === 'https:' ? https : http;
  await new Promise<void>((resolve, reject) => {
    const req = client.get(url, { headers: { ...headers(token), Accept: 'text/event-stream' }, signal }, (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        reject(new VaiError('VAI_E_REMOTE', `${url.href} answered HTTP ${res.statusCode}${res.statusCode === 401 ? ': set VAI_WEB_TOKEN' : ''}`, { url: url.href }));
        return;
      }
      let doc: StatusDocument | undefined;
      const parser = sseParser((event, data) => {
        if (event === 'snapshot') doc = parseStatus(data, url.href);
        // Patched in place: the document is ours, and a copy per change costs megabytes.
        else if (event === 'patch' && doc) doc = jsonPatch.applyPatch(doc, JSON.parse(data) as Operation[], false, true).newDocument;
        else return;
        onStatus(doc!);
      });
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        try {
          parser(chunk);
        } catch (e) {
          req.destroy();
          reject(new VaiError('VAI_E_REMOTE', `bad event stream from ${url.href}: ${(e as Error).message}`));
        }
      });
      res.on('end', () => resolve());
      res.on('error', () => resolve());
    });
    req.on('error', (e) => (signal.aborted ? resolve() : reject(new VaiError('VAI_E_REMOTE', `cannot reach ${url.origin}: ${describeFetchError(e)}`))));
  });
}

/** An incremental text/event-stream parser: feed it chunks, it calls back once per event. */
export function sseParser(onEvent: (event: string, data: string) => void): (chunk: string) => void {
  let buf = '';
  return (chunk) => {
    buf += chunk;
    for (let i = buf.indexOf('\n\n'); i >= 0; i = buf.indexOf('\n\n')) {
      const block = buf.slice(0, i);
      buf = buf.slice(i + 2);
      let event = 'message';
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line.startsWith('event:')) event = line.slice(6).trim();
        else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
      }
      if (data.length > 0) onEvent(event, data.join('\n'));
    }
  };
}

function endpoint(base: string, rel: string): URL {
  let u: URL;
  try {
    u = new URL(base.includes('://') ? base : `http://${base}`);
  } catch {
    throw new VaiError('VAI_E_USAGE', `--server "${base}" is not a URL (e.g. http://vps1:9753)`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new VaiError('VAI_E_USAGE', `--server "${base}": only http and https are supported`);
  if (u.username || u.password) throw new VaiError('VAI_E_USAGE', '--server must not carry credentials; set VAI_WEB_TOKEN instead');
  if (!u.pathname.endsWith('/')) u.pathname += '/';
  return new URL(rel, u);
}

function headers(token: string | undefined): Record<string, string> {
  return token ? { Authorization: `Bearer ${token}` } : {};
}

function parseStatus(body: string, where: string): StatusDocument {
  let doc: unknown;
  try {
    doc = JSON.parse(body);
  } catch {
    throw new VaiError('VAI_E_REMOTE', `${where} did not answer JSON; is this a vaid endpoint?`);
  }
  const d = doc as Partial<StatusDocument> | null;
  if (!d || d.apiVersion !== STATUS_API_VERSION || d.kind !== 'Status' || typeof d.services !== 'object') {
    throw new VaiError('VAI_E_REMOTE', `${where} did not answer a vai status document (apiVersion ${STATUS_API_VERSION}, kind Status)`);
  }
  // The status reader's own check (the writer's schema), as for a local status.json.
  return checkStatusDocument(d, where);
}

function describeFetchError(e: unknown): string {
  const err = e as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (err.name === 'TimeoutError') return 'timed out';
  return err.cause?.code ?? err.cause?.message ?? err.message ?? String(e);
}
