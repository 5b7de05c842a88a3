// The certificate check: a TLS handshake with an endpoint, and what its certificate says: who
// issued it, for whom, until when. Expired, untrusted or for another name is unhealthy; within
// fail_days of expiry unhealthy (CertificateExpiring); within warn_days healthy with a warning
// (a Warning event and a notice, no restart). The handshake verifies against the system's CAs, or
// ca_file for a private CA; nothing is sent after it.
import net from 'node:net';
import tls, { type PeerCertificate } from 'node:tls';
import { performance } from 'node:perf_hooks';
import type { HealthCheck } from '../../manifest/schema.js';
import type { CheckResult } from '../types.js';
import { formatDuration, round } from '../format.js';
import { ioDeadline } from '../io-deadline.js';
import type { CheckType, TypeBuilder } from './check-type.js';
import { CA_FILE_FIELD, ENDPOINT_FIELD, pemOf } from './http.js';
import { HOST_PORT_FIELDS } from './tcp.js';
import { hostPort, redactUrl } from './words.js';

export const DEFAULT_WARN_DAYS = 14;
export const DEFAULT_FAIL_DAYS = 3;
const DAY_MS = 86_400_000;

const CERTIFICATE_FIELDS = (Type: TypeBuilder) => ({
  ...ENDPOINT_FIELD(Type),
  ...HOST_PORT_FIELDS(Type),
  ...CA_FILE_FIELD(Type),
  server_name: Type.Optional(Type.String({ minLength: 1, maxLength: 253, description: 'certificate: the name sent in SNI and checked against the certificate (default: the host, unless it is an IP address).' })),
  warn_days: Type.Optional(Type.Number({ minimum: 0, maximum: 3650, description: `certificate: fewer days than this left: a Warning event and a notice, no restart (default ${DEFAULT_WARN_DAYS}).` })),
  fail_days: Type.Optional(Type.Number({ minimum: 0, maximum: 3650, description: `certificate: fewer days than this left: unhealthy, CertificateExpiring (default ${DEFAULT_FAIL_DAYS}).` })),
});

export interface TlsTarget {
  host: string;
  port: number;
  /** SNI and the name to verify; null for a bare IP address. */
  serverName: string | null;
  /** How messages name it. */
  display: string;
}

export function tlsTarget(hc: HealthCheck): TlsTarget | string {
  if (hc.endpoint !== undefined) {
    let u: URL;
    try {
      u = new URL(hc.endpoint);
    } catch {
      return `invalid URL ${JSON.stringify(redactUrl(hc.endpoint))}`;
    }
    if (u.protocol !== 'https:') return `a certificate endpoint must be https://, got ${u.protocol}`;
    const host = u.hostname.startsWith('[') ? u.hostname.slice(1, -1) : u.hostname;
    const port = u.port ? Number(u.port) : 443;
    return { host, port, serverName: hc.server_name ?? (net.isIP(host) ? null : host), display: hostPort(host, port) };
  }
  const host = hc.host ?? '127.0.0.1';
  const port = hc.port ?? 443;
  return { host, port, serverName: hc.server_name ?? (net.isIP(host) ? null : host), display: hostPort(host, port) };
}

export interface CertFacts {
  subject: string;
  issuer: string;
  validTo: number;
  /** The handshake's verdict: null when the chain is trusted. */
  authorizationError: string | null;
  /** Name mismatch found by checkServerIdentity, or null. */
  nameError: string | null;
}

function name(n: PeerCertificate['subject'] | undefined): string {
  if (!n) return '<none>';
  const cn = n.CN;
  const o = n.O;
  return [cn, o && o !== cn ? `O=${o}` : ''].filter(Boolean).join(', ') || '<none>';
}

/** Pure: what the handshake showed, judged at wall time `now`. */
export function judgeCertificate(hc: HealthCheck, where: string, f: CertFacts, now: number, latencyMs: number): CheckResult {
  const daysLeft = (f.validTo - now) / DAY_MS;
  const days = Math.floor(daysLeft);
  const about = `certificate of ${where}: subject ${f.subject}, issuer ${f.issuer}, expires ${new Date(f.validTo).toISOString()}`;
  if (daysLeft < 0) return { health: 'unhealthy', reason: 'CertificateExpired', message: `${about}, expired ${Math.floor(-daysLeft)} days ago`, latencyMs };
  if (f.nameError !== null) return { health: 'unhealthy', reason: 'CertificateInvalid', message: `${about} (${days} days left), ${f.nameError}`, latencyMs };
  if (f.authorizationError !== null) return { health: 'unhealthy', reason: 'CertificateInvalid', message: `${about} (${days} days left), not trusted: ${f.authorizationError}`, latencyMs };
  const failDays = hc.fail_days ?? DEFAULT_FAIL_DAYS;
  const warnDays = hc.warn_days ?? DEFAULT_WARN_DAYS;
  if (daysLeft < failDays) return { health: 'unhealthy', reason: 'CertificateExpiring', message: `${about}, ${days} days left (fail_days ${failDays})`, latencyMs };
  const message = `${about}, ${days} days left`;
  if (daysLeft < warnDays) {
    const warning = `certificate of ${where} (subject ${f.subject}) expires in ${days} days, at ${new Date(f.validTo).toISOString()} (warn_days ${warnDays})`;
    // Keyed by the expiry: one notice per certificate, a renewed one that is short again is news.
    return { health: 'healthy', reason: 'CheckPassed', message, latencyMs, warning, warningKey: `CertificateExpiring:${new Date(f.validTo).toISOString()}` };
  }
  return { health: 'healthy', reason: 'CheckPassed', message, latencyMs };
}

