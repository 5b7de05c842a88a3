// One vaid (or one vaictl reconcile --once) per state dir: STATE_DIR/vaid.lock is held with
// flock(2) on a descriptor kept open for the holder's whole life, so the kernel releases it when
// the holder dies, however it dies; the pid written in the file is information for people only.
// Node has no flock binding: util-linux's flock(1), part of every Debian and Ubuntu base system,
// is run once with our descriptor as its fd 3. A flock belongs to the open file description, not
// to the process, so it stays with vaid's descriptor after flock(1) exits. (koffi or a native
// addon would do the same in-process, at the cost of a native dependency that `npm ci` must fetch.)
// After locking, the descriptor's inode must still be the file at the path: a holder that unlinks
// the file as it leaves cannot let a late opener lock a deleted inode while a third locks a new one.
import { spawnSync } from 'node:child_process';
import { closeSync, fstatSync, ftruncateSync, unlinkSync, writeSync } from 'node:fs';
import { VaiError } from '../../errors.js';
import { openSafe, readSafe } from '../../core/safe-open.js';

export interface Lock {
  file: string;
  release(): void;
}

const FLOCK_BUSY = 75;
const ATTEMPTS = 5;

/** Takes the lock or throws VAI_E_LOCKED (held by a live process) / VAI_E_STATE_DIR. */
export function acquireLock(file: string): Lock {
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    let fd: number;
    try {
      fd = openSafe(file, { mode: 'write', create: 0o644, singleLink: true }).fd;
    } catch (e) {
      throw new VaiError('VAI_E_STATE_DIR', `cannot open ${file}: ${(e as Error).message}`, { file });
    }
    const r = flock(fd, 'exclusive');
    if (r === 'busy') {
      closeSync(fd);
      const holder = lockHolder(file);
      throw new VaiError('VAI_E_LOCKED', `another vaid${holder !== null ? ` (pid ${holder})` : ''} holds ${file}`, { pid: holder, file });
    }
    if (r !== 'locked') {
      closeSync(fd);
      throw new VaiError('VAI_E_STATE_DIR', `cannot lock ${file}: ${r}`, { file });
    }
    if (!sameInode(fd, file)) {
      closeSync(fd);
      continue;
    }
    ftruncateSync(fd, 0);
    writeSync(fd, `${process.pid}\n`, 0);
    let held = true;
    return {
      file,
      release() {
        if (!held) return;
        held = false;
        // Unlink while still holding, then close: see the header.
        try {
          if (sameInode(fd, file)) unlinkSync(file);
        } catch {
          // Already gone.
        }
        closeSync(fd);
      },
    };
  }
  throw new VaiError('VAI_E_LOCKED', `cannot take ${file}: it keeps being replaced`, { file });
}

/** Whether some process holds the lock now (null when that cannot be told: no file, no flock(1)). */
export function lockIsHeld(file: string): boolean | null {
  let fd: number;
  try {
    fd = openSafe(file).fd;
  } catch {
    return null;
  }
  try {
    const r = flock(fd, 'shared');
    return r === 'busy' ? true : r === 'locked' ? false : null;
  } finally {
    closeSync(fd);
  }
}

function flock(fd: number, how: 'exclusive' | 'shared'): 'locked' | 'busy' | string {
  const r = spawnSync('flock', [how === 'exclusive' ? '-x' : '-s', '-n', '-E', String(FLOCK_BUSY), '3'], { stdio: ['ignore', 'ignore', 'pipe', fd], timeout: 10_000 });
  if (r.error) return `flock(1) could not run: ${r.error.message} (install util-linux)`;
  if (r.status === 0) return 'locked';
  if (r.status === FLOCK_BUSY) return 'busy';
  return `flock(1) exited ${r.status ?? r.signal}: ${r.stderr.toString().trim()}`;
}

function sameInode(fd: number, file: string): boolean {
  try {
    const a = fstatSync(fd);
    const b = openSafe(file);
    try {
      return a.ino === b.stat.ino && a.dev === b.stat.dev;
    } finally {
      closeSync(b.fd);
    }
  } catch {
    return false;
  }
}

/** The pid written in the lock file (information only), or null when missing or unreadable. */
export function lockHolder(file: string): number | null {
  try {
    const text = readSafe(file, 64)?.toString('utf8').trim() ?? '';
    const pid = Number.parseInt(text, 10);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}
