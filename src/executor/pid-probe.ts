// A cheap liveness probe of a pid file's pid: one read of the pid file, one of /proc/PID/stat.
// A process frozen by SIGSTOP is 'stopped': the controller checks it at once instead of at the
// next interval (the check still decides).
// A zombie counts as dead: PID 1 on these machines reaps orphans only every ~2 s, and
// kill(pid, 0) succeeds on a zombie (DESIGN.md, pitfalls).
// The pid file sits where the service owner may write: it is read through core/safe-open (no
// symlink, no FIFO or device, at most PID_FILE_MAX_BYTES), synchronously, since a non-blocking
// open of a regular file of a few bytes costs less than a trip through the thread pool, where
// one FIFO used to hold a thread (and with it every probe) for good.
import { readFile } from 'node:fs/promises';
import { readSafe } from '../core/safe-open.js';

const PID_FILE_MAX_BYTES = 64;
import type { PidProbe } from './types.js';

/** Parses a pid file's content: the first line's decimal pid. */
export function parsePid(text: string): number | null {
  const m = /^\s*(\d{1,10})\s*(?:\n|$)/.exec(text);
  if (!m) return null;
  const pid = Number(m[1]);
  return pid > 0 && pid <= 4_194_304 ? pid : null;
}

/** The state letter of /proc/PID/stat (R, S, D, Z, T, X...), after the comm's closing paren. */
export function statState(stat: string): string | null {
  const close = stat.lastIndexOf(')');
  if (close < 0) return null;
  return stat.charAt(close + 2) || null;
}

export async function probePidFile(pidFile: string, procDir = '/proc'): Promise<PidProbe> {
  let text: string;
  try {
    const buf = readSafe(pidFile, PID_FILE_MAX_BYTES);
    if (buf === null) return 'unknown';
    text = buf.toString('utf8');
  } catch {
    return 'unknown';
  }
  const pid = parsePid(text);
  if (pid === null) return 'unknown';
  return probePid(pid, procDir);
}

export async function probePid(pid: number, procDir = '/proc'): Promise<PidProbe> {
  let stat: string;
  try {
    stat = await readFile(`${procDir}/${pid}/stat`, 'latin1');
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'ESRCH' ? 'dead' : 'unknown';
  }
  const state = statState(stat);
  if (state === null) return 'unknown';
  return stateProbe(state);
}

/** Z and X are dead; T (stopped by a signal, not a debugger's t) is stopped; anything else runs. */
export function stateProbe(state: string): PidProbe {
  if (state === 'Z' || state === 'X' || state === 'x') return 'dead';
  return state === 'T' ? 'stopped' : 'alive';
}
