// One key per queued notification, the same on every attempt to deliver it: ntfy's sequence id
// (what a poll finds the message by), a webhook's Idempotency-Key, a command's
// VAI_IDEMPOTENCY_KEY. Derived from what the outbox entry already holds, so it needs no storage
// and an entry written by an older vaid gets one too. Two queued notifications never share one:
// the outbox seq and the time it was queued differ even when the alert id repeats.
import { createHash } from 'node:crypto';

export function deliveryKey(e: { id: string; seq: number; createdAt: number; notification: { host: string } }): string {
  const digest = createHash('sha256').update(`${e.notification.host}\n${e.id}\n${e.seq}\n${e.createdAt}`).digest('hex');
  // ntfy's sequence ids, like topics, are [-_A-Za-z0-9]{1,64}.
  return `vai-${digest.slice(0, 24)}`;
}
