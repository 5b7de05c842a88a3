// Process limits (spec.limits): after the service's own check passes, the whole process tree of
// the process vai knows for it (pid_file, else the owner of its check's loopback port, else the
// first match of its process check) is measured from /proc: RSS, and CPU as the share of one core
// used since the last check. Over a limit for `for_checks` checks in a row, the check result turns
// unhealthy with reason MemoryLimit or CpuLimit and the figure, so the normal recovery runs. The
// count of checks in a row is an observation's smoothing (as monit's "for N cycles"), not a
// decision: the planner still decides what to do with an unhealthy result.
import type { CheckResult, ServiceTarget, WatchedProcess } from './types.js';
import { probeWatched } from './listener-process.js';
import { findServiceProcesses } from './service-process.js';
import { readProcTable, usageIn, type ProcTable, type TreeUsage } from './process-tree.js';

const MB = 1024 * 1024;
/**
 * One pass over /proc serves the checks of every service with limits for this long. A pass per
 * check cost 2.6 ms of CPU on top of each http check at 200 services @1 s (docs/performance.md);
 * CPU shares are taken between the passes' own times, so reuse does not skew them.
 */
export const PROC_TABLE_REUSE_MS = 250;

interface Track {
  rootPid: number;
  /** Last CPU sample, for the rate. */
  cpuSeconds: number;
  at: number;
  memOver: number;
  cpuOver: number;
  listener: WatchedProcess | null;
}

export interface UsageSample {
  usage: TreeUsage;
  /** Share of one core since the last check, in percent; null on the first sample. */
  cpuPercent: number | null;
}

export { limitSource } from './checks/index.js';

export class ProcessLimits {
  private readonly tracks = new Map<string, Track>();
  private table: { procs: ProcTable; at: number } | undefined;
  /** The last sample per service, for describe and /metrics. */
  readonly samples = new Map<string, UsageSample & { at: number }>();

  constructor(private readonly procDir = '/proc') {}

  async apply(target: ServiceTarget, base: CheckResult, now: number): Promise<CheckResult> {
    const limits = target.spec.limits;
    if (!limits || base.health !== 'healthy') return base;
    const track = this.tracks.get(target.name);
    const pid = await this.rootPid(target, track);
    if (pid === null) return { ...base, message: `${base.message}; limits: vai cannot find the service's process` };
    const same = track && track.rootPid === pid;
    const sample = this.measure(pid, now, same ? track.at : undefined);
    if (!sample) return base;
    const { usage, at } = sample;
    const cpuPercent = same && track.at > 0 && at > track.at ? Math.max(0, ((usage.cpuSeconds - track.cpuSeconds) / ((at - track.at) / 1000)) * 100) : null;
    const t: Track = same ? track : { rootPid: pid, cpuSeconds: 0, at: 0, memOver: 0, cpuOver: 0, listener: track?.listener ?? null };
    t.cpuSeconds = usage.cpuSeconds;
    t.at = at;
    const rssMb = usage.rssBytes / MB;
    t.memOver = limits.memory_mb !== undefined && rssMb > limits.memory_mb ? t.memOver + 1 : 0;
    t.cpuOver = limits.cpu_percent !== undefined && cpuPercent !== null && cpuPercent > limits.cpu_percent ? t.cpuOver + 1 : 0;
    this.tracks.set(target.name, t);
    this.samples.set(target.name, { usage, cpuPercent, at });
    const n = limits.for_checks;
    const measured = { usage: { rootPid: pid, processes: usage.processes, rssBytes: usage.rssBytes, cpuSeconds: usage.cpuSeconds, cpuPercent } };
    const tree = `pid ${pid}${usage.processes > 1 ? ` and ${usage.processes - 1} descendant${usage.processes > 2 ? 's' : ''}` : ''}`;
    if (limits.memory_mb !== undefined && t.memOver >= n) {
      return { health: 'unhealthy', reason: 'MemoryLimit', message: `RSS ${Math.round(rssMb)} MB > ${limits.memory_mb} MB for ${t.memOver} check${t.memOver === 1 ? '' : 's'} (${tree})`, latencyMs: base.latencyMs, ...measured };
    }
    if (limits.cpu_percent !== undefined && cpuPercent !== null && t.cpuOver >= n) {
      return { health: 'unhealthy', reason: 'CpuLimit', message: `CPU ${Math.round(cpuPercent)} % > ${limits.cpu_percent} % for ${t.cpuOver} check${t.cpuOver === 1 ? '' : 's'} (${tree})`, latencyMs: base.latencyMs, ...measured };
    }
    const mem = limits.memory_mb !== undefined ? `RSS ${Math.round(rssMb)} MB of ${limits.memory_mb} MB` : '';
    const cpu = limits.cpu_percent !== undefined && cpuPercent !== null ? `CPU ${Math.round(cpuPercent)} % of ${limits.cpu_percent} %` : '';
    const within = [mem, cpu].filter(Boolean).join(', ');
    return { ...base, ...(within ? { message: `${base.message}; ${within}` } : {}), ...measured };
  }

  /**
   * The tree under pid from a recent pass, read afresh when the pass is older than the reuse
   * window, not newer than this service's last sample (a check more often than the window), or
   * lacks pid (a process started since).
   */
  private measure(pid: number, now: number, lastAt: number | undefined): { usage: TreeUsage; at: number } | null {
    const old = this.table;
    const reusable = old !== undefined && now >= old.at && now - old.at <= PROC_TABLE_REUSE_MS && (lastAt === undefined || old.at > lastAt);
    if (reusable) {
      const usage = usageIn(old.procs, pid);
      if (usage) return { usage, at: old.at };
    }
    const fresh = { procs: readProcTable(this.procDir), at: now };
    this.table = fresh;
    const usage = usageIn(fresh.procs, pid);
    return usage ? { usage, at: fresh.at } : null;
  }

  forget(name: string): void {
    this.tracks.delete(name);
    this.samples.delete(name);
  }

  private async rootPid(target: ServiceTarget, track: Track | undefined): Promise<number | null> {
    const { spec } = target;
    // The listener lookup reads every process's descriptors: once, then only when that process is gone.
    const byListener = spec.container === undefined && spec.pid_file === undefined && spec.health_check.type !== 'process';
    if (byListener && track?.listener && probeWatched(track.listener, this.procDir) === 'alive') return track.listener.pid;
    const found = (await findServiceProcesses([{ name: target.name, spec, workingDir: target.workingDir }], this.procDir)).get(target.name);
    if (!found || found.pid === null) return null;
    if (found.listener) {
      if (track) track.listener = found.listener;
      else this.tracks.set(target.name, { rootPid: found.pid, cpuSeconds: 0, at: 0, memOver: 0, cpuOver: 0, listener: found.listener });
    }
    return found.pid;
  }
}
