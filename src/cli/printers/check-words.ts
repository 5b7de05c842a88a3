// How a health check reads to a person: the short target for `get -o wide` and the sentence for
// `describe`. The words of each type live with the type (src/executor/checks/); this file adds
// what is common to all: where the check runs, how often, its thresholds.
import type { HealthCheck, ServiceSpec } from '../../manifest/schema.js';
import { checkType } from '../../executor/checks/index.js';
import { limitSource } from '../../executor/limits.js';

export { redactUrl, truncate } from '../../executor/checks/words.js';

/** "http http://127.0.0.1:9000/minio/health/live", "tcp 127.0.0.1:5432", "process minio server". */
export function checkTarget(check: HealthCheck, spec?: ServiceSpec): string {
  return checkType(check.type).target(check, spec ?? ({ health_check: check } as ServiceSpec));
}

/** The check in words, as `describe` shows it. */
export function checkSentence(spec: ServiceSpec): string {
  const c = spec.health_check;
  const t = checkType(c.type);
  const what = t.sentence(c, spec);
  const where = spec.container && !t.aboutContainer ? ` inside container ${spec.container}` : '';
  const thresholds =
    c.failure_threshold > 1 || c.success_threshold > 1 ? `; ${c.failure_threshold} failures to act, ${c.success_threshold} successes to count as recovered` : '';
  return `${what}${where}, every ${seconds(c.interval_seconds)}, timeout ${seconds(c.timeout_seconds)}${thresholds}`;
}

/** Warnings about the check that describe shows (e.g. certificate verification turned off). */
export function checkWarnings(spec: ServiceSpec): string[] {
  return checkType(spec.health_check.type).warnings?.(spec.health_check, spec) ?? [];
}

export function seconds(s: number): string {
  return `${s}s`;
}

/**
 * spec.limits beside the current figures (the last check's message carries them: "RSS 80 MB of
 * 120 MB"), or the warning that vai cannot find the service's process.
 */
export function limitsWords(spec: ServiceSpec, lastMessage: string | undefined): string {
  const l = spec.limits;
  if (!l) return '<none>';
  const set = [l.memory_mb !== undefined ? `memory ${l.memory_mb} MB` : '', l.cpu_percent !== undefined ? `CPU ${l.cpu_percent} %` : ''].filter(Boolean).join(', ');
  const source = limitSource({ spec });
  if (source === null) return `${set} for ${l.for_checks} checks; Warning: vai cannot find this service's process (set pid_file, or check a loopback port or a process)`;
  const now = /(?:RSS \d+ MB|CPU \d+ %)[^;]*$/.exec(lastMessage ?? '')?.[0];
  return `${set} for ${l.for_checks} check${l.for_checks === 1 ? '' : 's'}, of ${source}${now ? `; now ${now}` : ''}`;
}
