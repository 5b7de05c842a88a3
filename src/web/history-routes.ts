// The endpoint's history routes, read from STATE_DIR/history.db (opened read-only per request:
// a database moved aside and restarted by vaid is seen at once, and nothing stays open):
//   /api/history?service=&since=       the same HistoryList as `vaictl history -o json`
//   /history/NAME/uptime.svg?range=    uptime strip: 48h (hourly bars) or 90d (daily bars)
//   /history/NAME/latency.svg?range=   average latency chart: 24h or 7d
//   /badges/NAME/uptime/24h|7d|30d.svg and /badges/NAME/health.svg
// Names are DNS-1123 labels; anything else is a 404, never a path or a query into SQL.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { historyFile, openReader, type Db } from '../history/index.js';
import { bars, latencySeries, totals, uptimeRatio } from '../history/query.js';
import { formatUptime, historyList, parseSince } from '../history/views.js';
import type { StatusDocument } from '../status/schema.js';
import { badgeSvg, latencyChartSvg, uptimeBadgeColour, uptimeStripSvg } from './history-svg.js';
import { NO_STORE } from './http-headers.js';

export type HistoryRoute = (req: IncomingMessage, res: ServerResponse, query: URLSearchParams) => void;

const NAME = '[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?';
const STRIP = new RegExp(`^/history/(${NAME})/(uptime|latency)\\.svg$`);
const UPTIME_BADGE = new RegExp(`^/badges/(${NAME})/uptime/(24h|7d|30d)\\.svg$`);
const HEALTH_BADGE = new RegExp(`^/badges/(${NAME})/health\\.svg$`);
const WINDOW_MS = { '24h': 86_400_000, '7d': 7 * 86_400_000, '30d': 30 * 86_400_000 } as const;
const SVG = 'image/svg+xml; charset=utf-8';

export interface HistoryRoutesOptions {
  stateDir: string;
  getStatus(): StatusDocument;
  now?: () => number;
}

/** A lookup for the server: the handler of a history path, or undefined. */
export function historyRoutes(opts: HistoryRoutesOptions): (pathname: string) => HistoryRoute | undefined {
  const now = opts.now ?? Date.now;
  const withDb = (res: ServerResponse, fn: (db: Db) => void) => {
    let db: Db;
    try {
      db = openReader(historyFile(opts.stateDir));
    } catch (e) {
      return send(res, 503, 'text/plain; charset=utf-8', `history not available: ${(e as Error).message}\n`);
    }
    try {
      fn(db);
    } finally {
      db.close();
    }
  };
  return (pathname) => {
    if (pathname === '/api/history') {
      return (_req, res, q) => {
        const t = now();
        const sinceMs = parseSince(q.get('since') || '24h', t);
        if (sinceMs === null) return send(res, 400, 'text/plain; charset=utf-8', 'since: use 30m, 24h, 7d, 2w or an ISO time\n');
        const service = q.get('service') || undefined;
        withDb(res, (db) => send(res, 200, 'application/json; charset=utf-8', `${JSON.stringify(historyList(db, { service, sinceMs }), null, 2)}\n`));
      };
    }
    let m = STRIP.exec(pathname);
    if (m) {
      const [, name, kind] = m as unknown as [string, string, 'uptime' | 'latency'];
      return (_req, res, q) =>
        withDb(res, (db) => {
          const t = now();
          if (kind === 'uptime') {
            const days = q.get('range') === '90d';
            const step = days ? 86_400_000 : 3_600_000;
            const end = (Math.floor(t / step) + 1) * step;
            send(res, 200, SVG, uptimeStripSvg(name, bars(db, name, end - (days ? 90 : 48) * step, end, step, days ? 'days' : 'hours'), days ? 'day' : 'hour'));
          } else {
            const week = q.get('range') === '7d';
            const points = week ? latencySeries(db, name, t - 7 * 86_400_000, t, 2 * 3_600_000, 'hours') : latencySeries(db, name, t - 86_400_000, t, 15 * 60_000, 'minutes');
            send(res, 200, SVG, latencyChartSvg(name, points, week ? '7 d' : '24 h'));
          }
        });
    }
    m = UPTIME_BADGE.exec(pathname);
    if (m) {
      const [, name, window] = m as unknown as [string, string, keyof typeof WINDOW_MS];
      return (_req, res) =>
        withDb(res, (db) => {
          const t = now();
          const u = uptimeRatio(totals(db, name, t - WINDOW_MS[window], t));
          send(res, 200, SVG, badgeSvg(`uptime ${window}`, formatUptime(u), uptimeBadgeColour(u)));
        });
    }
    m = HEALTH_BADGE.exec(pathname);
    if (m) {
      const name = m[1]!;
      return (_req, res) => {
        const s = opts.getStatus().services[name];
        if (!s) return send(res, 404, SVG, badgeSvg('health', 'not found', '#9f9f9f'));
        const health = s.lastCheck?.health ?? 'unknown';
        const colour = health === 'healthy' ? '#2da44e' : health === 'unhealthy' ? '#cf222e' : '#9f9f9f';
        send(res, 200, SVG, badgeSvg('health', s.phase === 'Healthy' ? 'healthy' : `${health}, ${s.phase}`, colour));
      };
    }
    return undefined;
  };
}

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { 'Content-Type': type, 'Cache-Control': NO_STORE, 'Content-Length': Buffer.byteLength(body) });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}
