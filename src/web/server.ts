// vaid's HTTP endpoint: /metrics, /healthz (health.ts), /api/status, /api/events (SSE) and the read-only
// status page at /. It reads: no GET route runs a command or changes state. The POST routes are
// POST /hooks/heartbeat/NAME (a beat, the endpoint's token required) and those the daemon passes in
// (postRoutes), each authenticating its caller itself, such as the signed git hook that asks for an
// early fetch, and POST /api/services/NAME/ACTION (actions/), which exist only with a write token.
// Off by default; vaid starts it for --listen.
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import type { Logger } from 'pino';
import { Registry } from 'prom-client';
import { VaiError } from '../errors.js';
import type { StatusDocument } from '../status/schema.js';
import { loadAssets, type Asset } from './assets.js';
import { bearerMatches, MIN_TOKEN_LENGTH } from './bearer-auth.js';
import { EventStream, EVENT_STREAM_DEFAULTS, type EventStreamOptions } from './event-stream.js';
import { NO_STORE, setSecurityHeaders } from './http-headers.js';
import { healthQuery, healthReport, type HealthCheck } from './health.js';
import { heartbeatHook, HOOK_PREFIX } from './heartbeat-hook.js';
import { hostHeaderName, isLoopbackHost, parseListenAddress } from './listen-address.js';
import { redactJson, redactStatus } from './redact.js';
import { createStatusMetrics, STATUS_METRIC_NAMES } from './status-metrics.js';
import { applyConnectionLimits, serverOptions } from './connection-limits.js';
import { ACTION_PREFIX, ACTIONS, actionRoutes, type ActionHost, type ActionRateLimit, type EndpointAction } from './actions/index.js';

export interface WebServerOptions {
  /** host:port; port 0 picks a free one (see the returned url). */
  listen: string;
  /** Required for a non-loopback address; then /api/* and /metrics want `Authorization: Bearer TOKEN`. */
  token?: string | undefined;
  getStatus(): StatusDocument;
  /** Called with each new status document; returns an unsubscribe function. */
  subscribe(cb: (doc: StatusDocument) => void): () => void;
  log?: Logger | undefined;
  /** Metrics only the daemon knows (see daemon-metrics.ts), served after the status-derived ones. */
  extraMetrics?: Registry | undefined;
  /** Called before each /metrics scrape, before extraMetrics is read (the daemon's lazy process metrics). */
  beforeScrape?: (() => void) | undefined;
  eventStream?: Partial<EventStreamOptions> | undefined;
  /** What /healthz checks (see health.ts); none: it answers 200 "ok" while the server runs. */
  healthChecks?: readonly HealthCheck[] | undefined;
  /** POST routes (each authenticates its caller itself, e.g. a signed git hook); everything else is read-only. */
  postRoutes?: Record<string, (req: IncomingMessage, res: ServerResponse) => Promise<void> | void> | undefined;
  /** Routes matched after the fixed ones (history-routes.ts: /api/history, /history/, /badges/). */
  extraRoutes?: ((pathname: string) => ((req: IncomingMessage, res: ServerResponse, query: URLSearchParams) => void) | undefined) | undefined;
  /** STATE_DIR/heartbeats: serves POST /hooks/heartbeat/NAME (heartbeat-hook.ts), only with a token. */
  heartbeatsDir?: string | undefined;
  /** POST /api/services/NAME/ACTION (actions/): mounted only with a write token, which must differ from `token`. */
  actions?: { writeToken: string | undefined; host: ActionHost; actions?: readonly EndpointAction[]; limit?: ActionRateLimit } | undefined;
}

export interface WebServer {
  url: string;
  close(): Promise<void>;
}

