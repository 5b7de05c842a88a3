// Alertmanager (https://prometheus.io/docs/alerting/latest/clients/): POST {url}/api/v2/alerts
// with a list of alerts, each a label set (its identity: Alertmanager deduplicates, groups,
// silences and inhibits by labels), annotations, startsAt and endsAt. Like Prometheus, vai
// re-sends a firing alert every resend interval with endsAt = now + 4 intervals, so an alert
// whose sender died resolves by itself; a resolve notice sends the same labels with endsAt = now.
// Several URLs (an HA pair) each get every alert, as Prometheus does; one accepting is enough.
import type { Notification } from '../notification.js';
import type { AlertKind } from '../types.js';
import { redactUrl } from '../redact.js';
import { httpRequest } from './http-request.js';
import type { DeliveryOutcome } from './outcome.js';
import { defineSink, type RouteBase, type SendContext } from './sink.js';

export const DEFAULT_RESEND_SECONDS = 60;

export interface AlertmanagerRoute extends RouteBase {
  sink: 'alertmanager';
  notifier: string;
  urls: string[];
  tokenEnv: string | null;
  resendSeconds: number;
}

/** The alertname of each failure kind; a reminder re-fires the incident's alert. */
const ALERTNAME: Record<Exclude<AlertKind, 'recovered' | 'flapping-resolved' | 'self-resolved'>, string> = {
  'recovery-failed': 'VaiRecoveryFailed',
  'crash-loop': 'VaiCrashLoop',
  reminder: 'VaiRecoveryFailed',
  'rolled-back': 'VaiRolledBack',
  'source-failed': 'VaiSourceFailed',
  flapping: 'VaiFlapping',
  self: 'VaiSelf',
  // Not refreshed (no incident): it ends by itself after 4 resend intervals, a notice's life.
  notice: 'VaiWarning',
};

/** Label names Alertmanager accepts; a manifest label that is not one is left out. */
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

function labelsOf(n: Notification, alertname: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(n.labels ?? {})) {
    const name = k.replace(/[^a-zA-Z0-9_]/g, '_');
    if (LABEL_NAME.test(name)) out[name] = v;
  }
  return { ...out, alertname, service: n.service, host: n.host, severity: alertname === 'VaiFlapping' || n.kind === 'notice' || n.kind === 'source-failed' ? 'warning' : 'critical' };
}

/** The alerts one notification stands for: a failure fires one; a recovery resolves both failure alerts. */
export function alertmanagerAlerts(n: Notification, nowMs: number, resendSeconds: number): unknown[] {
  const annotations = { summary: n.title, description: n.message, code: n.code };
  if (n.kind === 'recovered') {
    const endsAt = new Date(nowMs).toISOString();
    return ['VaiRecoveryFailed', 'VaiCrashLoop'].map((a) => ({ labels: labelsOf(n, a), annotations, endsAt }));
  }
  if (n.kind === 'self-resolved') return [{ labels: labelsOf(n, 'VaiSelf'), annotations, endsAt: new Date(nowMs).toISOString() }];
  if (n.kind === 'flapping-resolved') return [{ labels: labelsOf(n, 'VaiFlapping'), annotations, endsAt: new Date(nowMs).toISOString() }];
  return [
    {
      labels: labelsOf(n, ALERTNAME[n.kind]),
      annotations,
      startsAt: n.at,
      endsAt: new Date(nowMs + 4 * resendSeconds * 1000).toISOString(),
    },
  ];
}

function postUrl(base: string): string {
  return `${base.replace(/\/+$/, '')}/api/v2/alerts`;
}

async function sendAll(n: Notification, r: AlertmanagerRoute, ctx: Pick<SendContext, 'env' | 'timeoutMs' | 'nowMs' | 'signal'>): Promise<DeliveryOutcome> {
  const body = JSON.stringify(alertmanagerAlerts(n, ctx.nowMs, r.resendSeconds));
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  if (r.tokenEnv) {
    const token = ctx.env[r.tokenEnv];
    if (!token) return { type: 'reject', reason: `environment variable ${r.tokenEnv} (token_env) is not set` };
    headers.Authorization = `Bearer ${token}`;
  }
  const outcomes = await Promise.all(
    r.urls.map((u) => httpRequest({ url: postUrl(u), headers, body, timeoutMs: ctx.timeoutMs, nowMs: ctx.nowMs, signal: ctx.signal }).then((a) => ({ url: u, ...a.outcome }))),
  );
  const ok = outcomes.filter((o) => o.type === 'delivered');
  const why = outcomes
    .filter((o) => o.type !== 'delivered')
    .map((o) => `${redactUrl(o.url)}: ${'reason' in o ? o.reason : ''}`)
    .join('; ');
  if (ok.length > 0) return { type: 'delivered', detail: `accepted by ${ok.length} of ${r.urls.length} Alertmanager${r.urls.length === 1 ? '' : 's'}${why ? ` (${why})` : ''}` };
  const rejects = outcomes.filter((o) => o.type === 'reject');
  if (rejects.length === outcomes.length) return { type: 'reject', reason: why, ...(rejects.some((o) => o.type === 'reject' && o.config) ? { config: true as const } : {}) };
  return { type: 'retry', reason: why };
}

export const alertmanagerSink = defineSink<AlertmanagerRoute>({
  type: 'alertmanager',
  resolve: (n) => {
    const urls = n.spec.urls ?? [];
    if (urls.length === 0) return { ok: false, error: `Notifier "${n.name}" (alertmanager) has no urls` };
    return { ok: true, route: { sink: 'alertmanager', notifier: n.name, urls: [...urls], tokenEnv: n.spec.token_env ?? null, resendSeconds: n.spec.resend_seconds ?? DEFAULT_RESEND_SECONDS } };
  },
  target: (r) => r.urls.map(redactUrl).join(','),
  secretEnv: (r) => (r.tokenEnv ? [r.tokenEnv] : []),
  urls: (r) => r.urls,
  withUrls: (r, f) => ({ ...r, urls: r.urls.map(f) }),
  send: (n, r, ctx) => sendAll(n, r, ctx),
  // Alertmanager merges alerts with the same labels into one: a repeat is harmless, so an
  // uncertain earlier attempt is simply sent again and not counted as an unverified resend.
  findEarlier: async () => ({ type: 'absent' }),
  cannotAsk: '',
  refreshSeconds: (r) => r.resendSeconds,
});
