// Reads vaid's Prometheus endpoint (--listen 127.0.0.1:PORT) for what only the daemon knows:
// status writes and the time each took (serialise + write + fsync + rename).
import http from 'node:http';

export type Samples = Map<string, number>;

export function parseExposition(text: string): Samples {
  const out: Samples = new Map();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const i = line.lastIndexOf(' ');
    const v = Number(line.slice(i + 1));
    if (Number.isFinite(v)) out.set(line.slice(0, i), v);
  }
  return out;
}

export function scrape(port: number, timeoutMs = 10_000): Promise<Samples> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/metrics', timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => {
        body += d;
      });
      res.on('end', () => (res.statusCode === 200 ? resolve(parseExposition(body)) : reject(new Error(`/metrics answered ${res.statusCode}`))));
    });
    req.on('timeout', () => req.destroy(new Error(`/metrics did not answer within ${timeoutMs} ms`)));
    req.on('error', reject);
  });
}

export interface WriteStats {
  writes: number;
  meanMs: number;
  /** Upper bound of the histogram bucket holding the 95th percentile write, in ms. */
  p95UpperMs: number;
}

/**
 * Status writes between two scrapes of a write histogram: vai_status_write_duration_seconds
 * (start to rename, fsync included) or vai_status_write_blocking_seconds (event loop held).
 */
export function writeStatsBetween(a: Samples, b: Samples, name = 'vai_status_write_duration_seconds'): WriteStats | undefined {
  const d = (k: string) => (b.get(k) ?? 0) - (a.get(k) ?? 0);
  const writes = d(`${name}_count`);
  if (!(writes > 0)) return undefined;
  const bucket = new RegExp(`^${name}_bucket\\{le="([^"]+)"\\}$`);
  const buckets = [...b.keys()]
    .map((k) => bucket.exec(k))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ le: m[1] === '+Inf' ? Infinity : Number(m[1]), n: d(m[0]) }))
    .sort((x, y) => x.le - y.le);
  const p95 = buckets.find((x) => x.n >= 0.95 * writes)?.le ?? Infinity;
  return { writes, meanMs: (d(`${name}_sum`) / writes) * 1000, p95UpperMs: p95 * 1000 };
}
