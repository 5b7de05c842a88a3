// ntfy's publish API: POST {server}/{topic}, the message as the body, Title/Priority/Tags as
// headers, the access token as `Authorization: Bearer` (https://docs.ntfy.sh/publish/). The
// delivery key goes as X-Sequence-ID: ntfy >= 2.16 stores it with the message (a poll finds it
// by it), and its apps replace a notification of the same sequence in place instead of showing
// a second one; older servers ignore the header.
import type { Notification } from '../notification.js';
import { redactUrl } from '../redact.js';
import { httpRequest } from './http-request.js';
import type { DeliveryOutcome } from './outcome.js';
import { findOnNtfy } from './ntfy-poll.js';
import { defineSink, type RouteBase } from './sink.js';
import { ntfyUrl } from './ntfy-url.js';

export { ntfyUrl };

/** Header values must be Latin-1; ntfy decodes RFC 2047 encoded-words for anything else. */
export function headerValue(text: string): string {
  if (/^[\x20-\x7e]*$/.test(text)) return text;
  return `=?UTF-8?B?${Buffer.from(text, 'utf8').toString('base64')}?=`;
}

export interface NtfyDestination {
  server: string;
  topic: string;
  token: string | undefined;
}

export function ntfyRequest(n: Notification, token: string | undefined, key?: string): { headers: Record<string, string>; body: string } {
  const headers: Record<string, string> = {
    'Content-Type': 'text/plain; charset=utf-8',
    Title: headerValue(n.title),
    Priority: String(n.priority),
    Tags: n.tags.join(','),
  };
  if (key) headers['X-Sequence-ID'] = key;
  if (token) headers.Authorization = `Bearer ${token}`;
  return { headers, body: n.message };
}

/** The message id from ntfy's answer to a publish (its JSON message), if it has one. */
export function publishedId(answer: string): string | undefined {
  try {
    const m = JSON.parse(answer) as { id?: unknown };
    return typeof m.id === 'string' && m.id !== '' ? m.id : undefined;
  } catch {
    return undefined;
  }
}

export async function sendNtfy(
  n: Notification,
  dest: NtfyDestination,
  key: string,
  timeoutMs: number,
  nowMs: number,
  signal?: AbortSignal,
): Promise<DeliveryOutcome> {
  const { headers, body } = ntfyRequest(n, dest.token, key);
  const { outcome, answer } = await httpRequest({ url: ntfyUrl(dest.server, dest.topic), headers, body, timeoutMs, nowMs, ...(signal ? { signal } : {}) });
  if (outcome.type !== 'delivered') return outcome;
  const id = publishedId(answer);
  return id ? { ...outcome, messageId: id } : outcome;
}

export const DEFAULT_NTFY_URL = 'https://ntfy.sh';
export const DEFAULT_TOKEN_ENV = 'VAI_NTFY_TOKEN';

export interface NtfyRoute extends RouteBase {
  sink: 'ntfy';
  server: string;
  topic: string;
  tokenEnv: string;
}

export function defaultNtfyServer(env: NodeJS.ProcessEnv): string {
  return env.VAI_NTFY_URL || DEFAULT_NTFY_URL;
}

/** A bare topic on the default server: notify_on_fail that names no Notifier. */
export function topicRoute(topic: string, env: NodeJS.ProcessEnv): NtfyRoute {
  return { sink: 'ntfy', notifier: null, server: defaultNtfyServer(env), topic, tokenEnv: DEFAULT_TOKEN_ENV };
}

function destination(r: NtfyRoute, env: NodeJS.ProcessEnv): NtfyDestination {
  return { server: r.server, topic: r.topic, token: env[r.tokenEnv] || undefined };
}

export const ntfySink = defineSink<NtfyRoute>({
  type: 'ntfy',
  resolve: (n, env) => ({
    ok: true,
    route: { sink: 'ntfy', notifier: n.name, server: n.spec.server ?? defaultNtfyServer(env), topic: n.spec.topic ?? n.name, tokenEnv: n.spec.token_env ?? DEFAULT_TOKEN_ENV },
  }),
  target: (r) => redactUrl(ntfyUrl(r.server, r.topic)),
  secretEnv: (r) => [r.tokenEnv],
  urls: (r) => [r.server],
  withUrls: (r, f) => ({ ...r, server: f(r.server) }),
  send: (n, r, ctx) => sendNtfy(n, destination(r, ctx.env), ctx.key, ctx.timeoutMs, ctx.nowMs, ctx.signal),
  findEarlier: (n, r, key, sinceMs, knownIds, ctx) =>
    findOnNtfy({ key, title: n.title, message: n.message }, destination(r, ctx.env), sinceMs, knownIds, ctx.timeoutMs, ctx.nowMs, ctx.signal),
  cannotAsk: '',
  groups: true,
});
