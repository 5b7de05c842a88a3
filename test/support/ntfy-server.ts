// A real HTTP server on 127.0.0.1 that speaks ntfy's publish and poll APIs as documented at
// https://docs.ntfy.sh/publish/ and https://docs.ntfy.sh/subscribe/api/:
//   POST /TOPIC                 the message as the body; Title/Priority/Tags headers (and their X-
//                               and short aliases), RFC 2047 encoded-words decoded as ntfy does;
//                               X-Sequence-ID (aliases Sequence-ID, SID) as ntfy >= 2.16 stores it.
//                               Answers the stored message as JSON, as ntfy does.
//   GET  /TOPIC/json?poll=1&since=X
//                               the cached messages as NDJSON, one JSON message per line, with
//                               `since` a Unix time in seconds (ntfy keeps `time >= since`), a
//                               duration (`10m`), a message id (those published after it) or `all`.
// It records what it accepted. Tests switch it between modes: accept, accept without answering
// (the message is stored, the answer never comes: the crash window of a publisher), refuse
// connections (the port is closed), answer a status (503, 429 with Retry-After, 401), or hang.
// Knobs: a required token, a token that may publish but not read (403 on poll), no message
// cache (poll answers nothing), and `legacy` (a server before 2.16: no sequence ids).
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import type { AddressInfo, Socket } from 'node:net';

export interface NtfyMessage {
  /** ntfy's message id: 12 random characters. */
  id: string;
  /** Unix time in seconds, as ntfy stamps it. */
  time: number;
  topic: string;
  title: string | undefined;
  priority: number;
  tags: string[];
  message: string;
  /** X-Sequence-ID as sent; undefined when absent or when the server is `legacy`. */
  sequenceId: string | undefined;
  authorization: string | undefined;
  headers: http.IncomingHttpHeaders;
  receivedAt: number;
}

export type NtfyMode =
  | { type: 'accept' }
  | { type: 'accept-no-answer' }
  | { type: 'refuse' }
  | { type: 'status'; status: number; retryAfter?: string; body?: string; location?: string }
  | { type: 'hang' };

export interface NtfyServer {
  url: string;
  port: number;
  /** Messages accepted (stored), in arrival order. */
  messages: NtfyMessage[];
  /** Every request that reached the server, whatever the answer (publish and poll). */
  requests: number;
  /** Poll requests (GET .../json) that reached the server. */
  polls: number;
  /** When set, a request without `Authorization: Bearer <token>` gets 401 as ntfy answers it. */
  requireToken: string | undefined;
  /** The token may publish but not read: polls get 403, as ntfy answers a write-only token. */
  denyRead: boolean;
  /** No message cache (ntfy's `cache-duration: 0`): polls answer nothing. */
  noCache: boolean;
  /** A server before 2.16: sequence ids are neither stored nor echoed. */
  legacy: boolean;
  /**
   * A slow link: a published message is stored at once, its answer goes out this much later.
   * Widens the window in which a publisher killed has been heard but not answered.
   */
  answerDelayMs: number;
  /** Publish mode; polls follow it too unless setPollMode gave them their own. */
  setMode(mode: NtfyMode): Promise<void>;
  /** Mode for polls only (null: follow the publish mode). 'refuse' is not possible per path. */
  setPollMode(mode: Exclude<NtfyMode, { type: 'refuse' }> | null): void;
  close(): Promise<void>;
}

function decodeHeader(v: string | string[] | undefined): string | undefined {
  const s = Array.isArray(v) ? v[0] : v;
  if (s === undefined) return undefined;
  return s.replace(/=\?UTF-8\?B\?([^?]*)\?=/gi, (_, b64: string) => Buffer.from(b64, 'base64').toString('utf8'));
}

// ntfy accepts priority as 1-5 or a name.
const PRIORITY_NAMES: Record<string, number> = { min: 1, low: 2, default: 3, high: 4, max: 5, urgent: 5 };

function parsePriority(v: string | undefined): number {
  if (!v) return 3;
  const n = Number(v);
  if (Number.isInteger(n) && n >= 1 && n <= 5) return n;
  return PRIORITY_NAMES[v.toLowerCase()] ?? 3;
}

const ID_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
function messageId(): string {
  return [...randomBytes(12)].map((b) => ID_CHARS[b % ID_CHARS.length]).join('');
}

const CACHE_SECONDS = 12 * 3600;

