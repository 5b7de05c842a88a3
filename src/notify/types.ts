// The contract between reconcile (which decides that something is worth telling) and
// notify (which decides whether, when and how it reaches a person: cooldown, outbox, sinks).
import type { DesiredNotifier } from '../manifest/types.js';
import type { ServiceSpec } from '../manifest/schema.js';
import type { AlertRecord } from '../status/schema.js';

/**
 * 'notice': a passing check that wants a person before it fails (a certificate within
 * warn_days). It opens no incident, gets no reminder and changes nothing a failure or recovery
 * notice depends on; its id names what it is about, so it is sent once per certificate.
 * 'rolled-back': a rollout failed its verify and the previous spec runs again (no incident stays open).
 * 'source-failed': the git source (pull mode) refused a commit or cannot fetch; about vaid's
 * source, not a service (src/source/source-alert.ts): once per commit or failure streak, like a notice.
 */
export type AlertKind = 'recovery-failed' | 'crash-loop' | 'recovered' | 'reminder' | 'notice' | 'rolled-back' | 'source-failed' | 'flapping' | 'flapping-resolved' | 'self' | 'self-resolved';

/** Flapping notices are their own incident (src/notify/flapping.ts): they never open or close a failure incident. */
export function isFlapKind(kind: AlertKind): kind is 'flapping' | 'flapping-resolved' {
  return kind === 'flapping' || kind === 'flapping-resolved';
}

/** vai's own failures (src/notify/self-alerts.ts), sent to the Notifier of --notify-self. */
export function isSelfKind(kind: AlertKind): kind is 'self' | 'self-resolved' {
  return kind === 'self' || kind === 'self-resolved';
}

/** Kinds whose incident is decided where they are made: no cooldown, no failure incident, no reminder. */
export function standsAlone(kind: AlertKind): boolean {
  return isFlapKind(kind) || isSelfKind(kind);
}

export interface Alert {
  /**
   * Stable id, e.g. `minio:recovery-failed:7` (service, kind, incident sequence). The notifier
   * ignores an id it has already accepted, so a vaid killed after deciding but before
   * recording can send it again on restart without duplicating it.
   */
  id: string;
  kind: AlertKind;
  service: string;
  spec: ServiceSpec;
  /** ISO time of the decision. */
  at: string;
  /** The failing check's message and the attempt's outcome. */
  message: string;
  attempt: number;
  /** Dependents that are blocked by this service's failure. */
  dependents: string[];
  /** Why it failed, when vai found out (src/diagnosis): replaces "Manual intervention needed". */
  cause?: { reason: string; message: string; evidence: string[] };
  /** The service's manifest labels (metadata.labels): `host` names the host; sinks with labels (Alertmanager) carry them all. */
  labels?: Record<string, string>;
  /** Where the restart command runs (its manifest file's directory; host services): shown with a relative command. */
  workingDir?: string;
  /** A self alert: which of vai's own conditions, its title, since when. */
  self?: { condition: string; title: string; since: string };
}

export interface Notifier {
  /** Durably accepts an alert (cooldown applied, queued in the outbox). Resolves once on disk. */
  submit(alert: Alert): Promise<void>;
  /** Notifier targets from the manifests (name -> spec). Called on every desired-state change. */
  setTargets(targets: ReadonlyMap<string, DesiredNotifier>): void;
  /** What status.json shows under `alerts`: outbox size, dropped count, recent records (no secrets). */
  snapshot(): NotifierSnapshot;
  /**
   * Optional: the service no longer needs a person (stopped, disabled, removed): close its open
   * incident silently so no reminder follows. A 'recovered' alert closes it with a message.
   */
  closeIncident?(service: string): Promise<void>;
  /** Optional: maintenance windows and silences in force (mute.ts); alerts they cover are recorded as muted and held. */
  setMutes?(src: import('./mute.js').MuteSources): void;
  close(): Promise<void>;
}

export interface NotifierSnapshot {
  outboxSize: number;
  /** The outbox's bound (optional: notifiers without an outbox have none). */
  outboxMax?: number;
  dropped: number;
  recent: AlertRecord[];
  /**
   * Notifications sent again although vaid could not check whether an earlier attempt arrived
   * (they may have arrived twice). Optional: notifiers without an outbox have none to count.
   */
  unverifiedResends?: number;
  /** Notifiers whose last delivery showed them misconfigured (a redirect, a bad URL): alerts to them are lost until fixed. */
  configErrors?: NotifierConfigError[];
}

export interface NotifierConfigError {
  notifier: string | null;
  sink: string;
  target: string;
  message: string;
  at: string;
}

/** The /healthz reason while a Notifier is misconfigured, or null. */
export function notifierProblem(s: NotifierSnapshot): string | null {
  const errs = s.configErrors ?? [];
  if (errs.length === 0) return null;
  return errs.map((e) => `${e.notifier ? `Notifier ${e.notifier}` : 'ntfy'} (${e.sink} ${e.target}) is misconfigured: ${e.message}`).join('; ');
}
