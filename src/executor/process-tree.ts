// What a service's processes use: the whole tree under its main pid (the main process and every
// descendant, as a restart_cmd's shell, workers and helpers are all the service's), summed RSS
// and CPU time, from one pass over /proc/PID/stat. A pass reads every process's stat, so the limits
// share one pass among the checks of a quarter second (limits.ts), and it never runs per probe.
import { readdirSync, readFileSync } from 'node:fs';

/** Linux reports utime/stime in USER_HZ ticks: 100 on every architecture Node runs on. */
export const CLOCK_TICKS_PER_SECOND = 100;
export const PAGE_SIZE = 4096;

export interface TreeUsage {
  rootPid: number;
  /** Processes counted, the root included. */
  processes: number;
  rssBytes: number;
  /**
   * utime + stime of the live processes, plus cutime + cstime (the children each has waited
   * for), in seconds: a worker that exits and is reaped moves its time to its parent's count
   * rather than out of the sum, so the figure only grows while the root lives.
   */
  cpuSeconds: number;
}

interface Row {
  ppid: number;
  rssPages: number;
  ticks: number;
}

/** Fields of /proc/PID/stat after the comm: ppid(4), utime(14), stime(15), cutime(16), cstime(17), rss(24). */
export function parseUsageStat(stat: string): Row | null {
  const close = stat.lastIndexOf(')');
  if (close < 0) return null;
  const f = stat.slice(close + 2).split(' ');
  const ppid = Number(f[1]);
  const ticks = Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]);
  const rssPages = Number(f[21]);
  if (!Number.isFinite(ppid) || !Number.isFinite(ticks) || !Number.isFinite(rssPages)) return null;
  return { ppid, rssPages, ticks };
}

/** Every process's stat row and its children, from one pass over /proc. */
export interface ProcTable {
  rows: ReadonlyMap<number, Row>;
  children: ReadonlyMap<number, readonly number[]>;
}

export function readProcTable(procDir = '/proc'): ProcTable {
  const rows = new Map<number, Row>();
  for (const entry of readdirSync(procDir)) {
    const c = entry.charCodeAt(0);
    if (c < 48 || c > 57) continue;
    let text: string;
    try {
      text = readFileSync(`${procDir}/${entry}/stat`, 'latin1');
    } catch {
      continue;
    }
    const r = parseUsageStat(text);
    if (r) rows.set(Number(entry), r);
  }
  const children = new Map<number, number[]>();
  for (const [pid, r] of rows) {
    const list = children.get(r.ppid);
    if (list) list.push(pid);
    else children.set(r.ppid, [pid]);
  }
  return { rows, children };
}

/** The tree under rootPid, or null when rootPid is gone. */
export function treeUsage(rootPid: number, procDir = '/proc'): TreeUsage | null {
  return usageIn(readProcTable(procDir), rootPid);
}

/** The tree under rootPid in a table already read (several services measured from one pass). */
export function usageIn({ rows, children }: ProcTable, rootPid: number): TreeUsage | null {
  if (!rows.has(rootPid)) return null;
  let rss = 0;
  let ticks = 0;
  let n = 0;
  const stack = [rootPid];
  const seen = new Set<number>();
  while (stack.length > 0 && n < 100_000) {
    const pid = stack.pop()!;
    if (seen.has(pid)) continue;
    seen.add(pid);
    const r = rows.get(pid);
    if (!r) continue;
    n++;
    rss += r.rssPages * PAGE_SIZE;
    ticks += r.ticks;
    for (const c of children.get(pid) ?? []) stack.push(c);
  }
  return { rootPid, processes: n, rssBytes: rss, cpuSeconds: ticks / CLOCK_TICKS_PER_SECOND };
}
