// `vaictl describe`: a pure renderer (status document, service, spec?) -> text, in kubectl's
// fixed section order with Events last. Without a spec (manifests unreadable) the spec's
// sections say <unknown> and the status sections still show.
import { describePolicy, rotationPolicy } from '../../executor/log-rotation-policy.js';
import { redactCommand } from '../../core/redact.js';
import type { DesiredService } from '../../manifest/types.js';
import type { ServiceStatus, StatusDocument } from '../../status/schema.js';
import { age, formatDuration, until } from './age.js';
import { checkSentence, checkWarnings, limitsWords, seconds } from './check-words.js';
import { foldedAge } from './event-columns.js';
import { PrefixWriter } from './prefix-writer.js';
import { rolloutWords, sourceWords } from './source-words.js';
import { checkSuccessRate, formatRate, percent, recoverySuccessRate } from './rates.js';
import { formatMs, formatSpan, formatUptime, sparkline, type ServiceSummary } from '../../history/views.js';

type ManifestError = StatusDocument['manifests']['errors'][number];

export interface DescribeInput {
  doc: StatusDocument;
  status: ServiceStatus;
  spec?: DesiredService | undefined;
  now: number;
  /** From STATE_DIR/history.db; a string says why it could not be read. Absent: no history lines. */
  history?: ServiceSummary | string | undefined;
  /** log_path or pid_file under a directory a non-root user controls (manifest/path-safety.ts); read by the command. */
  pathWarnings?: readonly string[] | undefined;
}

/** History written longer ago than this is reported as behind. */
const HISTORY_BEHIND_MS = 60_000;

const UNKNOWN = '<unknown>';
const NONE = '<none>';

export function describeService({ doc, status: s, spec, now, history, pathWarnings }: DescribeInput): string {
  const w = new PrefixWriter();
  const sp = spec?.spec;
  w.field(0, 'Name', s.name);
  w.field(0, 'Labels', Object.entries(s.labels).map(([k, v]) => `${k}=${v}`));
  w.field(0, 'Source', `${s.source.file}:${s.source.line}`);
  w.field(0, 'Revision', revision(doc));
  const src = sourceWords(doc, now);
  if (src) w.field(0, 'Git Source', src);
  if (s.rollout) w.field(0, 'Rollout', rolloutWords(s.rollout));
  w.field(0, 'Generation', `${s.generation} (observed ${s.observedGeneration})`);
  w.field(0, 'Desired', desiredWords(s));
  w.field(0, 'Phase', `${s.phase} (since ${age(s.phaseSince, now)} ago)`);
  if (s.maintenance?.length) {
    w.field(
      0,
      'Maintenance',
      s.maintenance.map((m) => `${m.kind} ${m.name} (${m.mode}: ${m.mode === 'pause' ? 'alerts muted, no recovery action' : 'alerts muted, recovery continues'}) until ${m.until} (${until(m.until, now)})${m.reason ? `: ${m.reason}` : ''}`),
    );
  }
  w.field(0, 'Health Check', sp ? checkSentence(sp) : UNKNOWN);
  for (const warning of sp ? checkWarnings(sp) : []) w.field(0, 'Check Warning', warning);
  if (sp?.limits) w.field(0, 'Limits', limitsWords(sp, s.lastCheck));
  w.field(0, 'Container', sp ? (sp.container ?? NONE) : UNKNOWN);
  w.field(0, 'Restart Command', sp ? restartWords(sp) : UNKNOWN);
  w.field(0, 'Stop Command', sp ? (sp.stop_cmd !== undefined ? redactCommand(sp.stop_cmd) : NONE) : UNKNOWN);
  w.field(0, 'Command Timeout', sp ? seconds(sp.command_timeout_seconds) : UNKNOWN);
  w.field(0, 'Startup Delay', sp ? seconds(sp.startup_delay_seconds) : UNKNOWN);
  w.field(0, 'Log Path', sp ? (sp.log_path ?? '<default: STATE_DIR/logs/NAME.log>') : UNKNOWN);
  for (const warning of pathWarnings ?? []) w.field(0, 'Path Warning', warning);
  w.field(0, 'Log Rotation', sp ? `${describePolicy(rotationPolicy(sp.log_rotation))}${sp.log_rotation ? '' : ' (default)'}` : UNKNOWN);
  w.field(0, 'Dependencies', sp ? sp.dependencies.map((d) => `${d} (${doc.services[d]?.phase ?? UNKNOWN})`) : UNKNOWN);
  w.field(0, 'Policy', sp ? policyWords(sp) : UNKNOWN);
  w.field(0, 'Notify', sp ? (sp.notify_on_fail ?? NONE) : UNKNOWN);
  w.field(0, 'Restarts', restartsWords(s, now));
  if (s.recovery) {
    const r = s.recovery;
    const deadline = r.deadline ? `, verify deadline ${until(r.deadline, now)}` : '';
    w.field(0, 'Recovery', `attempt ${r.attempt} ${r.state} since ${age(r.startedAt, now)} ago${deadline}: ${r.reason}`);
  }
  w.field(0, 'Backoff', backoffWords(s, sp?.max_failures, sp?.failure_window_seconds, now));
  w.field(0, 'Last Check', lastCheckWords(s, now));
  w.field(0, 'Next Check', until(s.nextCheckAt, now));
  w.line(0, 'Counters:');
  const c = s.counters;
  w.field(1, 'Checks', `${c.checks} (${formatRate(checkSuccessRate(c))} passed)`);
  w.field(1, 'Failed Checks', `${c.failedChecks} (${c.checks > 0 ? `${percent(c.failedChecks, c.checks)}%` : NONE}), ${s.consecutiveFailures} in a row now`);
  w.field(1, 'Recoveries', `${c.recoveriesAttempted} attempted, ${c.recoveriesSucceeded} succeeded (${formatRate(recoverySuccessRate(c))})`);
  lastFailure(w, s, now);
  if (history !== undefined) historyLines(w, history, now);
  conditions(w, s, now);
  w.field(0, 'Manifest Errors', manifestErrors(doc.manifests.errors, s).map(errorWords));
  events(w, s, now);
  return w.toString();
}

