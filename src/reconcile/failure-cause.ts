// The planner's decisions about causes, kept beside it: pure functions from what the check,
// the commands and the evidence gatherers reported (src/diagnosis/observation.ts) to one cause
// of the closed set (src/diagnosis/cause.ts). No I/O, no clock: `now` is passed in.
import type { ServiceSpec } from '../manifest/schema.js';
import type { CheckResult, CommandResult } from '../executor/types.js';
import type { LastFailure, ServiceStatus } from '../status/schema.js';
import { cause, causeOfCheck, type Cause } from '../diagnosis/cause.js';
import type { Diagnosis, DiskSighting } from '../diagnosis/observation.js';

/** A disk with less free than this share of its size (and under 64 MiB) counts as full. */
const FULL_SHARE = 0.01;
const FULL_MAX_BYTES = 64 * 1024 * 1024;
/** Process start times are known to the clock tick and the boot time to the second. */
const START_SLACK_MS = 1500;

export interface AttemptContext {
  /** When the attempt's commands started (epoch ms). */
  startedAtMs: number;
  /** The restart command's outcome this attempt, when it failed. */
  commandFailure: LastFailure | null;
}

/**
 * A check that passes while the known process is frozen: unhealthy once it has been stopped for
 * the check's timeout (the kernel completes TCP handshakes for a frozen listener). Returns the
 * observation to plan with, and how soon to look again when it is frozen but not yet for long.
 */
export function frozenObservation(obs: CheckResult | null, d: Diagnosis | undefined, spec: ServiceSpec, now: number): { obs: CheckResult | null; recheckMs: number | null } {
  const p = d?.process;
  if (!obs || obs.health !== 'healthy' || !p || p.state !== 'stopped') return { obs, recheckMs: null };
  const frozenMs = now - p.sinceMs;
  const limitMs = spec.health_check.timeout_seconds * 1000;
  if (frozenMs < limitMs) return { obs, recheckMs: Math.max(1, limitMs - frozenMs) };
  const message = `process ${p.pid} (${p.command}) is stopped (SIGSTOP) since ${secs(frozenMs)}, though the check passes (${obs.message})`;
  return { obs: { health: 'unhealthy', reason: 'ProcessFrozen', message, latencyMs: obs.latencyMs }, recheckMs: null };
}

/** Whether the restart should first stop the service's process (stop_cmd, else TERM -> KILL): it is hung. */
export function isHung(obs: CheckResult): boolean {
  return obs.reason === 'ProcessFrozen' || obs.reason === 'Timeout';
}