/** ntfy's JSON message format (https://docs.ntfy.sh/subscribe/api/#json-message-format); empty fields omitted. */
export function ntfyJson(m: NtfyMessage): Record<string, unknown> {
  const out: Record<string, unknown> = { id: m.id, time: m.time, expires: m.time + CACHE_SECONDS, event: 'message', topic: m.topic };
  if (m.sequenceId !== undefined) out.sequence_id = m.sequenceId;
  if (m.title) out.title = m.title;
  out.message = m.message;
  if (m.priority !== 3) out.priority = m.priority;
  if (m.tags.length > 0) out.tags = m.tags;
  return out;
}

/** Which cached messages `since` selects, as ntfy's message cache does. undefined: not a valid value. */
function selectSince(all: NtfyMessage[], since: string, nowS: number): NtfyMessage[] | undefined {
  if (since === '' || since === 'all') return all;
  if (/^\d+$/.test(since)) return all.filter((m) => m.time >= Number(since));
  const d = /^(\d+)(s|m|h|d)$/.exec(since);
  if (d) {
    const unit = { s: 1, m: 60, h: 3600, d: 86400 }[d[2] as 's' | 'm' | 'h' | 'd'];
    return all.filter((m) => m.time >= nowS - Number(d[1]) * unit);
  }
  if (/^[A-Za-z0-9]{12}$/.test(since)) {
    const i = all.findIndex((m) => m.id === since);
    // ntfy falls back to all cached messages when the id is not (or no longer) known.
    return i < 0 ? all : all.slice(i + 1);
  }
  return undefined;
}