function revision(doc: StatusDocument): string {
  const r = doc.manifests.revision;
  if (!r || !r.commit) return r?.dirty ? 'not committed (dirty)' : NONE;
  return `${r.commit.slice(0, 12)}${r.dirty ? ' (dirty: uncommitted changes)' : ''}`;
}

function desiredWords(s: ServiceStatus): string {
  switch (s.desired) {
    case 'Running':
      return 'Running (vai recovers it when its check fails)';
    case 'Stopped':
      return 'Stopped (manual-stop marker present: vai observes it but never acts)';
    case 'Disabled':
      return 'Disabled (enabled: false: vai observes it but never acts)';
  }
}

function restartWords(sp: NonNullable<DescribeInput['spec']>['spec']): string {
  if (sp.restart_container) return `restart container ${sp.container ?? NONE} through the Docker Engine API`;
  return sp.restart_cmd !== undefined ? redactCommand(sp.restart_cmd) : '<none> (alert-only: vai alerts, never restarts it)';
}

function policyWords(sp: NonNullable<DescribeInput['spec']>['spec']): string {
  return (
    `at most ${sp.max_failures} failed recoveries in ${seconds(sp.failure_window_seconds)}, ` +
    `then back off ${seconds(sp.backoff_initial_seconds)} doubling to ${seconds(sp.backoff_max_seconds)}; ` +
    `forgotten after ${seconds(sp.backoff_reset_seconds)} healthy`
  );
}

function restartsWords(s: ServiceStatus, now: number): string {
  const { count, lastAt, lastReason } = s.restarts;
  if (!lastAt) return String(count);
  return `${count}, last ${age(lastAt, now)} ago${lastReason ? `: ${lastReason}` : ''}`;
}

function backoffWords(s: ServiceStatus, max: number | undefined, window: number | undefined, now: number): string {
  const b = s.backoff;
  const over = max !== undefined && b.failures.length > max;
  const limit = max === undefined ? '' : over ? ` (limit ${max}: over it, so each attempt waits for the backoff)` : ` of ${max}`;
  const failures = over
    ? `${b.failures.length} failed recoveries in the last ${window !== undefined ? seconds(window) : 'window'}${limit}`
    : `${b.failures.length}${limit} failed recoveries in the last ${window !== undefined ? seconds(window) : 'window'}`;
  if (!b.nextAttemptAt) return failures;
  return `${failures}; delay ${formatDuration(b.delaySeconds * 1000)}, next attempt ${until(b.nextAttemptAt, now)}`;
}

