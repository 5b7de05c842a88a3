// Judging what one of vai's probe scripts (docker-scripts.ts) said inside a container: shared by
// the check types that run that way, so every container check words its outcome alike.
import type { HealthCheck } from '../manifest/schema.js';
import type { CheckReason, CheckResult } from './types.js';
import type { WrappedOutcome } from './docker-exec.js';
import { decodeBody, parseHead } from './http-response-parser.js';
import { formatDuration, oneLine, round } from './format.js';

/** The probe scripts' exit when the container has none of the tools they can use. */
export const EXIT_NO_TOOL = 69;

export function unknown(reason: CheckReason, message: string, ms: number): CheckResult {
  return { health: 'unknown', reason, message, latencyMs: round(ms) };
}

export function lastLine(b: Buffer): string {
  return b.toString('utf8').trim().split(/\r?\n/).at(-1)?.trim() ?? '';
}

export function judgeProbe(o: Extract<WrappedOutcome, { kind: 'done' }>, hc: HealthCheck, where: string, okMessage: string, failReason: CheckReason): CheckResult {
  const latencyMs = round(o.durationMs);
  if (o.timedOut) return { health: 'unhealthy', reason: 'Timeout', message: `timed out after ${formatDuration(hc.timeout_seconds * 1000)} (${where})`, latencyMs };
  if (o.exitCode === EXIT_NO_TOOL) return { health: 'unknown', reason: 'CheckError', message: lastLine(o.stderr), latencyMs };
  if (o.exitCode === 0) return { health: 'healthy', reason: 'CheckPassed', message: okMessage, latencyMs };
  return { health: 'unhealthy', reason: failReason, message: oneLine(`${lastLine(o.stderr) || `exit ${o.exitCode}`} (${where})`), latencyMs };
}

/** Status and body match from curl -i / bash / nc (raw response) or wget (body, status on stderr). */
export function parseProbeResponse(stdout: Buffer, stderr: Buffer, bodyContains: string | undefined): { status: number; bodyMatched: boolean | null } | null {
  if (stdout.subarray(0, 5).toString('latin1') === 'HTTP/') {
    const head = parseHead(stdout);
    if (head.kind !== 'status') return null;
    if (bodyContains === undefined) return { status: head.status, bodyMatched: null };
    const body = head.headerEnd < 0 ? Buffer.alloc(0) : decodeBody(stdout.subarray(head.headerEnd), head.chunked, head.contentLength).body;
    return { status: head.status, bodyMatched: body.includes(bodyContains) };
  }
  const statuses = [...stderr.toString('latin1').matchAll(/HTTP\/\d(?:\.\d)? (\d{3})/g)];
  const last = statuses.at(-1);
  if (!last) return null;
  return { status: Number(last[1]), bodyMatched: bodyContains === undefined ? null : stdout.includes(bodyContains) };
}