export async function startNtfyServer(opts: { port?: number } = {}): Promise<NtfyServer> {
  let mode: NtfyMode = { type: 'accept' };
  let pollMode: Exclude<NtfyMode, { type: 'refuse' }> | null = null;
  const sockets = new Set<Socket>();
  const hung = new Set<http.ServerResponse>();
  const state = {
    messages: [] as NtfyMessage[],
    requests: 0,
    polls: 0,
    requireToken: undefined as string | undefined,
    denyRead: false,
    noCache: false,
    legacy: false,
    answerDelayMs: 0,
  };

  const json = (res: http.ServerResponse, status: number, body: string) => {
    res.writeHead(status, { 'Content-Type': 'application/json' }).end(`${body}\n`);
  };

  const answerMode = (m: NtfyMode, res: http.ServerResponse): boolean => {
    if (m.type === 'hang') {
      hung.add(res);
      return true;
    }
    if (m.type === 'status') {
      const headers: Record<string, string> = { 'Content-Type': 'application/json' };
      if (m.retryAfter) headers['Retry-After'] = m.retryAfter;
      if (m.location) headers.Location = m.location;
      res.writeHead(m.status, headers);
      res.end(m.body ?? `{"code":${m.status}00,"http":${m.status},"error":"simulated"}\n`);
      return true;
    }
    return false;
  };

  const authorized = (authorization: string | undefined, res: http.ServerResponse): boolean => {
    if (state.requireToken !== undefined && authorization !== `Bearer ${state.requireToken}`) {
      json(res, 401, '{"code":40101,"http":401,"error":"unauthorized","link":"https://ntfy.sh/docs/publish/#authentication"}');
      return false;
    }
    return true;
  };

  const poll = (topic: string, url: URL, req: http.IncomingMessage, res: http.ServerResponse) => {
    state.polls += 1;
    if (answerMode(pollMode ?? mode, res)) return;
    if (!authorized(decodeHeader(req.headers.authorization), res)) return;
    if (state.denyRead) {
      json(res, 403, '{"code":40301,"http":403,"error":"forbidden","link":"https://ntfy.sh/docs/publish/#authentication"}');
      return;
    }
    if (url.searchParams.get('poll') !== '1') {
      json(res, 400, '{"code":40000,"http":400,"error":"this test server only answers poll=1"}');
      return;
    }
    const cached = state.noCache ? [] : state.messages.filter((m) => m.topic === topic);
    const selected = selectSince(cached, url.searchParams.get('since') ?? 'all', Math.floor(Date.now() / 1000));
    if (!selected) {
      json(res, 400, '{"code":40008,"http":400,"error":"invalid since parameter"}');
      return;
    }
    res.writeHead(200, { 'Content-Type': 'application/x-ndjson; charset=utf-8' });
    res.end(selected.map((m) => `${JSON.stringify(ntfyJson(m))}\n`).join(''));
  };

  const publish = (topic: string, req: http.IncomingMessage, res: http.ServerResponse, body: Buffer) => {
    if (answerMode(mode, res)) return;
    const authorization = decodeHeader(req.headers.authorization);
    if (!authorized(authorization, res)) return;
    const sid = decodeHeader(req.headers['x-sequence-id'] ?? req.headers['sequence-id'] ?? req.headers.sid);
    const receivedAt = Date.now();
    const msg: NtfyMessage = {
      id: messageId(),
      time: Math.floor(receivedAt / 1000),
      topic,
      title: decodeHeader(req.headers['x-title'] ?? req.headers.title ?? req.headers.ti ?? req.headers.t),
      priority: parsePriority(decodeHeader(req.headers['x-priority'] ?? req.headers.priority ?? req.headers.prio ?? req.headers.p)),
      tags: (decodeHeader(req.headers['x-tags'] ?? req.headers.tags ?? req.headers.tag ?? req.headers.ta) ?? '')
        .split(',')
        .map((t) => t.trim())
        .filter(Boolean),
      message: body.toString('utf8'),
      sequenceId: state.legacy ? undefined : sid,
      authorization,
      headers: req.headers,
      receivedAt,
    };
    state.messages.push(msg);
    if (mode.type === 'accept-no-answer') {
      hung.add(res);
      return;
    }
    if (state.answerDelayMs > 0) {
      setTimeout(() => json(res, 200, JSON.stringify(ntfyJson(msg))), state.answerDelayMs).unref();
      return;
    }
    json(res, 200, JSON.stringify(ntfyJson(msg)));
  };

  const server = http.createServer((req, res) => {
    state.requests += 1;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const parts = url.pathname.replace(/^\/+/, '').split('/').map(decodeURIComponent);
      const topic = parts[0] ?? '';
      if (!/^[-_A-Za-z0-9]{1,64}$/.test(topic)) {
        if (answerMode(mode, res)) return;
        json(res, 404, '{"code":40401,"http":404,"error":"page not found"}');
        return;
      }
      if (req.method === 'GET' && parts.length === 2 && parts[1] === 'json') return poll(topic, url, req, res);
      if ((req.method === 'POST' || req.method === 'PUT') && parts.length === 1) return publish(topic, req, res, Buffer.concat(chunks));
      if (answerMode(mode, res)) return;
      res.writeHead(405).end();
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });

  const listen = (port: number) =>
    new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve((server.address() as AddressInfo).port);
      });
    });
  const dropHung = () => {
    for (const r of hung) r.destroy();
    hung.clear();
  };
  const stopListening = () =>
    new Promise<void>((resolve) => {
      dropHung();
      for (const s of sockets) s.destroy();
      if (!server.listening) return resolve();
      server.close(() => resolve());
    });

  const port = await listen(opts.port ?? 0);
  const api: NtfyServer = {
    url: `http://127.0.0.1:${port}`,
    port,
    get messages() {
      return state.messages;
    },
    get requests() {
      return state.requests;
    },
    get polls() {
      return state.polls;
    },
    get requireToken() {
      return state.requireToken;
    },
    set requireToken(t: string | undefined) {
      state.requireToken = t;
    },
    get denyRead() {
      return state.denyRead;
    },
    set denyRead(v: boolean) {
      state.denyRead = v;
    },
    get noCache() {
      return state.noCache;
    },
    set noCache(v: boolean) {
      state.noCache = v;
    },
    get legacy() {
      return state.legacy;
    },
    set legacy(v: boolean) {
      state.legacy = v;
    },
    get answerDelayMs() {
      return state.answerDelayMs;
    },
    set answerDelayMs(v: number) {
      state.answerDelayMs = v;
    },
    async setMode(next) {
      const wasRefusing = mode.type === 'refuse';
      const holding = mode.type === 'hang' || mode.type === 'accept-no-answer';
      if (holding && next.type !== mode.type) dropHung();
      mode = next;
      if (next.type === 'refuse' && !wasRefusing) await stopListening();
      if (next.type !== 'refuse' && wasRefusing) await listen(port);
    },
    setPollMode(next) {
      if (pollMode?.type === 'hang' && next?.type !== 'hang') dropHung();
      pollMode = next;
    },
    async close() {
      await stopListening();
    },
  };
  return api;
}
