// Grouping: notifications queued for one destination within its Notifier's group_wait go out as
// one message. Pure: which entries join the head's group, and the one message they make.
//
// Each alert keeps its own outbox entry, written when it is accepted (so a kill -9 during the
// wait loses nothing). The group is formed when the head of a destination is first due and is
// written into the head's entry before anything is sent: from then on the head is the one outbox
// record of the grouped message (one delivery key, one poll, one Message-ID), and its members
// are finished with it. A crash before that write forms the group again from the same entries.
import type { Notification } from './notification.js';
import { levelOf } from './priority.js';
import { isFailureKind } from './truth.js';

export const DEFAULT_GROUP_WAIT_SECONDS = 5;
/** A message naming more services than this would not be read: the rest wait for the next. */
export const MAX_GROUP = 20;

export interface GroupCandidate {
  seq: number;
  service: string;
  destination: string;
  createdAt: number;
  attempts: number;
  inDoubtSince?: number | null;
  /** The end of the wait its head holds for others (createdAt + group_wait); absent: sent alone. */
  groupUntil?: number;
  /** Set once the group is formed: the seqs of the other entries it carries. */
  group?: { seqs: number[] };
}

/** When the head may go: after its wait, unless it was already tried (then the retry time rules). */
export function dueAt(e: GroupCandidate & { nextAttemptAt: number }): number {
  if (e.attempts > 0 || e.inDoubtSince != null || e.groupUntil === undefined) return e.nextAttemptAt;
  return Math.max(e.nextAttemptAt, e.groupUntil);
}

/**
 * The entries that join `head`'s message, in queue order, not counting the head. Only a head never
 * tried forms a group (a message that may have gone out is never changed); only entries never
 * tried join it, queued for the same destination before its wait ended. An empty answer: the head
 * goes alone, exactly as without grouping.
 */
export function pickGroup(head: GroupCandidate, queue: readonly GroupCandidate[]): number[] {
  if (head.group) return head.group.seqs;
  if (head.groupUntil === undefined || head.attempts > 0 || head.inDoubtSince != null) return [];
  const out: number[] = [];
  // One notice per service: a second one for a service (its Crash Loop after its Recovery
  // Failed) keeps its own title and goes next, so the count in the title counts services.
  const services = new Set([head.service]);
  for (const e of queue) {
    if (out.length >= MAX_GROUP - 1) break;
    if (e.seq === head.seq || e.destination !== head.destination || services.has(e.service)) continue;
    if (e.attempts > 0 || e.inDoubtSince != null || e.group) continue;
    if (e.createdAt < head.createdAt || e.createdAt > head.groupUntil) continue;
    services.add(e.service);
    out.push(e.seq);
  }
  return out;
}

/** `minio Recovery Failed on vps1` -> `Recovery Failed` (format.ts writes `SERVICE KIND on HOST`). */
function kindWords(n: Notification): string {
  let t = n.title;
  if (t.startsWith(`${n.service} `)) t = t.slice(n.service.length + 1);
  if (t.endsWith(` on ${n.host}`)) t = t.slice(0, -` on ${n.host}`.length);
  return t;
}

/** `Cause: PortInUse: ...` in the body -> `PortInUse`. */
function causeOf(n: Notification): string | null {
  return /^Cause: ([A-Za-z]+):/m.exec(n.message)?.[1] ?? null;
}

function headline(parts: readonly Notification[], host: string): { title: string; lead: string } {
  const count = new Set(parts.map((p) => p.service)).size;
  const noun = count === 1 ? 'service' : 'services';
  const allFailed = parts.every((p) => isFailureKind(p.kind));
  const allRecovered = parts.every((p) => p.kind === 'recovered' || p.kind === 'flapping-resolved');
  const title = allFailed ? `${count} ${noun} failed on ${host}` : allRecovered ? `${count} ${noun} recovered on ${host}` : `${parts.length} alerts for ${count} ${noun} on ${host}`;
  const common = new Set(parts.map(kindWords)).size === 1;
  const named = parts.map((p) => {
    const cause = causeOf(p);
    if (cause) return `${p.service} (${kindWords(p)}: ${cause})`;
    return common ? p.service : `${p.service} (${kindWords(p)})`;
  });
  return { title, lead: `${title}: ${named.join(', ')}` };
}

/**
 * The one message of a group: the count in the title, a first line naming every service (with
 * its cause when known), then each notification's own text. Its priority and tags are those of
 * the most urgent part; its id and time are the head's.
 */
export function groupedNotification(parts: readonly Notification[]): Notification {
  const head = parts[0]!;
  if (parts.length === 1) return head;
  const top = parts.reduce((a, b) => (b.priority > a.priority ? b : a));
  const hosts = [...new Set(parts.map((p) => p.host))];
  const host = hosts.join(', ');
  const { title, lead } = headline(parts, host);
  const body = [lead, '', ...parts.flatMap((p, i) => [...(i > 0 ? ['', '---', ''] : []), p.title, p.message])].join('\n');
  return {
    ...head,
    kind: top.kind,
    code: top.code,
    title,
    priority: top.priority,
    level: levelOf(top.kind).level,
    tags: [...top.tags, 'grouped'],
    message: body,
    dependents: [...new Set(parts.flatMap((p) => p.dependents))],
    host,
  };
}
