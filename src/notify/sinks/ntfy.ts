// ntfy's publish API: POST {server}/{topic}, the message as the body, Title/Priority/Tags as
// headers, the access token as `Authorization: Bearer` (https://docs.ntfy.sh/publish/).
import type { Notification } from '../notification.js';
import { ntfyUrl } from '../route.js';
import { httpPost } from './http-post.js';
import type { DeliveryOutcome } from './outcome.js';

/** Header values must be Latin-1; ntfy decodes RFC 2047 encoded-words for anything else. */
export function headerValue(text: string): string {
  if (/^[\x20-\x7e]*$/.test(text)) return text;
  return `=?UTF-8?B?${Buffer.from(text, 'utf8').toString('base64')}?=`;
}

export function ntfyRequest(n: Notification, token: string | undefined): { headers: Record<string, string>; body: string } {
  const headers: Record<string, string> = {
    'Content-Type': 'text/plain; charset=utf-8',
    Title: headerValue(n.title),
    Priority: String(n.priority),
    Tags: n.tags.join(','),
  };
  if (token) headers.Authorization = `Bearer ${token}`;
  return { headers, body: n.message };
}

export async function sendNtfy(
  n: Notification,
  dest: { server: string; topic: string; token: string | undefined },
  timeoutMs: number,
  nowMs: number,
  signal?: AbortSignal,
): Promise<DeliveryOutcome> {
  const { headers, body } = ntfyRequest(n, dest.token);
  const { outcome } = await httpPost({ url: ntfyUrl(dest.server, dest.topic), headers, body, timeoutMs, nowMs, ...(signal ? { signal } : {}) });
  return outcome;
}
