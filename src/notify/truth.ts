// What the person must be told. A cooldown folds repeats of one state (a second `crash-loop`
// for minio within 15 min says nothing new); it never hides a change of state: a failure after
// a `recovered` notice, or a `recovered` after a failure notice, goes out whatever the cooldown.
// Pure: the notifier and the simulation's notifier both decide with it.
import { standsAlone, type AlertKind } from './types.js';
import { checkCooldown } from './cooldown.js';

/** The last notice accepted for delivery to a person for one service. */
export interface Told {
  kind: AlertKind;
  at: number;
}

export type NoticeDecision = { send: true } | { send: false; reason: string };

export interface NoticeInput {
  kind: AlertKind;
  /** The last notice told about this service (undefined: never told). */
  told: Told | undefined;
  /** When the last notice of this kind for this service was accepted. */
  lastOfKindAt: number | undefined;
  /** A failure notice is open (no resolve notice yet). */
  incidentOpen: boolean;
  cooldownSeconds: number;
  now: number;
}

/** A reminder repeats the failure it reminds of: it changes nothing the person believes. */
export function isFailureKind(kind: AlertKind): boolean {
  return kind !== 'recovered' && kind !== 'notice' && kind !== 'source-failed' && !standsAlone(kind);
}

/**
 * Whether accepting it changes what the person was told of the service's state. A reminder
 * repeats that state; a notice (a certificate within warn_days) is about the service while it
 * works, so a failure after it, or a resolve after an earlier failure, is decided as without it.
 * Flapping and self notices are their own incidents and change nothing of it either.
 */
export function changesTold(kind: AlertKind): boolean {
  return kind !== 'reminder' && kind !== 'notice' && kind !== 'source-failed' && !standsAlone(kind);
}

export function decideNotice(i: NoticeInput): NoticeDecision {
  // A notice's id names its certificate (a source alert's, its commit or failure streak): the
  // notifier's idempotence is its once-only rule. The planner decides one Flapping and one
  // resolve per incident (ids from status): each is news.
  if (i.kind === 'reminder' || i.kind === 'notice' || i.kind === 'source-failed' || standsAlone(i.kind)) return { send: true };
  if (i.kind === 'recovered') {
    // A resolve notice answers a failure notice that went out; it is news only to someone told of a failure.
    if (i.incidentOpen || (i.told !== undefined && isFailureKind(i.told.kind))) return { send: true };
    return { send: false, reason: 'no failure notice was sent for this incident' };
  }
  // Only a repeat of what the person was last told can be folded.
  if (i.told?.kind !== i.kind) return { send: true };
  const c = checkCooldown(i.lastOfKindAt, i.cooldownSeconds, i.now);
  if (c.allowed) return { send: true };
  return { send: false, reason: `cooldown: one ${i.kind} per ${i.cooldownSeconds} s; next allowed at ${new Date(c.until).toISOString()}` };
}