function lastCheckWords(s: ServiceStatus, now: number): string {
  const l = s.lastCheck;
  if (!l) return NONE;
  return `${l.health} ${age(l.at, now)} ago in ${Math.round(l.latencyMs)} ms (${l.reason}): ${l.message}`;
}

/** Why it last failed: the cause vai found, with its evidence and the output it saw. */
function lastFailure(w: PrefixWriter, s: ServiceStatus, now: number): void {
  const f = s.lastFailure;
  if (!f) {
    w.field(0, 'Last Failure', NONE);
    return;
  }
  w.line(0, 'Last Failure:');
  w.field(1, 'Cause', `${f.reason} (${f.kind === 'attempt' ? `recovery attempt ${f.attempt ?? '?'}` : 'the service failed'}, ${age(f.at, now)} ago)`);
  w.field(1, 'Message', f.message);
  w.field(1, 'Evidence', f.evidence.length ? f.evidence : NONE);
  if (f.commandTail?.length) w.field(1, 'Command Output', f.commandTail);
  if (f.logTail?.length) w.field(1, 'Log Tail', f.logTail);
}

function historyLines(w: PrefixWriter, h: ServiceSummary | string, now: number): void {
  if (typeof h === 'string') {
    w.field(0, 'History', `unavailable: ${h}`);
    return;
  }
  const u = h.uptime;
  w.field(0, 'Uptime', `24h ${formatUptime(u['24h'])} · 7d ${formatUptime(u['7d'])} · 30d ${formatUptime(u['30d'])}`);
  const l = h.latency24h;
  const spark = sparkline(l.hourlyAvgMs);
  w.field(0, 'Latency (24h)', `p50 ${formatMs(l.p50Ms)} p95 ${formatMs(l.p95Ms)}${spark ? `  ${spark}` : ''}`);
  w.field(0, 'Incidents (7d)', `${h.incidents7d.count}${h.incidents7d.mttrMs !== null ? `, MTTR ${formatSpan(h.incidents7d.mttrMs)}` : ''}`);
  const last = h.writer.lastWriteAt ? Date.parse(h.writer.lastWriteAt) : null;
  const behind = last === null || now - last > HISTORY_BEHIND_MS;
  if (behind || h.writer.droppedMinutes > 0) {
    const when = last === null ? 'never written' : `behind: last written ${age(h.writer.lastWriteAt, now)} ago`;
    w.field(0, 'History', `${behind ? when : 'up to date'}${h.writer.droppedMinutes > 0 ? `, ${h.writer.droppedMinutes} minutes dropped while behind` : ''}`);
  }
}

function conditions(w: PrefixWriter, s: ServiceStatus, now: number): void {
  if (s.conditions.length === 0) {
    w.field(0, 'Conditions', NONE);
    return;
  }
  w.line(0, 'Conditions:');
  w.line(1, 'Type', 'Status', 'Reason', 'Age', 'Message');
  w.line(1, '----', '------', '------', '---', '-------');
  for (const c of s.conditions) w.line(1, c.type, c.status, c.reason, age(c.lastTransitionTime, now), c.message);
}

export function manifestErrors(errors: readonly ManifestError[], s: ServiceStatus): ManifestError[] {
  return errors.filter((e) => e.file === s.source.file || e.services?.includes(s.name));
}

function errorWords(e: ManifestError): string {
  return `${e.file}:${e.line}:${e.column}${e.path ? ` ${e.path}` : ''}: ${e.message} [${e.code}]`;
}

function events(w: PrefixWriter, s: ServiceStatus, now: number): void {
  if (s.events.length === 0) {
    w.field(0, 'Events', NONE);
    return;
  }
  w.line(0, 'Events:');
  w.line(1, 'Type', 'Reason', 'Age', 'From', 'Message');
  w.line(1, '----', '------', '----', '----', '-------');
  const sorted = [...s.events].sort((a, b) => Date.parse(a.lastTime) - Date.parse(b.lastTime));
  for (const e of sorted) w.line(1, e.type, e.reason, foldedAge(e, now), 'vaid', e.message);
}
