// Why a check, an attempt or a crash failed: a reason from a closed set, a one-line message a
// person can act on, and the evidence vai saw (a few short lines, bounded and redacted where
// they were gathered). The planner decides the reason from what probes and executors report;
// this module only names the set and keeps every cause within its bounds.
import type { CheckResult } from '../executor/types.js';

export const CAUSE_REASONS = [
  'PortInUse',
  'OOMKilled',
  'DiskFull',
  'InodesExhausted',
  'CommandFailed',
  'ExitedAfterStart',
  'StartupTooSlow',
  'ProcessFrozen',
  'Timeout',
  'ConnectionRefused',
  'HttpStatus',
  'DependencyNotReady',
  'ExecutorUnavailable',
  /** The check failed for a reason none of the above explains (body mismatch, custom check exit...). */
  'CheckFailed',
] as const;
export type CauseReason = (typeof CAUSE_REASONS)[number];

export interface Cause {
  reason: CauseReason;
  message: string;
  evidence: string[];
}

/** Bounds of one cause: status, events and alerts carry it. */
export const MAX_EVIDENCE_LINES = 12;
export const MAX_LINE_CHARS = 300;
export const MAX_MESSAGE_CHARS = 400;

export function cause(reason: CauseReason, message: string, evidence: readonly string[] = []): Cause {
  return { reason, message: clip(message, MAX_MESSAGE_CHARS), evidence: boundLines(evidence, MAX_EVIDENCE_LINES) };
}

export function boundLines(lines: readonly string[], max: number): string[] {
  const kept = lines.length > max ? lines.slice(lines.length - max) : lines;
  return kept.map((l) => clip(l, MAX_LINE_CHARS));
}

export function clip(text: string, max: number): string {
  const flat = text.replace(/[\r\n]+/g, ' ').replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '?');
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** The cause a failed check alone tells, before any evidence is looked at. */
export function causeOfCheck(obs: CheckResult): Cause {
  switch (obs.reason) {
    case 'Timeout':
      return cause('Timeout', obs.message);
    case 'HttpStatus':
      return cause('HttpStatus', obs.message);
    case 'ConnectFailed':
      return cause(/ECONNREFUSED/.test(obs.message) ? 'ConnectionRefused' : 'CheckFailed', obs.message);
    case 'ExecutorUnavailable':
    case 'ContainerMissing':
      return cause('ExecutorUnavailable', obs.message);
    default:
      return cause('CheckFailed', obs.message);
  }
}
