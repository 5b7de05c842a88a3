// The state-dir lock lives in status/state-dir/lock.ts (flock held for the holder's life).
// isVaiProcess stays here for vaictl's "is vaid running" wording, never for the lock's decision.
import { readFileSync } from 'node:fs';

export { acquireLock, lockHolder, lockIsHeld, type Lock } from '../../status/state-dir/lock.js';

/** The process exists, is not a zombie, and runs vaid or vaictl (information for vaictl's messages). */
export function isVaiProcess(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    if (state === 'Z' || state === 'X') return false;
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return /vaid|vaictl/.test(cmdline);
  } catch {
    return false;
  }
}