/** The cause of a failed check (kind 'check') or a failed attempt (when `attempt` is given). */
export function decideCause(obs: CheckResult, d: Diagnosis | undefined, attempt: AttemptContext | null): Cause {
  const evidence: string[] = [];
  if (d?.exit?.oomKilled || (d?.oom && d.oom.length > 0)) {
    const ev = [...(d.oom ?? [])];
    if (d.exit) ev.unshift(`container exited with code ${d.exit.code ?? '?'}, State.OOMKilled true${d.exit.at ? ` at ${d.exit.at}` : ''}`);
    return cause('OOMKilled', 'the kernel killed the service for memory (out of memory)', ev);
  }
  const full = (d?.disks ?? []).find(isFull);
  if (full) return cause('DiskFull', `no space left on the filesystem of ${full.path} (${full.what}): ${bytes(full.freeBytes)} free of ${bytes(full.totalBytes)}`, diskLines(d!.disks!));
  const noInodes = (d?.disks ?? []).find((x) => x.totalInodes > 0 && x.freeInodes === 0);
  if (noInodes) return cause('InodesExhausted', `no free inodes on the filesystem of ${noInodes.path} (${noInodes.what}): 0 of ${noInodes.totalInodes}`, diskLines(d!.disks!));
  const l = d?.listener;
  const own = d?.process;
  if (l && (obs.reason !== 'CheckPassed' || attempt)) {
    const predates = attempt !== null && l.startedAtMs < attempt.startedAtMs - START_SLACK_MS;
    const notOurs = own?.fromPidFile === true && own.pid !== l.pid;
    if (predates || notOurs) {
      evidence.push(`listener on ${l.port}: pid ${l.pid} started ${new Date(l.startedAtMs).toISOString()}`, `command line: ${l.command}`);
      if (attempt) evidence.push(`the restart began at ${new Date(attempt.startedAtMs).toISOString()}`);
      if (attempt?.commandFailure) evidence.push(...attempt.commandFailure.commandTail ?? []);
      return cause('PortInUse', `port ${l.port} is held by another process: pid ${l.pid} (${l.command})`, evidence);
    }
  }
  if (attempt?.commandFailure) {
    const f = attempt.commandFailure;
    return cause('CommandFailed', f.message, f.evidence);
  }
  if (obs.reason === 'ProcessFrozen') return cause('ProcessFrozen', obs.message, own ? [`${own.via}: pid ${own.pid} in state T (stopped)`] : []);
  // Only a pid the new process wrote, now gone, says it exited; no pid yet may be a slow start.
  if (attempt && own?.state === 'dead' && own.fromPidFile && (own.writtenAtMs ?? 0) >= attempt.startedAtMs - START_SLACK_MS) {
    const gone = `process ${own.pid} (written to ${own.via.replace(/^pid_file /, '')} after the restart) exited`;
    const ev = [gone, `check: ${obs.message}`, ...(d?.listener === null ? ['nothing listens on the check\'s port'] : []), ...(d?.logTail ?? []).slice(-4).map((l) => `log: ${l}`)];
    return cause('ExitedAfterStart', `restart_cmd succeeded but the service did not stay up: ${gone}`, ev);
  }
  if (d?.exit && obs.reason === 'ContainerNotRunning') {
    const ev = [`container exited with code ${d.exit.code ?? '?'}${d.exit.at ? ` at ${d.exit.at}` : ''}`, `check: ${obs.message}`];
    return attempt ? cause('ExitedAfterStart', `the container exited with code ${d.exit.code ?? '?'} after the restart`, ev) : cause('CheckFailed', obs.message, ev);
  }
  return causeOfCheck(obs);
}

/** The failure of a restart or stop command (CommandFailed with its exit and output tail). */
export function commandFailure(which: 'restart_cmd' | 'stop_cmd', r: CommandResult, at: string, attempt: number): LastFailure {
  const how = r.timedOut ? `timed out` : r.signal ? `killed by ${r.signal}` : `exit code ${r.exitCode ?? '?'}`;
  const tail = r.outputTail ?? [];
  const c = cause('CommandFailed', `${which} ${r.message}${tail.length ? `: ${tail[tail.length - 1]}` : ''}`, [`${which}: ${how} after ${Math.round(r.durationMs)} ms`, ...tail.slice(-4)]);
  return { at, kind: 'attempt', attempt, ...c, ...(tail.length ? { commandTail: tail } : {}) };
}

/** Records a failure in a status under construction: lastFailure and the per-cause count. */
export function recordFailure(s: ServiceStatus, f: LastFailure, count = true): void {
  s.lastFailure = f;
  if (!count) return;
  const counts = { ...(s.failureCounts ?? {}) };
  counts[f.reason] = (counts[f.reason] ?? 0) + 1;
  s.failureCounts = counts;
}

/** A start that passed its check only after startup_delay_seconds: how long it really took. */
export function startupTooSlow(spec: ServiceSpec, startedAtMs: number, now: number): Cause {
  const took = now - startedAtMs;
  return cause('StartupTooSlow', `startup_delay_seconds is ${spec.startup_delay_seconds} s; this start took ${secs(took)}`, [
    `restart began ${new Date(startedAtMs).toISOString()}, first passing check ${new Date(now).toISOString()}`,
  ]);
}

function isFull(x: DiskSighting): boolean {
  return x.totalBytes > 0 && x.freeBytes < Math.min(FULL_MAX_BYTES, x.totalBytes * FULL_SHARE);
}

function diskLines(disks: readonly DiskSighting[]): string[] {
  return disks.map((x) => `${x.path} (${x.what}): ${bytes(x.freeBytes)} free of ${bytes(x.totalBytes)}, ${x.freeInodes} of ${x.totalInodes} inodes free`);
}

function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MiB`;
  return `${(n / 1024 ** 3).toFixed(1)} GiB`;
}

function secs(ms: number): string {
  return `${(Math.round(ms / 100) / 10).toFixed(1)} s`;
}
