// vaid's own health, as /healthz reports it (format in health.ts). vaid records what happens
// (a reconcile finished, a status write succeeded or failed, the manifest directory was read);
// the checks only compare those records with the clock, so a probe costs next to nothing.
//   reconcile-loop  work gets done: it fails when services wait for a worker, or a scheduled
//                   reconcile is overdue, and no reconcile has finished for longer than the stall
//                   limit (STALL_INTERVALS × the shortest health-check interval, at least
//                   MIN_STALL_MS, a floor like the kubelet's syncLoop check has, so that a loaded
//                   host does not flap). A long restart of one service is no stall: the others
//                   keep finishing.
//   status-write    the last write of status.json succeeded; vaictl and the status page read it.
//   manifests       the manifest directory itself can be read. An error in one file is not a
//                   failure of vaid: that file's last good version stays applied and the error
//                   shows in status and vaictl.
import type { HealthCheck } from './health.js';

export const STALL_INTERVALS = 3;
export const MIN_STALL_MS = 30_000;

export interface LoopFacts {
  /** Names ready to reconcile that wait for a free worker. */
  waiting: number;
  /** Earliest due time (clock ms) of the scheduled reconciles, or null when none is scheduled. */
  earliestDueAt: number | null;
  /** Shortest health-check interval (ms) of the services this vaid reconciles; null without any. */
  shortestIntervalMs: number | null;
}

export interface StallLimits {
  stallIntervals: number;
  minStallMs: number;
}

export interface DaemonHealthOptions {
  now(): number;
  loop(): LoopFacts;
  limits?: Partial<StallLimits>;
}

export interface DaemonHealth {
  readonly checks: readonly HealthCheck[];
  /** A reconcile of one service finished (whatever its outcome). */
  reconciled(): void;
  statusWritten(): void;
  statusWriteFailed(e: Error): void;
  /** After each load of the manifests: why the directory could not be read, or null. */
  manifestsRead(problem: string | null): void;
}

export function stallLimitMs(shortestIntervalMs: number | null, limits: StallLimits): number {
  return Math.max(limits.minStallMs, limits.stallIntervals * (shortestIntervalMs ?? 0));
}

/** Why the reconcile loop counts as stuck, or null. Pure: `lastFinishedAt` is the last reconcile's end (or vaid's start). */
export function loopProblem(f: LoopFacts, lastFinishedAt: number, now: number, limits: StallLimits): string | null {
  const limit = stallLimitMs(f.shortestIntervalMs, limits);
  const quiet = now - lastFinishedAt;
  if (quiet <= limit) return null;
  const why = `no reconcile finished for ${seconds(quiet)} (limit ${seconds(limit)}: ${limitText(f.shortestIntervalMs, limits)})`;
  if (f.waiting > 0) return `${f.waiting} service${f.waiting === 1 ? ' waits' : 's wait'} for a free worker and ${why}`;
  if (f.earliestDueAt !== null && now - f.earliestDueAt > limit) return `a reconcile due ${seconds(now - f.earliestDueAt)} ago has not started and ${why}`;
  return null;
}

export function createDaemonHealth(opts: DaemonHealthOptions): DaemonHealth {
  const limits: StallLimits = { stallIntervals: STALL_INTERVALS, minStallMs: MIN_STALL_MS, ...opts.limits };
  let lastFinishedAt = opts.now();
  let writeFailures = 0;
  let writeFailingSince = 0;
  let writeError = '';
  let manifestsProblem: string | null = null;
  const checks: HealthCheck[] = [
    { name: 'reconcile-loop', check: () => loopProblem(opts.loop(), lastFinishedAt, opts.now(), limits) },
    {
      name: 'status-write',
      check: () =>
        writeFailures === 0
          ? null
          : `status.json cannot be written since ${new Date(writeFailingSince).toISOString()} (${writeFailures} failed attempt${writeFailures === 1 ? '' : 's'}): ${writeError}`,
    },
    { name: 'manifests', check: () => manifestsProblem },
  ];
  return {
    checks,
    reconciled: () => {
      lastFinishedAt = opts.now();
    },
    statusWritten: () => {
      writeFailures = 0;
    },
    statusWriteFailed: (e) => {
      if (writeFailures++ === 0) writeFailingSince = opts.now();
      writeError = e.message;
    },
    manifestsRead: (problem) => {
      manifestsProblem = problem;
    },
  };
}

function seconds(ms: number): string {
  return ms < 10_000 ? `${Number((ms / 1000).toFixed(1))}s` : `${Math.round(ms / 1000)}s`;
}

function limitText(shortestIntervalMs: number | null, limits: StallLimits): string {
  const byInterval = limits.stallIntervals * (shortestIntervalMs ?? 0);
  if (shortestIntervalMs === null || byInterval < limits.minStallMs) return `the floor of ${seconds(limits.minStallMs)}`;
  return `${limits.stallIntervals} × the shortest interval ${seconds(shortestIntervalMs)}`;
}
