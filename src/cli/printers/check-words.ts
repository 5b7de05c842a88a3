// How a health check reads to a person: the short target for `get -o wide` and the sentence for
// `describe`. URLs and commands go through core/redact: output must never carry a secret.
import type { HealthCheck, ServiceSpec } from '../../manifest/schema.js';
import { redactCommand, redactUrl } from '../../core/redact.js';

export { redactUrl };

/** "http http://127.0.0.1:9000/minio/health/live", "tcp 127.0.0.1:5432", "process minio server". */
export function checkTarget(check: HealthCheck): string {
  switch (check.type) {
    case 'http':
      return `http ${redactUrl(check.endpoint ?? '')}`;
    case 'tcp':
      return `tcp ${check.host ?? '127.0.0.1'}:${check.port ?? '?'}`;
    case 'process':
      return `process ${check.process_name ?? ''}`;
    case 'custom':
      return `custom ${truncate(redactCommand(check.command ?? ''), 40)}`;
    case 'docker':
      return 'docker';
  }
}

/** The check in words, as `describe` shows it. */
export function checkSentence(spec: ServiceSpec): string {
  const c = spec.health_check;
  let what: string;
  switch (c.type) {
    case 'http': {
      const extra = [
        c.expected_status ? `expecting status ${c.expected_status.join('/')}` : 'expecting 2xx or 3xx',
        c.body_contains !== undefined ? `body containing ${JSON.stringify(c.body_contains)}` : '',
        c.max_latency_ms !== undefined ? `within ${c.max_latency_ms} ms` : '',
      ].filter(Boolean);
      what = `HTTP GET ${redactUrl(c.endpoint ?? '')} ${extra.join(', ')}`;
      break;
    }
    case 'tcp':
      what = `TCP connect to ${c.host ?? '127.0.0.1'}:${c.port ?? '?'}`;
      break;
    case 'process':
      what = `a process whose command line matches ${JSON.stringify(c.process_name ?? '')}`;
      break;
    case 'custom':
      what = `command \`${redactCommand(c.command ?? '')}\` exits 0`;
      break;
    case 'docker':
      what = `container ${spec.container ?? '<none>'} is running (and healthy if it has a HEALTHCHECK)`;
      break;
  }
  const where = spec.container && c.type !== 'docker' ? ` inside container ${spec.container}` : '';
  const thresholds =
    c.failure_threshold > 1 || c.success_threshold > 1 ? `; ${c.failure_threshold} failures to act, ${c.success_threshold} successes to count as recovered` : '';
  return `${what}${where}, every ${seconds(c.interval_seconds)}, timeout ${seconds(c.timeout_seconds)}${thresholds}`;
}

export function seconds(s: number): string {
  return `${s}s`;
}

export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 3)}...`;
}
