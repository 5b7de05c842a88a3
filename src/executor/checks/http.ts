// The http check: GET the endpoint and judge the answer as `curl -f` would (2xx and 3xx are
// healthy), narrowed by expected_status, body_contains and max_latency_ms when they are set.
import type { HealthCheck } from '../../manifest/schema.js';
import type { CheckResult } from '../types.js';
import { readFileSync } from 'node:fs';
import type tls from 'node:tls';
import { parseHttpEndpoint, type HttpEndpoint } from '../http-endpoint.js';
import { httpGet, type HttpOutcome } from '../http-request.js';
import { DEFAULT_KEEP_ALIVE_SECONDS, type KeptConnections } from '../http-keep-alive.js';
import { formatDuration, oneLine, round } from '../format.js';
import { HTTP_PROBE } from '../docker-scripts.js';
import { EXIT_NO_TOOL, lastLine, parseProbeResponse, unknown } from '../container-probe.js';
import type { CheckRuleError, CheckType, ContainerCheckContext, TypeBuilder } from './check-type.js';
import { redactUrl } from './words.js';

/** Where a check with keep_alive keeps its connection: the executor's pool, under the service's name. */
export interface KeepAlive {
  pool: KeptConnections;
  key: string;
}

export async function httpCheck(hc: HealthCheck, signal?: AbortSignal, keepAlive?: KeepAlive, dir = '.'): Promise<CheckResult> {
  const endpoint = hc.endpoint ?? '';
  const ep = parseHttpEndpoint(endpoint);
  if (typeof ep === 'string') return { health: 'unknown', reason: 'CheckError', message: ep, latencyMs: 0 };
  const extra = requestOptions(hc, ep, dir);
  if (typeof extra === 'string') return { health: 'unknown', reason: 'CheckError', message: extra, latencyMs: 0 };
  const opts = { timeoutMs: hc.timeout_seconds * 1000, bodyContains: hc.body_contains, signal, ...extra };
  if (!hc.keep_alive || !keepAlive) return judgeHttp(hc, ep.display, await httpGet(ep, opts));
  const outcome = await keepAlive.pool.get(keepAlive.key, ep, (hc.keep_alive_seconds ?? DEFAULT_KEEP_ALIVE_SECONDS) * 1000, opts);
  const r = judgeHttp(hc, ep.display, outcome, outcome.reused);
  // The next check after any failure proves again that the listener accepts connections.
  if (r.health !== 'healthy') keepAlive.pool.drop(keepAlive.key);
  return r;
}

/**
 * Pure: turns what happened into health, reason and the message a person reads. `reused`: the
 * answer came on a connection kept from an earlier check, which the message says.
 */
export function judgeHttp(hc: HealthCheck, endpoint: string, o: HttpOutcome, reused = false, now = Date.now()): CheckResult {
  const r = judge(hc, endpoint, o);
  if (reused && o.kind !== 'aborted') r.message += ' (kept-alive connection)';
  if (r.health === 'healthy' && o.kind === 'response' && o.certValidTo !== undefined) {
    r.message += `, certificate expires ${new Date(o.certValidTo).toISOString().slice(0, 10)} (${Math.floor((o.certValidTo - now) / 86_400_000)} days left)`;
  }
  return r;
}

const pems = new Map<string, Buffer | string>();

/** A PEM file named by a check (ca_file, cert_file, key_file), read once per path; or why it cannot be read. */
export function pemOf(field: string, file: string | undefined, dir: string): Buffer | undefined | string {
  if (file === undefined) return undefined;
  const p = file.startsWith('/') ? file : `${dir}/${file}`;
  let hit = pems.get(p);
  if (hit === undefined) {
    try {
      hit = readFileSync(p);
    } catch (e) {
      hit = `cannot read ${field} ${p}: ${(e as Error).message}`;
    }
    if (pems.size > 1000) pems.clear();
    pems.set(p, hit);
  }
  return hit;
}

const requests = new Map<string, Buffer>();

