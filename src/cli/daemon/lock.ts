// One vaid (or one vaictl reconcile --once) per state dir: STATE_DIR/vaid.lock holds the pid
// of its owner, created with O_EXCL. A lock left by a dead process (no /proc entry, a zombie,
// or a pid reused by an unrelated program) is stale and taken over.
import { closeSync, openSync, readFileSync, unlinkSync, writeSync, constants } from 'node:fs';
import { VaiError } from '../../errors.js';

export interface Lock {
  file: string;
  release(): void;
}

export function acquireLock(file: string): Lock {
  for (let attempt = 0; attempt < 3; attempt++) {
    let fd: number;
    try {
      fd = openSync(file, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o644);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw new VaiError('VAI_E_STATE_DIR', `cannot create ${file}: ${(e as Error).message}`, { file });
      const holder = lockHolder(file);
      if (holder !== null && holder !== process.pid && isVaiProcess(holder)) {
        throw new VaiError('VAI_E_LOCKED', `another vaid (pid ${holder}) holds ${file}`, { pid: holder, file });
      }
      try {
        unlinkSync(file);
      } catch {
        // Someone else removed it first; try again.
      }
      continue;
    }
    writeSync(fd, `${process.pid}\n`);
    closeSync(fd);
    return {
      file,
      release() {
        if (lockHolder(file) === process.pid) unlinkSync(file);
      },
    };
  }
  throw new VaiError('VAI_E_LOCKED', `cannot take ${file}: it keeps reappearing`, { file });
}

/** The pid written in the lock file, or null when it is missing or unreadable. */
export function lockHolder(file: string): number | null {
  try {
    const pid = Number.parseInt(readFileSync(file, 'utf8').trim(), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

/** The process exists, is not a zombie, and runs vaid or vaictl (so a reused pid does not count). */
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
