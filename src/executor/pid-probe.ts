// A cheap liveness probe of a pid file's pid: one read of the pid file, one of /proc/PID/stat.
// A process frozen by SIGSTOP is 'stopped': the controller checks it at once instead of at the
// next interval (the check still decides).
// A zombie counts as dead: PID 1 on these machines reaps orphans only every ~2 s, and
// kill(pid, 0) succeeds on a zombie (DESIGN.md, pitfalls).
// The pid file sits where the service owner may write: it is read through core/safe-open (no
// symlink on any component, no FIFO or device, at most 64 bytes), synchronously: the probe runs
// several times a second, and a promise-based readFile cost five threadpool round trips per file,
// most of an idle vaid's CPU with a few pid_file services (docs/performance.md).
import { readFileSync } from 'node:fs';
import { readSafe } from '../core/safe-open.js';
import type { PidProbe } from './types.js';
import { livenessOf as stateProbe, statState } from '../core/procfs.js';

export { stateProbe, statState };

/** Parses a pid file's content: the first line's decimal pid. */
export function parsePid(text: string): number | null {
  const m = /^\s*(\d{1,10})\s*(?:\n|$)/.exec(text);
  if (!m) return null;
  const pid = Number(m[1]);
  return pid > 0 && pid <= 4_194_304 ? pid : null;
}


/** The pid a pid file names, or why there is none. */
export function readPidFile(pidFile: string): number | string {
  let buf: Buffer | null;
  try {
    buf = readSafe(pidFile, 64);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code ?? (e as Error).message;
  }
  if (buf === null) return 'ENOENT';
  return parsePid(buf.toString('latin1')) ?? 'no pid in it';
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
    stat = readFileSync(`${procDir}/${pid}/stat`, 'latin1');
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'ESRCH' ? 'dead' : 'unknown';
  }
  const state = statState(stat);
  if (state === null) return 'unknown';
  return stateProbe(state);
}
