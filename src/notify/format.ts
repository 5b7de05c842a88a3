// Pure rendering of an alert into the seed's "Notification format" (title, priority, tags and
// the Service/Status/Recovery attempt/... body). No I/O, no clock: same alert, same text.
import type { HealthCheck, ServiceSpec } from '../manifest/schema.js';
import { isSelfKind, type Alert, type AlertKind } from './types.js';
import type { Notification } from './notification.js';
import { KIND_CODE, levelOf } from './priority.js';
import { redactCommand, redactUrl } from '../core/redact.js';
import { checkType } from '../executor/checks/index.js';
import path from 'node:path';

const TITLES: Record<AlertKind, string> = {
  'recovery-failed': 'Recovery Failed',
  'crash-loop': 'Crash Loop',
  reminder: 'Still Failing',
  recovered: 'Recovered',
  'rolled-back': 'Rolled Back',
  'source-failed': 'Not Applied',
  flapping: 'Flapping',
  'flapping-resolved': 'Stable Again',
  self: 'vai failing',
  'self-resolved': 'vai fine again',
  notice: 'Warning',
};

/** An alert-only service was never restarted: its titles must not say a recovery failed or succeeded. */
const ALERT_ONLY_TITLES: Partial<Record<AlertKind, string>> = {
  'recovery-failed': 'Failing',
  recovered: 'Resolved',
};

const FAILURE_TAGS = ['rotating_light', 'alert', 'auto-recovery'];
const TAGS: Record<AlertKind, string[]> = {
  'recovery-failed': FAILURE_TAGS,
  'crash-loop': [...FAILURE_TAGS, 'crash-loop'],
  reminder: [...FAILURE_TAGS, 'reminder'],
  recovered: ['white_check_mark', 'resolved', 'auto-recovery'],
  'rolled-back': ['warning', 'rollback', 'auto-recovery'],
  'source-failed': ['warning', 'git', 'auto-recovery'],
  flapping: ['warning', 'flapping', 'auto-recovery'],
  'flapping-resolved': ['white_check_mark', 'resolved', 'flapping'],
  self: ['warning', 'vai-self'],
  'self-resolved': ['white_check_mark', 'resolved', 'vai-self'],
  notice: ['warning', 'auto-recovery'],
};

export function describeCheck(hc: HealthCheck, spec: ServiceSpec): string {
  // alertText of custom checks already redacts the command; the URL policy covers the rest.
  return redactUrl(checkType(hc.type).alertText(hc, spec));
}

/**
 * The seed shows the restart command without its output redirection and trailing `&`
 * (`minio server /data ...` rather than `... >> minio.log 2>&1 &`): the part a person would type.
 */
export function displayCommand(cmd: string): string {
  let out = cmd.trim();
  for (let i = 0; i < 8; i++) {
    const next = out
      .replace(/\s*&\s*$/, '')
      .replace(/\s*\d?>&\d\s*$/, '')
      .replace(/\s*(?:\d|&)?>>?\s*[^\s;&|]+\s*$/, '')
      .trim();
    if (next === out) break;
    out = next;
  }
  return redactCommand(out);
}

/**
 * The restart command as a person can run it: a leading `./x` made absolute against the
 * directory it runs in (its manifest's), and that directory named when anything else in it is
 * relative to it (a bare program name found on PATH, a relative argument).
 */