/** TLS options and the request with header_env's headers; their values come from vaid's environment, never from the manifest. */
function requestOptions(hc: HealthCheck, ep: HttpEndpoint, dir: string): { tls?: tls.ConnectionOptions; request?: Buffer } | string {
  const out: { tls?: tls.ConnectionOptions; request?: Buffer } = {};
  if (ep.tls && (hc.ca_file !== undefined || hc.cert_file !== undefined || hc.insecure_skip_verify)) {
    const ca = pemOf('ca_file', hc.ca_file, dir);
    const cert = pemOf('cert_file', hc.cert_file, dir);
    const key = pemOf('key_file', hc.key_file, dir);
    for (const v of [ca, cert, key]) if (typeof v === 'string') return v;
    out.tls = { ca: ca as Buffer | undefined, cert: cert as Buffer | undefined, key: key as Buffer | undefined, rejectUnauthorized: hc.insecure_skip_verify !== true };
  }
  if (hc.header_env !== undefined) {
    const lines: string[] = [];
    for (const [name, env] of Object.entries(hc.header_env)) {
      const v = process.env[env];
      if (v === undefined) return `header_env: ${env} (for ${name}) is not set in vaid's environment`;
      if (/[\r\n]/.test(v)) return `header_env: ${env} (for ${name}) holds a line break`;
      lines.push(`${name}: ${v}\r\n`);
    }
    const key = `${ep.url}\0${lines.join('')}`;
    let req = requests.get(key);
    if (req === undefined) {
      const head = ep.request.toString('latin1');
      req = Buffer.from(head.replace(/\r\n\r\n$/, `\r\n${lines.join('')}\r\n`), 'latin1');
      if (requests.size > 10_000) requests.clear();
      requests.set(key, req);
    }
    out.request = req;
  }
  return out;
}

function judge(hc: HealthCheck, endpoint: string, o: HttpOutcome): CheckResult {
  const latencyMs = round(o.latencyMs);
  const after = `after ${formatDuration(o.latencyMs)}`;
  switch (o.kind) {
    case 'aborted':
      return { health: 'unknown', reason: 'CheckError', message: `check of ${endpoint} cancelled`, latencyMs };
    case 'timeout':
      return {
        health: 'unhealthy',
        reason: 'Timeout',
        message: `timed out after ${formatDuration(hc.timeout_seconds * 1000)} ${o.connected ? 'waiting for a response from' : 'connecting to'} ${endpoint}`,
        latencyMs,
      };
    case 'error':
      return { health: 'unhealthy', reason: 'ConnectFailed', message: `${o.message} (GET ${endpoint})`, latencyMs };
    case 'response': {
      const okStatus = hc.expected_status ? hc.expected_status.includes(o.status) : o.status >= 200 && o.status < 400;
      if (!okStatus) {
        const wanted = hc.expected_status ? ` (expected ${hc.expected_status.join(', ')})` : '';
        return { health: 'unhealthy', reason: 'HttpStatus', message: `HTTP ${o.status} from ${endpoint} ${after}${wanted}`, latencyMs };
      }
      if (o.bodyMatched === false) {
        return {
          health: 'unhealthy',
          reason: 'BodyMismatch',
          message: `HTTP ${o.status} from ${endpoint} ${after}, but the body does not contain ${JSON.stringify(hc.body_contains)}`,
          latencyMs,
        };
      }
      if (hc.max_latency_ms !== undefined && o.latencyMs > hc.max_latency_ms) {
        return {
          health: 'unhealthy',
          reason: 'TooSlow',
          message: `HTTP ${o.status} from ${endpoint} ${after}, slower than max_latency_ms ${hc.max_latency_ms}`,
          latencyMs,
        };
      }
      return { health: 'healthy', reason: 'CheckPassed', message: `HTTP ${o.status} from ${endpoint} ${after}`, latencyMs };
    }
  }
}


/** endpoint, shared with the certificate check. */
export const ENDPOINT_FIELD = (Type: TypeBuilder) => ({
  endpoint: Type.Optional(
    Type.String({ minLength: 1, maxLength: 2048, description: 'http: the URL to GET, e.g. http://127.0.0.1:9000/minio/health/live; certificate: the https://host:port/ whose certificate to check.' }),
  ),
});

