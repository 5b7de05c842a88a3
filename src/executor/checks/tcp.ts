// The tcp check: a connection accepted within the timeout is healthy, as the seed's
// `cat < /dev/null > /dev/tcp/HOST/PORT` was.
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import type { HealthCheck } from '../../manifest/schema.js';
import type { CheckResult } from '../types.js';
import { formatDuration } from '../format.js';
import { round } from './http.js';
import { ioDeadline } from '../io-deadline.js';

export function tcpCheck(hc: HealthCheck, signal?: AbortSignal): Promise<CheckResult> {
  const host = hc.host ?? '127.0.0.1';
  const port = hc.port ?? 0;
  const target = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  return new Promise((resolve) => {
    const started = performance.now();
    let settled = false;
    const socket = net.connect(port, host);
    const finish = (r: Omit<CheckResult, 'latencyMs'>): void => {
      if (settled) return;
      settled = true;
      deadline.clear();
      signal?.removeEventListener('abort', onAbort);
      socket.destroy();
      resolve({ ...r, latencyMs: round(performance.now() - started) });
    };
    const onAbort = () => finish({ health: 'unknown', reason: 'CheckError', message: `check of ${target} cancelled` });
    const deadline = ioDeadline(
      hc.timeout_seconds * 1000,
      () => finish({ health: 'unhealthy', reason: 'Timeout', message: `timed out after ${formatDuration(hc.timeout_seconds * 1000)} connecting to ${target}` }),
    );
    signal?.addEventListener('abort', onAbort, { once: true });
    if (signal?.aborted) return onAbort();
    socket.once('connect', () =>
      finish({ health: 'healthy', reason: 'CheckPassed', message: `connected to ${target} after ${formatDuration(performance.now() - started)}` }),
    );
    socket.once('error', (err) => finish({ health: 'unhealthy', reason: 'ConnectFailed', message: err.message }));
  });
}
