// A generic webhook: the notification as JSON, POSTed with headers whose values come from
// environment variables named in the Notifier (header_env), so no secret lives in git. Every
// attempt for one notification carries the same Idempotency-Key (the IETF httpapi draft's
// header, as Stripe and others take it): a receiver that keeps the keys it has seen drops a
// repeat sent after vaid could not learn whether the first one arrived.
import type { Notification } from '../notification.js';
import { httpRequest } from './http-request.js';
import type { DeliveryOutcome } from './outcome.js';
import { redactUrl } from '../redact.js';
import { defineSink, type RouteBase } from './sink.js';

export function webhookPayload(n: Notification, target: string): string {
  return JSON.stringify({
    id: n.id,
    service: n.service,
    event: n.kind,
    code: n.code,
    title: n.title,
    priority: n.priority,
    level: n.level,
    tags: n.tags,
    message: n.message,
    at: n.at,
    attempt: n.attempt,
    dependents: n.dependents,
    host: n.host,
    target,
  });
}

export async function sendWebhook(
  n: Notification,
  dest: { url: string; headerEnv: Record<string, string>; target: string },
  key: string,
  env: NodeJS.ProcessEnv,
  timeoutMs: number,
  nowMs: number,
  signal?: AbortSignal,
): Promise<DeliveryOutcome> {
  const headers: Record<string, string> = { 'Content-Type': 'application/json', 'Idempotency-Key': key };
  for (const [name, varName] of Object.entries(dest.headerEnv)) {
    const v = env[varName];
    if (v === undefined || v === '') return { type: 'reject', reason: `header ${name}: environment variable ${varName} is not set` };
    headers[name] = v;
  }
  const { outcome } = await httpRequest({ url: dest.url, headers, body: webhookPayload(n, dest.target), timeoutMs, nowMs, ...(signal ? { signal } : {}) });
  return outcome;
}

export interface WebhookRoute extends RouteBase {
  sink: 'webhook';
  notifier: string;
  url: string;
  headerEnv: Record<string, string>;
}

export const webhookSink = defineSink<WebhookRoute>({
  type: 'webhook',
  resolve: (n) => (n.spec.url ? { ok: true, route: { sink: 'webhook', notifier: n.name, url: n.spec.url, headerEnv: { ...(n.spec.header_env ?? {}) } } } : { ok: false, error: `Notifier "${n.name}" (webhook) has no url` }),
  target: (r) => redactUrl(r.url),
  secretEnv: (r) => Object.values(r.headerEnv),
  urls: (r) => [r.url],
  withUrls: (r, f) => ({ ...r, url: f(r.url), headerEnv: { ...r.headerEnv } }),
  send: (n, r, ctx) => sendWebhook(n, { url: r.url, headerEnv: r.headerEnv, target: redactUrl(r.url) }, ctx.key, ctx.env, ctx.timeoutMs, ctx.nowMs, ctx.signal),
  cannotAsk: 'a webhook cannot be asked; its receiver can drop the repeat by its Idempotency-Key',
});
