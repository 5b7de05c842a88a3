// What vaid tells a person of its git source: a commit it refused (a manifest error, a missing
// or wrong signature), or fetches failing longer than --git-alert-after. The alert's id names
// the commit or the failure streak, and the notifier accepts an id once, so each is told once,
// also across a restart of vaid. Routed like a service's alert, to --git-notify.
import type { Alert } from './types.js';
import type { ServiceSpec } from '../manifest/schema.js';
import type { SourceProblem } from '../source/types.js';

/** The alerts' service field (a source alert is about no service). */
export const SOURCE_ALERT_NAME = 'git-source';

/** A spec only for routing and the notifier's bookkeeping: a source alert is formatted without it. */
function routingSpec(notifyOnFail: string): ServiceSpec {
  return {
    enabled: true,
    type: 'daemon',
    health_check: { type: 'custom', command: 'true', interval_seconds: 60, timeout_seconds: 5, failure_threshold: 1, success_threshold: 1 },
    restart_container: false,
    command_timeout_seconds: 60,
    startup_delay_seconds: 5,
    dependencies: [],
    max_failures: 3,
    failure_window_seconds: 300,
    backoff_initial_seconds: 10,
    backoff_max_seconds: 300,
    backoff_reset_seconds: 600,
    notify_on_fail: notifyOnFail,
  };
}

export function sourceAlert(p: SourceProblem, notifyOnFail: string, at: Date): Alert {
  return {
    id: `${SOURCE_ALERT_NAME}:source-failed:${p.key}`,
    kind: 'source-failed',
    service: SOURCE_ALERT_NAME,
    spec: routingSpec(notifyOnFail),
    at: at.toISOString(),
    message: p.message,
    attempt: 0,
    dependents: [],
    cause: { reason: p.reason, message: p.evidence[0] ?? p.message, evidence: p.evidence.slice(1, 6) },
  };
}
