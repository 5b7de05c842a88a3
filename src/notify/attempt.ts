// One delivery attempt that does not repeat a notification that already arrived. When an
// earlier attempt may have reached the destination (vaid was killed while it was out, or its
// answer never came), ntfy is asked first and a message found there counts as delivered.
// Before the request leaves, the attempt is marked in doubt on disk, so a vaid killed meanwhile
// asks on its next start instead of sending blind. Where the server cannot be asked (the poll
// fails, or the sink is a webhook or command) it is sent again with the same key: at least once
// stays the floor, and the caller counts the resend.
import type { OutboxEntry } from './outbox-store.js';
import type { Route } from './route.js';
import type { DeliveryOutcome } from './sinks/outcome.js';
import type { PollResult } from './sinks/ntfy-poll.js';
import { deliveryKey } from './delivery-key.js';

export interface Attempt {
  outcome: DeliveryOutcome;
  /** Why it was sent without knowing whether an earlier attempt had arrived (null: it was known). */
  unverified: string | null;
  /** inDoubtSince to keep if the attempt is to be retried. */
  doubt: number | null;
}

export interface AttemptDeps {
  timeoutMs: number;
  now(): number;
  /** Asks the destination whether an earlier attempt arrived; a string: it cannot be asked (why, and how a receiver drops the repeat). */
  findEarlier(entry: OutboxEntry, route: Route, key: string, sinceMs: number, signal: AbortSignal): Promise<PollResult> | string;
  /** Writes the entry (with its inDoubtSince) durably. */
  persist(entry: OutboxEntry): Promise<void>;
  send(entry: OutboxEntry, route: Route, key: string, signal: AbortSignal): Promise<DeliveryOutcome>;
}

export async function attemptDelivery(entry: OutboxEntry, route: Route, signal: AbortSignal, deps: AttemptDeps): Promise<Attempt> {
  const key = deliveryKey(entry);
  let doubt = entry.inDoubtSince ?? null;
  let unverified: string | null = null;
  if (doubt !== null) {
    const asked = deps.findEarlier(entry, route, key, doubt, signal);
    if (typeof asked === 'string') unverified = asked;
    else {
      const r = await asked;
      if (r.type === 'found') {
        return { outcome: { type: 'delivered', detail: `an earlier attempt arrived (${route.sink} message ${r.messageId}); not sent again`, messageId: r.messageId }, unverified: null, doubt };
      }
      if (r.type === 'absent') doubt = null;
      else unverified = r.reason;
    }
  }
  if (signal.aborted) return { outcome: { type: 'retry', reason: 'aborted: the notifier is closing' }, unverified: null, doubt: entry.inDoubtSince ?? null };
  const mark = doubt ?? deps.now();
  if (entry.inDoubtSince !== mark) {
    entry.inDoubtSince = mark;
    await deps.persist(entry);
  }
  const outcome = await deps.send(entry, route, key, signal);
  // An answer showing this attempt did not arrive leaves only the earlier doubt, if any.
  return { outcome, unverified, doubt: outcome.type === 'retry' && outcome.unsent ? doubt : mark };
}
