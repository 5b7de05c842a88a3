// The sink-agnostic notification: what a person reads. Built once when an alert is accepted
// and stored in the outbox, so a restart delivers exactly the text that was decided.
import type { AlertKind } from './types.js';
import type { Level } from './priority.js';

export interface Notification {
  id: string;
  service: string;
  kind: AlertKind;
  /** The seed's event code, e.g. `SERVICE-RECOVERY-FAILED`. */
  code: string;
  /** e.g. `minio Recovery Failed`. */
  title: string;
  /** ntfy priority 1..5 (the seed's CRITICAL = 5). */
  priority: number;
  level: Level;
  tags: string[];
  /** The seed's "Notification format" message body. */
  message: string;
  /** ISO time of the decision. */
  at: string;
  attempt: number;
  dependents: string[];
  host: string;
  /** The service's manifest labels, when the alert carried them. */
  labels?: Record<string, string>;
}