/** ca_file, shared with the certificate check (trusting a private CA). */
export const CA_FILE_FIELD = (Type: TypeBuilder) => ({
  ca_file: Type.Optional(Type.String({ minLength: 1, maxLength: 4096, description: 'http (https), certificate: PEM file of the CA(s) to trust instead of the system\'s, for a private CA (relative to the manifest\'s directory).' })),
});

export const HTTP_FIELDS = (Type: TypeBuilder) => ({
  ...ENDPOINT_FIELD(Type),
  ...CA_FILE_FIELD(Type),
  insecure_skip_verify: Type.Optional(Type.Boolean({ description: 'https: do not verify the server\'s certificate (describe shows a warning). Prefer ca_file.' })),
  cert_file: Type.Optional(Type.String({ minLength: 1, maxLength: 4096, description: 'https: PEM client certificate to present (with key_file), for mutual TLS.' })),
  key_file: Type.Optional(Type.String({ minLength: 1, maxLength: 4096, description: 'https: PEM private key of cert_file.' })),
  header_env: Type.Optional(
    Type.Record(Type.String({ pattern: '^[A-Za-z0-9-]{1,64}$' }), Type.String({ pattern: '^[A-Z_][A-Z0-9_]*$' }), {
      maxProperties: 32,
      description: 'http: request header name -> environment variable of vaid holding its value (e.g. Authorization: HEALTH_TOKEN); values never reach status or logs.',
    }),
  ),
  expected_status: Type.Optional(Type.Array(Type.Integer({ minimum: 100, maximum: 599 }), { minItems: 1, maxItems: 64, description: 'http: statuses counted healthy (default: 2xx and 3xx, as curl -f).' })),
  body_contains: Type.Optional(Type.String({ minLength: 1, maxLength: 4096, description: 'http: the body must contain this text.' })),
  max_latency_ms: Type.Optional(Type.Number({ minimum: 1, maximum: 600_000, description: 'http: a slower answer counts as unhealthy.' })),
  keep_alive: Type.Optional(
    Type.Boolean({
      description:
        'http: reuse one connection from check to check (cheaper). A reused connection cannot show a listener that stopped accepting, so a fresh one is still opened every keep_alive_seconds and after any failed check.',
    }),
  ),
  keep_alive_seconds: Type.Optional(
    Type.Number({ minimum: 1, maximum: 3600, description: 'http with keep_alive: the longest one connection is reused before a check opens a fresh one (default 30).' }),
  ),
});

