// Recent events of a service, as kubectl describe shows them: a repeat of the same type,
// reason and message folds into one entry with a count; the list keeps the latest MAX_EVENTS.
import type { StatusEvent } from './schema.js';
import type { CauseReason } from '../diagnosis/cause.js';

export const MAX_EVENTS = 50;

/** Event reasons are constants so that tools and people can grep for them. */
export const EventReason = {
  /** Rollout of spec changes (src/reconcile/rollout.ts). */
  RollingOut: 'RollingOut',
  RolledOut: 'RolledOut',
  RolloutFailed: 'RolloutFailed',
  RolledBack: 'RolledBack',
  RolloutPinned: 'RolloutPinned',
  RolloutWaiting: 'RolloutWaiting',
  CheckFailed: 'CheckFailed',
  CheckPassed: 'CheckPassed',
  /** A passing check that wants attention (a certificate within warn_days); never acted on. */
  CheckWarning: 'CheckWarning',
  /** The warning a notice was sent for no longer holds (the certificate was renewed). */
  CheckWarningCleared: 'CheckWarningCleared',
  ExecutorUnavailable: 'ExecutorUnavailable',
  WaitingForDependency: 'WaitingForDependency',
  Restarting: 'Restarting',
  Stopping: 'Stopping',
  CommandFailed: 'CommandFailed',
  CommandDegraded: 'CommandDegraded',
  RestartUnavailable: 'RestartUnavailable',
  Recovered: 'Recovered',
  RecoveryFailed: 'RecoveryFailed',
  BackOff: 'BackOff',
  BackOffReset: 'BackOffReset',
  NoRestartCommand: 'NoRestartCommand',
  ManuallyStopped: 'ManuallyStopped',
  ManualStopCleared: 'ManualStopCleared',
  Disabled: 'Disabled',
  Enabled: 'Enabled',
  SpecChanged: 'SpecChanged',
  RestartRequested: 'RestartRequested',
  ResumedRecovery: 'ResumedRecovery',
  Notified: 'Notified',
  /** The service's process outlived stop_timeout_seconds after stop_cmd: SIGCONT and SIGKILL sent. */
  StopEscalated: 'StopEscalated',
  PidFileStale: 'PidFileStale',
  StartupTooSlow: 'StartupTooSlow',
  /** A maintenance window or silence began covering the service (alerts muted; with pause, no action either). */
  MaintenanceStarted: 'MaintenanceStarted',
  MaintenanceEnded: 'MaintenanceEnded',
  /** Restarted often although each restart recovered it (src/notify/flapping.ts). */
  Flapping: 'Flapping',
  FlappingResolved: 'FlappingResolved',
  /** restart, stop or start asked over vaid's endpoint with the write token: from where, by whom (web/actions). */
  RemoteAction: 'RemoteAction',
} as const;
export type EventReason = (typeof EventReason)[keyof typeof EventReason];

export interface NewEvent {
  type: 'Normal' | 'Warning';
  /** An event reason, or a failure's cause (src/diagnosis/cause.ts) as the reason of its event. */
  reason: EventReason | CauseReason;
  message: string;
}

/** Returns a new list with the event recorded (folded into an equal one, moved last). */
export function recordEvent(events: readonly StatusEvent[], e: NewEvent, now: string): StatusEvent[] {
  const i = events.findIndex((x) => x.type === e.type && x.reason === e.reason && x.message === e.message);
  const out = events.slice();
  let entry: StatusEvent;
  if (i >= 0) {
    const old = out.splice(i, 1)[0]!;
    entry = { ...old, count: old.count + 1, lastTime: now };
  } else {
    entry = { type: e.type, reason: e.reason, message: e.message, count: 1, firstTime: now, lastTime: now };
  }
  out.push(entry);
  return out.length > MAX_EVENTS ? out.slice(out.length - MAX_EVENTS) : out;
}
