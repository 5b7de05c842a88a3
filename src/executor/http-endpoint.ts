// An http(s) health endpoint, parsed once per spec: the check path must not re-parse URLs
// thousands of times a minute.
import { displayUrl } from '../core/redact.js';

export interface HttpEndpoint {
  url: string;
  /** The URL as every message shows it, computed once: no userinfo, no secret query values (core/redact). */
  display: string;
  tls: boolean;
  /** Hostname without IPv6 brackets, as net.connect wants it. */
  host: string;
  port: number;
  /** Path and query, as sent in the request line. */
  path: string;
  /** Host header value (keeps a non-default port, and brackets for IPv6). */
  hostHeader: string;
  /** The whole GET request, built once: the check path only writes it. */
  request: Buffer;
  /** The same GET for a connection kept open between checks (health_check.keep_alive). */
  keepAliveRequest: Buffer;
}

const cache = new Map<string, HttpEndpoint | string>();

/** The parsed endpoint, or a message saying why it cannot be used. */
export function parseHttpEndpoint(endpoint: string): HttpEndpoint | string {
  const hit = cache.get(endpoint);
  if (hit !== undefined) return hit;
  const parsed = parse(endpoint);
  if (cache.size > 10_000) cache.clear();
  cache.set(endpoint, parsed);
  return parsed;
}

function parse(endpoint: string): HttpEndpoint | string {
  let u: URL;
  try {
    u = new URL(endpoint);
  } catch {
    return `invalid URL ${JSON.stringify(displayUrl(endpoint))}`;
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return `unsupported scheme ${u.protocol} in ${displayUrl(endpoint)} (use http or https)`;
  if (u.username || u.password) return 'credentials in the URL are not supported (they would show in status and logs)';
  const tls = u.protocol === 'https:';
  const host = u.hostname.startsWith('[') ? u.hostname.slice(1, -1) : u.hostname;
  const port = u.port ? Number(u.port) : tls ? 443 : 80;
  const reqPath = `${u.pathname || '/'}${u.search}`;
  const head = `GET ${reqPath} HTTP/1.1\r\nHost: ${u.host}\r\nUser-Agent: vai-health-check\r\nAccept: */*\r\n`;
  const request = Buffer.from(`${head}Connection: close\r\n\r\n`, 'latin1');
  const keepAliveRequest = Buffer.from(`${head}Connection: keep-alive\r\n\r\n`, 'latin1');
  return { url: endpoint, display: displayUrl(endpoint), tls, host, port, path: reqPath, hostHeader: u.host, request, keepAliveRequest };
}
