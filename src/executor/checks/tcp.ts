// The tcp check: a connection accepted within the timeout is healthy, as the seed's
// `cat < /dev/null > /dev/tcp/HOST/PORT` was.
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import type { HealthCheck } from '../../manifest/schema.js';
import type { CheckResult } from '../types.js';
import { formatDuration, round } from '../format.js';
import { ioDeadline } from '../io-deadline.js';
import { TCP_PROBE } from '../docker-scripts.js';
import { judgeProbe, unknown } from '../container-probe.js';
import type { CheckType, TypeBuilder } from './check-type.js';

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

const TCP_FIELDS = (Type: TypeBuilder) => ({
  host: Type.Optional(Type.String({ minLength: 1, maxLength: 253, default: '127.0.0.1', description: 'tcp, certificate: host to connect to.' })),
  port: Type.Optional(Type.Integer({ minimum: 1, maximum: 65535, description: 'tcp, certificate: port to connect to.' })),
});
/** host and port, shared with the certificate check (a field two types share has one schema). */
export { TCP_FIELDS as HOST_PORT_FIELDS };

export const TCP: CheckType<'tcp', ReturnType<typeof TCP_FIELDS>> = {
  type: 'tcp',
  summary: 'tcp: connect host:port',
  fields: TCP_FIELDS,
  required: ['port'],
  host: ({ hc, signal }) => tcpCheck(hc, signal),
  container: async ({ hc, container, probe }) => {
    const o = await probe(TCP_PROBE, { VAI_TCP_HOST: hc.host ?? '127.0.0.1', VAI_TCP_PORT: String(hc.port ?? 0) }, hc.timeout_seconds * 1000);
    if (o.kind === 'failed') return unknown(o.reason, o.message, o.durationMs);
    const where = `${hc.host ?? '127.0.0.1'}:${hc.port} in container ${container}`;
    return judgeProbe(o, hc, where, `connected to ${where}`, 'ConnectFailed');
  },
  target: (hc) => `tcp ${hc.host ?? '127.0.0.1'}:${hc.port ?? '?'}`,
  sentence: (hc) => `TCP connect to ${hc.host ?? '127.0.0.1'}:${hc.port ?? '?'}`,
  alertText: (hc) => `TCP connect ${hc.host ?? '127.0.0.1'}:${hc.port ?? '?'}`,
  loopbackTarget: (hc) => ({ host: hc.host ?? '127.0.0.1', port: hc.port ?? 0 }),
};
