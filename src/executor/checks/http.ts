// The http check: GET the endpoint and judge the answer as `curl -f` would (2xx and 3xx are
// healthy), narrowed by expected_status, body_contains and max_latency_ms when they are set.
import type { HealthCheck } from '../../manifest/schema.js';
import type { CheckResult } from '../types.js';
import { parseHttpEndpoint } from '../http-endpoint.js';
import { httpGet, type HttpOutcome } from '../http-request.js';
import { DEFAULT_KEEP_ALIVE_SECONDS, type KeptConnections } from '../http-keep-alive.js';
import { formatDuration } from '../format.js';

/** Where a check with keep_alive keeps its connection: the executor's pool, under the service's name. */
export interface KeepAlive {
  pool: KeptConnections;
  key: string;
}

export async function httpCheck(hc: HealthCheck, signal?: AbortSignal, keepAlive?: KeepAlive): Promise<CheckResult> {
  const endpoint = hc.endpoint ?? '';
  const ep = parseHttpEndpoint(endpoint);
  if (typeof ep === 'string') return { health: 'unknown', reason: 'CheckError', message: ep, latencyMs: 0 };
  const opts = { timeoutMs: hc.timeout_seconds * 1000, bodyContains: hc.body_contains, signal };
  if (!hc.keep_alive || !keepAlive) return judgeHttp(hc, endpoint, await httpGet(ep, opts));
  const outcome = await keepAlive.pool.get(keepAlive.key, ep, (hc.keep_alive_seconds ?? DEFAULT_KEEP_ALIVE_SECONDS) * 1000, opts);
  const r = judgeHttp(hc, endpoint, outcome, outcome.reused);
  // The next check after any failure proves again that the listener accepts connections.
  if (r.health !== 'healthy') keepAlive.pool.drop(keepAlive.key);
  return r;
}

/**
 * Pure: turns what happened into health, reason and the message a person reads. `reused`: the
 * answer came on a connection kept from an earlier check, which the message says.
 */
export function judgeHttp(hc: HealthCheck, endpoint: string, o: HttpOutcome, reused = false): CheckResult {
  const r = judge(hc, endpoint, o);
  if (reused && o.kind !== 'aborted') r.message += ' (kept-alive connection)';
  return r;
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

export function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