/** The handshake alone; never throws. */
export function fetchCertificate(t: TlsTarget, opts: { ca?: Buffer | undefined; timeoutMs: number; signal?: AbortSignal | undefined }): Promise<CertFacts | { error: string; timedOut: boolean }> {
  return new Promise((resolve) => {
    let settled = false;
    const socket = tls.connect({ host: t.host, port: t.port, servername: t.serverName ?? undefined, ca: opts.ca, rejectUnauthorized: false });
    const finish = (r: CertFacts | { error: string; timedOut: boolean }): void => {
      if (settled) return;
      settled = true;
      deadline.clear();
      opts.signal?.removeEventListener('abort', onAbort);
      socket.destroy();
      resolve(r);
    };
    const onAbort = (): void => finish({ error: 'cancelled', timedOut: false });
    const deadline = ioDeadline(opts.timeoutMs, () => finish({ error: `timed out after ${formatDuration(opts.timeoutMs)}`, timedOut: true }));
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    socket.once('secureConnect', () => {
      const cert = socket.getPeerCertificate();
      if (!cert || !cert.valid_to) return finish({ error: 'the server sent no certificate', timedOut: false });
      const authErr = socket.authorizationError;
      const nameErr = t.serverName === null ? undefined : tls.checkServerIdentity(t.serverName, cert);
      finish({
        subject: name(cert.subject),
        issuer: name(cert.issuer),
        validTo: Date.parse(cert.valid_to),
        authorizationError: socket.authorized ? null : String(authErr ?? 'unknown'),
        nameError: nameErr ? nameErr.message : null,
      });
    });
    socket.once('error', (e) => finish({ error: e.message, timedOut: false }));
  });
}

export const CERTIFICATE: CheckType<'certificate', ReturnType<typeof CERTIFICATE_FIELDS>> = {
  type: 'certificate',
  summary: 'certificate: the TLS certificate of endpoint (or host:port) is trusted, for its name, and not near expiry',
  fields: CERTIFICATE_FIELDS,
  required: [],
  host: async ({ hc, target, now, signal }) => {
    const started = performance.now();
    const t = tlsTarget(hc);
    if (typeof t === 'string') return { health: 'unknown', reason: 'CheckError', message: t, latencyMs: 0 };
    const ca = pemOf('ca_file', hc.ca_file, target.workingDir);
    if (typeof ca === 'string') return { health: 'unknown', reason: 'CheckError', message: ca, latencyMs: 0 };
    const timeoutMs = hc.timeout_seconds * 1000;
    const f = await fetchCertificate(t, { ca, timeoutMs, signal });
    const ms = round(performance.now() - started);
    if ('error' in f) {
      if (signal?.aborted) return { health: 'unknown', reason: 'CheckError', message: `check of ${t.display} cancelled`, latencyMs: ms };
      return { health: 'unhealthy', reason: f.timedOut ? 'Timeout' : 'ConnectFailed', message: `TLS handshake with ${t.display}: ${f.error}`, latencyMs: ms };
    }
    return judgeCertificate(hc, t.display, f, now(), ms);
  },
  container: { unsupported: 'check the certificate from the host, at the port the container publishes (drop spec.container)' },
  target: (hc) => {
    const t = tlsTarget(hc);
    return `certificate ${typeof t === 'string' ? '?' : t.display}`;
  },
  sentence: (hc) => {
    const t = tlsTarget(hc);
    const where = typeof t === 'string' ? '?' : `${t.display}${t.serverName && t.serverName !== t.host ? ` (SNI ${t.serverName})` : ''}`;
    const ca = hc.ca_file ? `, trusting ${hc.ca_file}` : '';
    return `TLS certificate of ${where} valid${ca}; warn under ${hc.warn_days ?? DEFAULT_WARN_DAYS} days left, fail under ${hc.fail_days ?? DEFAULT_FAIL_DAYS}`;
  },
  alertText: (hc) => {
    const t = tlsTarget(hc);
    return `TLS certificate of ${typeof t === 'string' ? '?' : t.display}`;
  },
  loopbackTarget: (hc) => {
    const t = tlsTarget(hc);
    return typeof t === 'string' ? t : { host: t.host, port: t.port };
  },
  rules: (hc) => {
    const out: { path: string[]; at: 'key' | 'value'; message: string }[] = [];
    if (hc.endpoint === undefined && hc.port === undefined) out.push({ path: ['type'], at: 'value', message: 'a certificate check needs endpoint (https://host:port/) or host and port' });
    // host has a schema default (127.0.0.1), so only port tells that both were written.
    if (hc.endpoint !== undefined && hc.port !== undefined) out.push({ path: ['port'], at: 'key', message: 'name the TLS endpoint once: endpoint, or host and port' });
    if (hc.endpoint !== undefined) {
      const t = tlsTarget(hc);
      if (typeof t === 'string') out.push({ path: ['endpoint'], at: 'value', message: t });
    }
    const warn = hc.warn_days ?? DEFAULT_WARN_DAYS;
    const fail = hc.fail_days ?? DEFAULT_FAIL_DAYS;
    if (fail > warn) out.push({ path: [hc.fail_days !== undefined ? 'fail_days' : 'warn_days'], at: 'value', message: `fail_days (${fail}) must not exceed warn_days (${warn})` });
    return out;
  },
};
