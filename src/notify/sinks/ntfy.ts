// ntfy's publish API: POST {server}/{topic}, the message as the body, Title/Priority/Tags as
// headers, the access token as `Authorization: Bearer` (https://docs.ntfy.sh/publish/). The
// delivery key goes as X-Sequence-ID: ntfy >= 2.16 stores it with the message (a poll finds it
// by it), and its apps replace a notification of the same sequence in place instead of showing
// a second one; older servers ignore the header.
import type { Notification } from '../notification.js';
import { ntfyUrl } from '../route.js';
import { httpRequest } from './http-request.js';
import type { DeliveryOutcome } from './outcome.js';

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