export const HTTP: CheckType<'http', ReturnType<typeof HTTP_FIELDS>> = {
  type: 'http',
  summary: 'http: GET endpoint',
  fields: HTTP_FIELDS,
  required: ['endpoint'],
  host: ({ hc, target, keptConnections, signal }) =>
    hc.keep_alive ? httpCheck(hc, signal, { pool: keptConnections, key: target.name }, target.workingDir) : httpCheck(hc, signal, undefined, target.workingDir),
  container: containerHttpCheck,
  target: (hc) => `http ${redactUrl(hc.endpoint ?? '')}`,
  sentence: (hc) => {
    const extra = [
      hc.expected_status ? `expecting status ${hc.expected_status.join('/')}` : 'expecting 2xx or 3xx',
      hc.body_contains !== undefined ? `body containing ${JSON.stringify(hc.body_contains)}` : '',
      hc.max_latency_ms !== undefined ? `within ${hc.max_latency_ms} ms` : '',
    ].filter(Boolean);
    return `HTTP GET ${redactUrl(hc.endpoint ?? '')} ${extra.join(', ')}`;
  },
  alertText: (hc) => `HTTP GET ${redactUrl(hc.endpoint ?? '')}`,
  warnings: (hc) => (hc.insecure_skip_verify ? ['insecure_skip_verify: the server\'s certificate is not verified; anyone on the path can answer for it (prefer ca_file)'] : []),
  loopbackTarget: (hc) => {
    const ep = parseHttpEndpoint(hc.endpoint ?? '');
    return typeof ep === 'string' ? ep : { host: ep.host, port: ep.port };
  },
  rules: (hc, spec) => {
    const out: CheckRuleError[] = [];
    const ep = hc.endpoint;
    if (ep !== undefined && !isHttpUrl(ep)) out.push({ path: ['endpoint'], at: 'value', message: `must be an http:// or https:// URL, got ${JSON.stringify(ep)}` });
    // A kept-alive connection is vaid's own socket: a check inside a container runs a new client
    // (curl, wget) per check, so there is no connection to keep.
    if (spec.container !== undefined && (hc.keep_alive !== undefined || hc.keep_alive_seconds !== undefined)) {
      const field = hc.keep_alive !== undefined ? 'keep_alive' : 'keep_alive_seconds';
      out.push({ path: [field], at: 'key', message: 'a check inside a container opens a new connection each time (docker exec); remove it or check from the host' });
    }
    const tlsFields = (['ca_file', 'insecure_skip_verify', 'cert_file', 'key_file'] as const).filter((f) => hc[f] !== undefined);
    if (tlsFields.length > 0 && ep !== undefined && isHttpUrl(ep) && !ep.startsWith('https:')) {
      out.push({ path: [tlsFields[0]!], at: 'key', message: `${tlsFields[0]} needs an https:// endpoint` });
    }
    if (tlsFields.length > 0 && hc.keep_alive) out.push({ path: [tlsFields[0]!], at: 'key', message: `${tlsFields[0]} does not work with keep_alive yet; drop keep_alive` });
    if ((tlsFields.length > 0 || hc.header_env !== undefined) && spec.container !== undefined) {
      out.push({ path: [tlsFields[0] ?? 'header_env'], at: 'key', message: 'TLS options and header_env apply to checks from the host; drop spec.container or use a custom check' });
    }
    if ((hc.cert_file === undefined) !== (hc.key_file === undefined)) {
      out.push({ path: [hc.cert_file === undefined ? 'key_file' : 'cert_file'], at: 'key', message: 'cert_file and key_file go together (the client certificate and its key)' });
    }
    return out;
  },
};

function isHttpUrl(ep: string): boolean {
  try {
    const u = new URL(ep);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}

async function containerHttpCheck({ target, hc, container, probe }: ContainerCheckContext): Promise<CheckResult> {
  const endpoint = hc.endpoint ?? '';
  const ep = parseHttpEndpoint(endpoint);
  if (typeof ep === 'string') return unknown('CheckError', ep, 0);
  const o = await probe(
    HTTP_PROBE,
    {
      VAI_HTTP_URL: ep.url,
      VAI_HTTP_TLS: ep.tls ? '1' : '0',
      VAI_HTTP_HOST: ep.host,
      VAI_HTTP_PORT: String(ep.port),
      VAI_HTTP_PATH: ep.path,
      VAI_HTTP_HOSTHDR: ep.hostHeader,
    },
    hc.timeout_seconds * 1000,
  );
  if (o.kind === 'failed') return unknown(o.reason, o.message, o.durationMs);
  const where = `${ep.display} in container ${container}`;
  if (o.timedOut) return { health: 'unhealthy', reason: 'Timeout', message: `timed out after ${formatDuration(hc.timeout_seconds * 1000)} (GET ${where})`, latencyMs: round(o.durationMs) };
  if (!o.captured) return unknown('CheckError', `no writable temp dir in container ${target.spec.container} to capture the response`, o.durationMs);
  if (o.exitCode === EXIT_NO_TOOL) return unknown('CheckError', lastLine(o.stderr), o.durationMs);
  const parsed = parseProbeResponse(o.stdout, o.stderr, hc.body_contains);
  if (parsed === null) {
    return { health: 'unhealthy', reason: 'ConnectFailed', message: oneLine(`${lastLine(o.stderr) || `exit ${o.exitCode}`} (GET ${where})`), latencyMs: round(o.durationMs) };
  }
  return judgeHttp(hc, where, { kind: 'response', status: parsed.status, latencyMs: o.durationMs, bodyMatched: parsed.bodyMatched });
}
