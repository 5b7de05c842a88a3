// A real HTTP server on 127.0.0.1 that speaks ntfy's publish API (POST /TOPIC, message as the
// body, Title/Priority/Tags headers, RFC 2047 encoded-words decoded as ntfy does) and records
// what it accepted. Tests switch it between modes: accept, refuse connections (the port is
// closed), answer a status (503, 429 with Retry-After, 401), or hang (read, never answer).
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface NtfyMessage {
  topic: string;
  title: string | undefined;
  priority: number;
  tags: string[];
  message: string;
  authorization: string | undefined;
  headers: http.IncomingHttpHeaders;
  receivedAt: number;
}

export type NtfyMode =
  | { type: 'accept' }
  | { type: 'refuse' }
  | { type: 'status'; status: number; retryAfter?: string; body?: string }
  | { type: 'hang' };

export interface NtfyServer {
  url: string;
  port: number;
  /** Messages accepted (answered 200), in arrival order. */
  messages: NtfyMessage[];
  /** Every request that reached the server, whatever the answer. */
  requests: number;
  /** When set, a request without `Authorization: Bearer <token>` gets 401 as ntfy answers it. */
  requireToken: string | undefined;
  setMode(mode: NtfyMode): Promise<void>;
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

export async function startNtfyServer(opts: { port?: number } = {}): Promise<NtfyServer> {
  let mode: NtfyMode = { type: 'accept' };
  const sockets = new Set<Socket>();
  const hung = new Set<http.ServerResponse>();
  const state = { messages: [] as NtfyMessage[], requests: 0, requireToken: undefined as string | undefined };

  const server = http.createServer((req, res) => {
    state.requests += 1;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (mode.type === 'hang') {
        hung.add(res);
        return;
      }
      if (mode.type === 'status') {
        const headers: Record<string, string> = { 'Content-Type': 'application/json' };
        if (mode.retryAfter) headers['Retry-After'] = mode.retryAfter;
        res.writeHead(mode.status, headers);
        res.end(mode.body ?? `{"code":${mode.status}00,"http":${mode.status},"error":"simulated"}\n`);
        return;
      }
      const topic = decodeURIComponent((req.url ?? '/').split('?')[0]!.replace(/^\/+/, ''));
      if (req.method !== 'POST' && req.method !== 'PUT') {
        res.writeHead(405).end();
        return;
      }
      if (!/^[-_A-Za-z0-9]{1,64}$/.test(topic)) {
        res.writeHead(404, { 'Content-Type': 'application/json' }).end('{"code":40401,"http":404,"error":"page not found"}\n');
        return;
      }
      const authorization = decodeHeader(req.headers.authorization);
      if (state.requireToken !== undefined && authorization !== `Bearer ${state.requireToken}`) {
        res.writeHead(401, { 'Content-Type': 'application/json' }).end('{"code":40101,"http":401,"error":"unauthorized","link":"https://ntfy.sh/docs/publish/#authentication"}\n');
        return;
      }
      const msg: NtfyMessage = {
        topic,
        title: decodeHeader(req.headers.title ?? req.headers['x-title'] ?? req.headers.t),
        priority: parsePriority(decodeHeader(req.headers.priority ?? req.headers['x-priority'] ?? req.headers.p)),
        tags: (decodeHeader(req.headers.tags ?? req.headers['x-tags'] ?? req.headers.ta) ?? '').split(',').map((t) => t.trim()).filter(Boolean),
        message: Buffer.concat(chunks).toString('utf8'),
        authorization,
        headers: req.headers,
        receivedAt: Date.now(),
      };
      state.messages.push(msg);
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(`${JSON.stringify({ id: `m${state.messages.length}`, time: Math.floor(msg.receivedAt / 1000), event: 'message', topic, title: msg.title, message: msg.message, priority: msg.priority, tags: msg.tags })}\n`);
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
  const stopListening = () =>
    new Promise<void>((resolve) => {
      for (const r of hung) r.destroy();
      hung.clear();
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
    get requireToken() {
      return state.requireToken;
    },
    set requireToken(t: string | undefined) {
      state.requireToken = t;
    },
    async setMode(next) {
      const wasRefusing = mode.type === 'refuse';
      if (mode.type === 'hang' && next.type !== 'hang') {
        for (const r of hung) r.destroy();
        hung.clear();
      }
      mode = next;
      if (next.type === 'refuse' && !wasRefusing) await stopListening();
      if (next.type !== 'refuse' && wasRefusing) await listen(port);
    },
    async close() {
      await stopListening();
    },
  };
  return api;
}
