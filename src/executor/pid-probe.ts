// A cheap liveness probe of a pid file's pid: one read of the pid file, one of /proc/PID/stat.
// A process frozen by SIGSTOP is 'stopped': the controller checks it at once instead of at the
// next interval (the check still decides).
// A zombie counts as dead: PID 1 on these machines reaps orphans only every ~2 s, and
// kill(pid, 0) succeeds on a zombie (DESIGN.md, pitfalls).
// The pid file sits where the service owner may write: it is read through core/safe-open (no
// symlink on any component, no FIFO or device, at most 64 bytes), synchronously: the probe runs
// several times a second, and a promise-based readFile cost five threadpool round trips per file,
// most of an idle vaid's CPU with a few pid_file services (docs/performance.md).
import { lstatSync } from 'node:fs';
import { readSafeWithStat } from '../core/safe-open.js';
import type { PidProbe } from './types.js';
import { livenessOf as stateProbe, readStatText, statState } from '../core/procfs.js';

export { stateProbe, statState };

/** Parses a pid file's content: the first line's decimal pid. */
export function parsePid(text: string): number | null {
  const m = /^\s*(\d{1,10})\s*(?:\n|$)/.exec(text);
  if (!m) return null;
  const pid = Number(m[1]);
  return pid > 0 && pid <= 4_194_304 ? pid : null;
}


/** A pid file's identity when it was last read safely, and the pid it named. */
interface ReadPid {
  dev: number;
  ino: number;
  size: number;
  mtimeMs: number;
  ctimeMs: number;
  pid: number;
}

/** Bounds the memory of pid files read (a manifest edit renaming pid files many times). */
const MAX_REMEMBERED = 4096;
const lastRead = new Map<string, ReadPid>();

/**
 * The pid a pid file names, or why there is none. The safe read walks every directory of the
 * path with O_NOFOLLOW opens (a dozen syscalls), and the probe reads each pid file twice a
 * second: while one lstat shows the very file last read safely (same device, inode, size,
 * mtime and ctime; any write or rename changes one), its content is what that read found and
 * the pid is returned again. Whatever the path now resolves through, that inode's bytes were
 * read safely; a changed or replaced file is read safely again.
 */
export function readPidFile(pidFile: string): number | string {
  const last = lastRead.get(pidFile);
  if (last) {
    try {
      const st = lstatSync(pidFile);
      if (st.isFile() && st.dev === last.dev && st.ino === last.ino && st.size === last.size && st.mtimeMs === last.mtimeMs && st.ctimeMs === last.ctimeMs) return last.pid;
    } catch {
      // gone or unreadable: the safe read below says which
    }
    lastRead.delete(pidFile);
  }
  let read: ReturnType<typeof readSafeWithStat>;
  try {
    read = readSafeWithStat(pidFile, 64);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code ?? (e as Error).message;
  }
  if (read === null) return 'ENOENT';
  const pid = parsePid(read.data.toString('latin1'));
  if (pid === null) return 'no pid in it';
  if (lastRead.size >= MAX_REMEMBERED) lastRead.clear();
  const { dev, ino, size, mtimeMs, ctimeMs } = read.stat;
  lastRead.set(pidFile, { dev, ino, size, mtimeMs, ctimeMs, pid });
  return pid;
}

export async function probePidFile(pidFile: string, procDir = '/proc'): Promise<PidProbe> {
  const pid = readPidFile(pidFile);
  if (typeof pid === 'string') return 'unknown';
  return probePid(pid, procDir);
}

/** /proc reads never block: one synchronous read, no threadpool hop. */
export async function probePid(pid: number, procDir = '/proc'): Promise<PidProbe> {
  let stat: string;
  try {
    stat = readStatText(pid, procDir);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'ESRCH' ? 'dead' : 'unknown';
  }
  const state = statState(stat);
  if (state === null) return 'unknown';
  return stateProbe(state);
}
