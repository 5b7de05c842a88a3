// notify: sinks (ntfy, webhook, command), cooldown, reminders and the durable outbox.
// Imports manifest and status types only; never reconcile, executor or cli.
import { DurableNotifier, type NotifierOptions } from './notifier.js';
import type { Notifier } from './types.js';

export type { Alert, AlertKind, Notifier, NotifierSnapshot, NotifierConfigError } from './types.js';
export { notifierProblem } from './types.js';
export type { NotifierOptions, Clock } from './notifier.js';
export type { Notification } from './notification.js';
export { formatAlert } from './format.js';
export { LEVELS } from './priority.js';
export { readAlertRecords } from './read-records.js';

/** Opens (or creates) the outbox in `opts.outboxDir` and resumes undelivered notifications. */
export async function createNotifier(opts: NotifierOptions): Promise<Notifier & { closeIncident(service: string): Promise<void> }> {
  return DurableNotifier.open(opts);
}
