// Reading /proc/PID/stat: the one parser of its fields. The comm (field 2) may hold spaces and
// parentheses, so fields are counted after its last ')'.
// A zombie counts as dead: PID 1 on these machines reaps orphans only every ~2 s, and
// kill(pid, 0) succeeds on a zombie (DESIGN.md, pitfalls).
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';

/** What /proc/PID/stat says of a process: its state letter, parent, group and start time (clock ticks since boot). */
export interface ProcStat {
  state: string;
  ppid: number;
  pgrp: number;
  startTime: number;
}

export type Liveness = 'alive' | 'dead' | 'stopped';

/** The state letter (R, S, D, Z, T, X...) after the comm's closing paren. */
export function statState(stat: string): string | null {
  const close = stat.lastIndexOf(')');
  if (close < 0) return null;
  return stat.charAt(close + 2) || null;
}

export function parseStat(stat: string): ProcStat | null {
  const close = stat.lastIndexOf(')');
  if (close < 0) return null;
  // Fields after the comm: state(3) ppid(4) pgrp(5) ... starttime(22).
  const f = stat.slice(close + 2).split(' ');
  const state = f[0];
  const ppid = Number(f[1]);
  const pgrp = Number(f[2]);
  const startTime = Number(f[19]);
  if (!state || !Number.isFinite(ppid) || !Number.isFinite(pgrp) || !Number.isFinite(startTime)) return null;
  return { state, ppid, pgrp, startTime };
}

/** Z and X are dead; T (stopped by a signal, not a debugger's t) is stopped; anything else runs. */
export function livenessOf(state: string): Liveness {
  if (state === 'Z' || state === 'X' || state === 'x') return 'dead';
  return state === 'T' ? 'stopped' : 'alive';
}

/** /proc/PID/stat read synchronously (one small read); null when it cannot be read or parsed. */
export function readStat(pid: number, procDir = '/proc'): ProcStat | null {
  try {
    return parseStat(readFileSync(`${procDir}/${pid}/stat`, 'latin1'));
  } catch {
    return null;
  }
}

/** Whether pid names a live process (not a zombie); for the lock's stale-holder test. */
export function isAlive(pid: number, procDir = '/proc'): boolean {
  const st = readStat(pid, procDir);
  return st !== null && livenessOf(st.state) !== 'dead';
}

/**
 * Descriptors of /proc/PID/stat kept open for the processes probed twice a second (the freeze
 * probe): one pread instead of readFileSync's open, fstat, reads and close, which was a fifth of
 * an idle vaid's CPU at 50 services. A descriptor names the process it was opened on, not its
 * number: once that process has exited (a zombie included) the read fails with ESRCH, so a
 * reused pid is never read through an old descriptor. Only the real /proc behaves so; a test's
 * fake procDir is read afresh each time.
 */
const held = new Map<number, number>();
const MAX_HELD = 256;
const statBuf = Buffer.allocUnsafe(4096);

/** The text of /proc/PID/stat, read through a held descriptor; throws the errno error (ENOENT, ESRCH) as readFileSync does. */
export function readStatText(pid: number, procDir = '/proc'): string {
  if (procDir !== '/proc') return readFileSync(`${procDir}/${pid}/stat`, 'latin1');
  let fd = held.get(pid);
  if (fd === undefined) {
    if (held.size >= MAX_HELD) releaseStatDescriptors();
    fd = openSync(`/proc/${pid}/stat`, 'r');
    held.set(pid, fd);
  }
  try {
    return statBuf.toString('latin1', 0, readSync(fd, statBuf, 0, statBuf.length, 0));
  } catch (e) {
    held.delete(pid);
    closeSync(fd);
    throw e;
  }
}

/** Closes every held descriptor (they are opened again on the next read). */
export function releaseStatDescriptors(): void {
  for (const fd of held.values()) closeSync(fd);
  held.clear();
}