export async function startWebServer(opts: WebServerOptions): Promise<WebServer> {
  const addr = parseListenAddress(opts.listen);
  const token = opts.token === '' ? undefined : opts.token;
  if (!addr.loopback && token === undefined) {
    throw new VaiError('VAI_E_WEB_INSECURE', `refusing to serve on ${opts.listen} without a token: anyone who can reach it would read this host's status. Set VAI_WEB_TOKEN, or listen on 127.0.0.1.`, { listen: opts.listen });
  }
  if (token !== undefined && token.length < MIN_TOKEN_LENGTH) {
    throw new VaiError('VAI_E_WEB_INSECURE', `the web token is ${token.length} characters long; use at least ${MIN_TOKEN_LENGTH} (e.g. openssl rand -hex 24)`);
  }

  const writeToken = opts.actions?.writeToken === '' ? undefined : opts.actions?.writeToken;
  if (writeToken !== undefined && writeToken.length < MIN_TOKEN_LENGTH) {
    throw new VaiError('VAI_E_WEB_INSECURE', `the write token is ${writeToken.length} characters long; use at least ${MIN_TOKEN_LENGTH} (e.g. openssl rand -hex 24)`);
  }
  if (writeToken !== undefined && writeToken === token) {
    throw new VaiError('VAI_E_WEB_INSECURE', 'the write token equals the read token: anyone who may read could act. Give the write token its own value (openssl rand -hex 24)');
  }
  const act = writeToken !== undefined && opts.actions
    ? actionRoutes({ writeToken, readToken: token, host: opts.actions.host, actions: opts.actions.actions ?? ACTIONS, log: opts.log, ...(opts.actions.limit ? { limit: opts.actions.limit } : {}) })
    : undefined;

  const assets = loadAssets();
  // The event stream relies on unchanged services keeping their identity (redactStatus caches
  // by object); /api/status redacts afresh, so it is right even for a caller that mutates in place.
  const events = new EventStream(() => redactStatus(opts.getStatus()), { ...EVENT_STREAM_DEFAULTS, ...opts.eventStream });
  const metrics = createStatusMetrics({ sseClients: () => events.size });
  const clash = opts.extraMetrics?.getMetricsAsArray().find((m) => STATUS_METRIC_NAMES.has(m.name));
  if (clash) throw new Error(`daemon metric ${clash.name} has the name of a metric derived from status`);
  // Merged at each scrape: extraMetrics may gain metrics after start (beforeScrape's).
  const scrapeRegistry = () => (opts.extraMetrics ? Registry.merge([metrics.registry, opts.extraMetrics]) : metrics.registry);
  const unsubscribe = opts.subscribe((doc) => {
    metrics.observe(doc);
    events.publish(() => redactStatus(doc));
  });

  const routes: Record<string, (req: IncomingMessage, res: ServerResponse) => Promise<void> | void> = {
    '/api/status': (req, res) => sendLarge(req, res, 'application/json; charset=utf-8', `${JSON.stringify(redactJson(opts.getStatus()))}\n`),
    '/api/events': (req, res) => {
      const release = clients.takeStream(req.socket);
      if (events.full || release === null) {
        release?.();
        res.setHeader('Retry-After', '10');
        return send(res, 503, 'text/plain; charset=utf-8', 'too many event stream clients\n', NO_STORE);
      }
      if (req.method === 'HEAD') {
        release();
        return send(res, 200, 'text/event-stream', '', NO_STORE);
      }
      res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': NO_STORE, 'X-Accel-Buffering': 'no' });
      res.flushHeaders();
      res.once('close', release);
      events.add(res);
    },
    '/metrics': async (req, res) => {
      opts.beforeScrape?.();
      const doc = opts.getStatus();
      metrics.observe(doc);
      const registry = scrapeRegistry();
      await sendLarge(req, res, registry.contentType, await metrics.render(doc, registry));
    },
  };
  const protectedPath = (p: string) => p.startsWith('/api/') || p === '/metrics' || p.startsWith('/history/') || p.startsWith('/badges/');

  const server = http.createServer(serverOptions(), (req, res) => {
    setSecurityHeaders(res);
    const started = process.hrtime.bigint();
    res.on('finish', () => opts.log?.debug({ method: req.method, path: req.url, status: res.statusCode, ms: Number(process.hrtime.bigint() - started) / 1e6 }, 'http request'));
    void handle(req, res).catch((e: unknown) => {
      opts.log?.error({ err: e, path: req.url }, 'http handler failed');
      if (!res.headersSent) send(res, 503, 'text/plain; charset=utf-8', 'status not available\n', NO_STORE);
      else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const post = req.method === 'POST' ? opts.postRoutes?.[new URL(req.url ?? '/', 'http://x').pathname] : undefined;
    if (post) return post(req, res);
    if (req.method === 'POST' && act) {
      const { pathname } = new URL(req.url ?? '/', 'http://x');
      if (pathname.startsWith(ACTION_PREFIX)) return act(req, res, pathname);
    }
    if (req.method === 'POST' && opts.heartbeatsDir !== undefined && (req.url ?? '').startsWith(HOOK_PREFIX)) {
      const reply = (status: number, body: string) => send(res, status, 'text/plain; charset=utf-8', body, NO_STORE);
      if (token === undefined) return reply(403, 'heartbeat hooks need the endpoint\'s token: set VAI_WEB_TOKEN (or --web-token-file)\n');
      if (!bearerMatches(req.headers.authorization, token)) {
        res.setHeader('WWW-Authenticate', 'Bearer realm="vai"');
        return reply(401, 'a Bearer token is required\n');
      }
      const { pathname, searchParams } = new URL(req.url ?? '/', 'http://x');
      return heartbeatHook(req, pathname, searchParams, opts.heartbeatsDir, reply);
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      return send(res, 405, 'text/plain; charset=utf-8', 'read-only endpoint: only GET and HEAD\n', NO_STORE);
    }
    // Without a token the loopback listener is protected only by who can reach it; a web page
    // could still reach it through DNS rebinding, which a Host check defeats.
    const host = hostHeaderName(req.headers.host);
    if (token === undefined && !isLoopbackHost(host) && host !== addr.host) {
      return send(res, 403, 'text/plain; charset=utf-8', 'host not allowed\n', NO_STORE);
    }
    const { pathname, searchParams } = new URL(req.url ?? '/', 'http://x');
    if (token !== undefined && protectedPath(pathname) && !bearerMatches(req.headers.authorization, token)) {
      res.setHeader('WWW-Authenticate', 'Bearer realm="vai"');
      return send(res, 401, 'text/plain; charset=utf-8', 'a Bearer token is required\n', NO_STORE);
    }
    if (pathname === '/healthz' || pathname.startsWith('/healthz/')) {
      const r = healthReport(opts.healthChecks ?? [], healthQuery(pathname, searchParams));
      return send(res, r.status, 'text/plain; charset=utf-8', r.body, NO_STORE);
    }
    const route = routes[pathname];
    if (route) return route(req, res);
    const extra = opts.extraRoutes?.(pathname);
    if (extra) return extra(req, res, searchParams);
    // No history kept (--history-days 0, or a server without it): the page asks anyway and is
    // told there is nothing, which is not an error.
    if (!opts.extraRoutes && (pathname.startsWith('/history/') || pathname === '/api/history')) return send(res, 204, 'text/plain; charset=utf-8', '', NO_STORE);
    const asset = assets.get(pathname);
    if (asset) return sendAsset(req, res, asset);
    send(res, 404, 'text/plain; charset=utf-8', 'not found\n', NO_STORE);
  }

  const clients = applyConnectionLimits(server);
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) =>
      reject(new VaiError('VAI_E_WEB_LISTEN', `cannot listen on ${opts.listen}: ${e.code ?? e.message}`, { listen: opts.listen })),
    );
    server.listen({ host: addr.host, port: addr.port }, () => resolve());
  });
  const bound = server.address() as AddressInfo;
  const url = `http://${bound.family === 'IPv6' ? `[${bound.address}]` : bound.address}:${bound.port}`;
  opts.log?.info({ url, auth: token === undefined ? 'none (loopback)' : 'bearer', actions: act ? 'on (write token)' : 'off' }, 'web endpoint listening');

  let closed: Promise<void> | undefined;
  return {
    url,
    close() {
      closed ??= new Promise<void>((resolve) => {
        unsubscribe();
        events.close();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closed;
    },
  };
}

function send(res: ServerResponse, status: number, type: string, body: string, cacheControl: string): void {
  res.writeHead(status, { 'Content-Type': type, 'Cache-Control': cacheControl, 'Content-Length': Buffer.byteLength(body) });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}

const gzip = promisify(zlib.gzip);
const GZIP_FROM_BYTES = 16 * 1024;

/** A 200 of a live document, gzipped when the client takes it: 1,000 services are ~1 MiB of JSON. */
async function sendLarge(req: IncomingMessage, res: ServerResponse, type: string, body: string): Promise<void> {
  res.setHeader('Vary', 'Accept-Encoding');
  if (body.length < GZIP_FROM_BYTES || !/\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''))) return send(res, 200, type, body, NO_STORE);
  const zipped = await gzip(body, { level: 4 });
  res.writeHead(200, { 'Content-Type': type, 'Content-Encoding': 'gzip', 'Cache-Control': NO_STORE, 'Content-Length': zipped.length });
  res.end(req.method === 'HEAD' ? undefined : zipped);
}

function sendAsset(req: IncomingMessage, res: ServerResponse, a: Asset): void {
  if (req.headers['if-none-match'] === a.etag) {
    res.writeHead(304, { ETag: a.etag, 'Cache-Control': 'no-cache' });
    res.end();
    return;
  }
  res.writeHead(200, { 'Content-Type': a.type, ETag: a.etag, 'Cache-Control': 'no-cache', 'Content-Length': a.body.length });
  res.end(req.method === 'HEAD' ? undefined : a.body);
}
