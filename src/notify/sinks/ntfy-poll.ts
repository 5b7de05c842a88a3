// Did an earlier attempt reach ntfy? Asked before sending again whenever an attempt's fate is
// unknown (vaid was killed, the answer timed out or broke off): GET {server}/{topic}/json?poll=1
// &since=T returns the topic's cached messages, one JSON message per line
// (https://docs.ntfy.sh/subscribe/api/#poll-for-messages). Ours is the one whose `sequence_id`
// is our delivery key (ntfy >= 2.16). A server before 2.16 echoes no sequence id; then ours is
// the one with our exact title and body that is not a message this outbox already knows it
// delivered (their ids are kept), so an earlier alert with the same text is not taken for it.
import { ntfyUrl } from './ntfy-url.js';
import { httpRequest } from './http-request.js';
import type { NtfyDestination } from './ntfy.js';

export type PollResult = { type: 'found'; messageId: string } | { type: 'absent' } | { type: 'unknown'; reason: string };

/**
 * ntfy stamps messages with its own clock, in whole seconds: the window starts this much before
 * the first uncertain attempt so a server clock a little behind ours still shows the message.
 */
export const CLOCK_SLACK_SECONDS = 10;
/** A topic's messages in the window; more than this and the answer is not trusted as complete. */
const MAX_POLL_BYTES = 1 << 20;

export interface Wanted {
  key: string;
  title: string;
  message: string;
}

/** Pure: finds our message among the NDJSON lines of a poll. */
export function matchPublished(ndjson: string, want: Wanted, knownIds: ReadonlySet<string>): PollResult {
  for (const line of ndjson.split('\n')) {
    if (line.trim() === '') continue;
    let m: Record<string, unknown>;
    try {
      m = JSON.parse(line) as Record<string, unknown>;
    } catch {
      return { type: 'unknown', reason: 'the poll answer is not ntfy JSON' };
    }
    if (m.event !== 'message' || typeof m.id !== 'string') continue;
    if (typeof m.sequence_id === 'string') {
      if (m.sequence_id === want.key) return { type: 'found', messageId: m.id };
      continue;
    }
    if (knownIds.has(m.id)) continue;
    const title = typeof m.title === 'string' ? m.title : '';
    const body = typeof m.message === 'string' ? m.message : '';
    if (title === want.title && body.trim() === want.message.trim()) return { type: 'found', messageId: m.id };
  }
  return { type: 'absent' };
}

export function pollUrl(server: string, topic: string, sinceMs: number): string {
  const since = Math.max(1, Math.floor(sinceMs / 1000) - CLOCK_SLACK_SECONDS);
  return `${ntfyUrl(server, topic)}/json?poll=1&since=${since}`;
}

export async function findOnNtfy(
  want: Wanted,
  dest: NtfyDestination,
  sinceMs: number,
  knownIds: ReadonlySet<string>,
  timeoutMs: number,
  nowMs: number,
  signal?: AbortSignal,
): Promise<PollResult> {
  const headers: Record<string, string> = { Accept: 'application/x-ndjson' };
  if (dest.token) headers.Authorization = `Bearer ${dest.token}`;
  const r = await httpRequest({
    method: 'GET',
    url: pollUrl(dest.server, dest.topic, sinceMs),
    headers,
    timeoutMs,
    nowMs,
    maxAnswerBytes: MAX_POLL_BYTES,
    ...(signal ? { signal } : {}),
  });
  if (r.outcome.type !== 'delivered') return { type: 'unknown', reason: `poll: ${r.outcome.reason}` };
  if (r.truncated) return { type: 'unknown', reason: `poll: more than ${MAX_POLL_BYTES} bytes of messages in the window` };
  return matchPublished(r.answer, want, knownIds);
}