export function restartLine(cmd: string, workingDir: string | undefined): string {
  const shown = displayCommand(cmd);
  if (!workingDir) return shown;
  const [first = '', ...rest] = shown.split(/\s+/);
  const abs = /^\.\.?\//.test(first) ? path.posix.join(workingDir, first) : first;
  const line = [abs, ...rest].join(' ');
  const relative = !abs.startsWith('/') || rest.some((w) => /^[^-/$'"~][^\s]*\//.test(w) && !w.includes('://')) || rest.some((w) => /^\.\.?\//.test(w));
  return relative ? `${line} (in ${workingDir})` : line;
}

function viewLogs(service: string, spec: ServiceSpec): string {
  if (!spec.log_path) return `vaictl logs ${service} -n 50`;
  const tail = `tail -50 ${spec.log_path}`;
  return spec.container ? `docker exec ${spec.container} ${tail}` : tail;
}

function statusLines(alert: Alert): string[] {
  const reason = alert.message.trim();
  if (alert.kind === 'notice') return [`Status: Healthy, with a warning${reason ? ` (${reason})` : ''}`, 'Recovery attempt: none (a warning: vai does not restart for it)'];
  // An alert-only service (no restart_cmd): vai never tried, so no line may say it did.
  if (!alert.spec.restart_cmd && !alert.spec.restart_container) {
    if (alert.kind === 'recovered') return [`Status: Healthy again${reason ? ` (${reason})` : ''}`, 'Recovery attempt: none (alert-only service)'];
    return [`Status: Failing${reason ? ` (${reason})` : ''}`, 'Recovery attempt: none (alert-only service: no restart_cmd, vai does not restart it)'];
  }
  switch (alert.kind) {
    case 'flapping': {
      const [head, ...restarts] = reason.split('\n');
      return [`Status: Flapping (${head ?? ''})`, 'Recovery attempt: each restart recovered it; it keeps failing', ...restarts.map((r) => `Restart: ${r.trim()}`)];
    }
    case 'flapping-resolved':
      return [`Status: Stable again (${reason})`, 'Recovery attempt: none needed for the whole window'];
    case 'recovery-failed':
      return [
        `Status: Failed health check${reason ? ` (${reason})` : ''}`,
        `Recovery attempt: Failed (attempt ${alert.attempt})`,
      ];
    case 'crash-loop':
      return [
        `Status: Crash loop${reason ? ` (${reason})` : ''}`,
        `Recovery attempt: Failed (attempt ${alert.attempt}); backing off, vai keeps retrying`,
      ];
    case 'reminder':
      return [`Status: Still failing${reason ? ` (${reason})` : ''}`, `Recovery attempt: Failed (attempt ${alert.attempt})`];
    case 'recovered':
      return [`Status: Healthy again${reason ? ` (${reason})` : ''}`, `Recovery attempt: Succeeded (attempt ${alert.attempt})`];
    case 'rolled-back':
      return [`Status: Rolled back${reason ? ` (${reason})` : ''}`, `Rollout: Failed; the previous spec runs and passes its check`];
    case 'source-failed':
      return [`Status: ${reason}`]; // formatted by sourceLines; here for the switch to be whole
    case 'self':
    case 'self-resolved':
      // Rendered by formatSelf; never reached.
      return [`Status: ${reason}`];
  }
}

/** A self alert has no service spec: what failed in vai, since when, where. */
function formatSelf(alert: Alert, host: string): Notification {
  const self = alert.self ?? { condition: 'unknown', title: 'vai failing', since: alert.at };
  const resolved = alert.kind === 'self-resolved';
  const { level, priority } = levelOf(alert.kind);
  const lines = [
    `Service: vaid (vai itself: ${self.condition})`,
    `Status: ${resolved ? 'Cleared' : 'Failing'} (${alert.message.trim()})`,
    `Since: ${self.since}`,
    `Host: ${host}`,
    ...(resolved ? [] : ['Action required: vai cannot do its job fully until this is fixed', '', 'View logs: journalctl -u vaid -n 100 (or vaid\'s own log)']),
  ];
  return {
    id: alert.id,
    service: alert.service,
    kind: alert.kind,
    code: KIND_CODE[alert.kind],
    title: `vaid on ${host}: ${self.title}${resolved ? ' (cleared)' : ''}`,
    priority,
    level,
    tags: TAGS[alert.kind],
    message: lines.join('\n'),
    at: alert.at,
    attempt: 0,
    dependents: [],
    host,
    ...(alert.labels ? { labels: { ...alert.labels } } : {}),
  };
}

/** `CertificateExpiring` as a title: `Certificate Expiring`. */
function words(reason: string): string {
  return reason.replace(/([a-z0-9])([A-Z])/g, '$1 $2');
}

/** A source alert is about vaid's git source, not a service: no check, command or logs to show. */
function sourceLines(alert: Alert, host: string): string[] {
  const lines = [`Status: ${alert.message.trim()}`, `Host: ${host}`];
  if (alert.cause) lines.push(`Cause: ${alert.cause.reason}: ${redactUrl(alert.cause.message)}`, ...alert.cause.evidence.slice(0, 6).map((e) => `Evidence: ${redactUrl(e)}`));
  lines.push('Action required: fix the commit or the remote; the applied commit keeps running (vai sends this once)', '', 'View: vaictl get (the Source line), vaictl describe');
  return lines;
}

/** A service vai only watches: nothing to restart it with. */
function isAlertOnly(spec: Alert['spec']): boolean {
  return !spec.restart_cmd && !spec.restart_container;
}

function serviceLines(alert: Alert, host: string): string[] {
  const { spec } = alert;
  const failing = alert.kind !== 'recovered' && alert.kind !== 'flapping-resolved' && alert.kind !== 'notice';
  const lines = [
    `Service: ${alert.service}`,
    ...statusLines(alert),
    `Container: ${spec.container ?? 'none (runs on the host)'}`,
    `Host: ${host}`,
  ];
  const alertOnly = isAlertOnly(spec);
  if (failing && alert.cause && alert.kind !== 'flapping') lines.push(`Cause: ${alert.cause.reason}: ${redactUrl(alert.cause.message)}`, ...alert.cause.evidence.slice(0, 6).map((e) => `Evidence: ${redactUrl(e)}`));
  if (alert.kind === 'flapping') lines.push('Action required: find why it keeps failing (vai recovers it each time)');
  else if (failing && !alert.cause) lines.push(alertOnly ? 'Action required: look into it (vai only watches this service)' : 'Action required: Manual intervention needed');
  if (alert.kind === 'notice') lines.push(`${alert.cause ? `Cause: ${alert.cause.reason}: ${redactUrl(alert.cause.message)}\n` : ''}Action required: before it fails (vai sends this once)`);
  if (alert.dependents.length > 0) lines.push(`Dependents affected: ${alert.dependents.join(', ')}`);
  lines.push('', `Health check: ${describeCheck(spec.health_check, spec)}`);
  if (spec.restart_container) lines.push(`Restart: docker restart ${spec.container ?? '?'}`);
  else if (spec.restart_cmd) lines.push(`Restart command: ${restartLine(spec.restart_cmd, spec.container ? undefined : alert.workingDir)}`);
  lines.push('', `View logs: ${viewLogs(alert.service, spec)}`);
  return lines;
}

export function formatAlert(alert: Alert, hostname: string): Notification {
  if (isSelfKind(alert.kind)) return formatSelf(alert, alert.labels?.host || hostname);
  // The host a person knows the service by: its manifest's host label, else this machine's name.
  const host = alert.labels?.host || hostname;
  const { level, priority } = levelOf(alert.kind);
  const lines = alert.kind === 'source-failed' ? sourceLines(alert, host) : serviceLines(alert, host);
  const alertOnly = alert.kind !== 'source-failed' && isAlertOnly(alert.spec);
  return {
    id: alert.id,
    service: alert.service,
    kind: alert.kind,
    code: KIND_CODE[alert.kind],
    // The name exactly as the manifest wrote it, and where: one topic often serves several hosts.
    title: `${alert.service} ${alert.kind === 'notice' && alert.cause ? words(alert.cause.reason) : alertOnly ? (ALERT_ONLY_TITLES[alert.kind] ?? TITLES[alert.kind]) : TITLES[alert.kind]} on ${host}`,
    priority,
    level,
    tags: TAGS[alert.kind],
    message: lines.join('\n'),
    at: alert.at,
    attempt: alert.attempt,
    dependents: [...alert.dependents],
    host,
    ...(alert.labels ? { labels: { ...alert.labels } } : {}),
  };
}
