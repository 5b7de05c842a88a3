// A cheap liveness probe of a pid file's pid: one read of the pid file, one of /proc/PID/stat.
// A process frozen by SIGSTOP is 'stopped': the controller checks it at once instead of at the
// next interval (the check still decides).
// A zombie counts as dead: PID 1 on these machines reaps orphans only every ~2 s, and
// kill(pid, 0) succeeds on a zombie (DESIGN.md, pitfalls).
import { readFile } from 'node:fs/promises';
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


export async function probePidFile(pidFile: string, procDir = '/proc'): Promise<PidProbe> {
  let text: string;
  try {
    text = await readFile(pidFile, 'utf8');
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
