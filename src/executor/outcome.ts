// Turns a finished shell (host or container) into the contract's results and their wording.
import type { CheckResult, CommandResult } from './types.js';
import { formatDuration, oneLine, round } from './format.js';

export interface ShellOutcome {
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  aborted: boolean;
  durationMs: number;
  timeoutMs: number;
  /** The shell could not be started; the message says why. */
  spawnError: string | null;
  /** Last lines of output, oldest first (custom checks only). */
  lines?: string[];
}

function how(o: ShellOutcome): string {
  if (o.timedOut) return `timed out after ${formatDuration(o.timeoutMs)}`;
  if (o.aborted) return `cancelled after ${formatDuration(o.durationMs)}`;
  if (o.signal) return `killed by ${o.signal} after ${formatDuration(o.durationMs)}`;
  return `exit ${o.exitCode} after ${formatDuration(o.durationMs)}`;
}

export function checkResultOf(o: ShellOutcome): CheckResult {
  const latencyMs = round(o.durationMs);
  if (o.spawnError !== null) return { health: 'unknown', reason: 'CheckError', message: `cannot run the check: ${o.spawnError}`, latencyMs };
  const output = o.lines && o.lines.length > 0 ? `: ${o.lines.map((l) => oneLine(l, 120)).join(' | ')}` : '';
  const message = oneLine(`${how(o)}${output}`, 400);
  if (o.aborted) return { health: 'unknown', reason: 'CheckError', message, latencyMs };
  if (o.timedOut) return { health: 'unhealthy', reason: 'Timeout', message, latencyMs };
  if (o.exitCode === 0) return { health: 'healthy', reason: 'CheckPassed', message, latencyMs };
  return { health: 'unhealthy', reason: 'CommandFailed', message, latencyMs };
}

export function commandResultOf(o: ShellOutcome): CommandResult {
  const base = { exitCode: o.exitCode, signal: o.signal, timedOut: o.timedOut, durationMs: round(o.durationMs) };
  if (o.spawnError !== null) return { ...base, ok: false, unavailable: false, message: `cannot run the command: ${o.spawnError}` };
  const message = o.timedOut ? `killed after timeout of ${formatDuration(o.timeoutMs)}` : how(o);
  return { ...base, ok: o.exitCode === 0 && !o.timedOut && !o.aborted, unavailable: false, message };
}

export function unavailableCommand(message: string, durationMs = 0): CommandResult {
  return { ok: false, exitCode: null, signal: null, timedOut: false, unavailable: true, durationMs: round(durationMs), message };
}

export function skippedCommand(message: string, ok: boolean): CommandResult {
  return { ok, exitCode: null, signal: null, timedOut: false, unavailable: false, durationMs: 0, message };
}
