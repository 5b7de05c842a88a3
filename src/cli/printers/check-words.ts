// How a health check reads to a person: the short target for `get -o wide` and the sentence for
// `describe`. The words of each type live with the type (src/executor/checks/); this file adds
// what is common to all: where the check runs, how often, its thresholds.
import type { HealthCheck, ServiceSpec } from '../../manifest/schema.js';
import { checkType } from '../../executor/checks/index.js';
import { limitSource } from '../../executor/checks/index.js';
import type { LastCheck } from '../../status/schema.js';

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
 * spec.limits beside the current figures (what the last check measured: "now RSS 80 MB, CPU 3 %
 * (pid 123 and 2 descendants)"), or the warning that vai cannot find the service's process
 * (the words of vaictl validate's VAI_W_LIMITS_UNMEASURED).
 */
export function limitsWords(spec: ServiceSpec, last: LastCheck | null | undefined): string {
  const l = spec.limits;
  if (!l) return '<none>';
  const set = [l.memory_mb !== undefined ? `memory ${l.memory_mb} MB` : '', l.cpu_percent !== undefined ? `CPU ${l.cpu_percent} %` : ''].filter(Boolean).join(', ');
  const checks = `for ${l.for_checks} check${l.for_checks === 1 ? '' : 's'}`;
  const source = limitSource({ spec });
  if (source === null) return `${set} ${checks}; Warning: vai cannot find this service's process (set pid_file, or check a loopback port or a process): the limits are never applied`;
  const u = last?.usage;
  if (!u) return `${set} ${checks}, of ${source}; not measured yet`;
  const cpu = u.cpuPercent === null ? 'CPU not yet measured' : `CPU ${Math.round(u.cpuPercent)} %`;
  const tree = `pid ${u.rootPid}${u.processes > 1 ? ` and ${u.processes - 1} descendant${u.processes > 2 ? 's' : ''}` : ''}`;
  return `${set} ${checks}, of ${source}; now RSS ${Math.round(u.rssBytes / 1024 / 1024)} MB, ${cpu} (${tree}, at ${last.at})`;
}
