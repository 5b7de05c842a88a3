// Opening a path as root that a non-root user may influence (a service owner controls the dirs of
// its log_path and pid_file; anyone may own a dir on the way). Node has no openat(2), so the walk
// goes through /proc/self/fd/N/NAME: the kernel resolves /proc/self/fd/N to the directory the
// descriptor holds (wherever it has been moved since), and NAME is one component opened with
// O_NOFOLLOW. Every component is opened that way, so a symlink swapped in anywhere on the path,
// at any time, is refused, not followed. Two narrow exceptions keep ordinary systems working:
// a symlink owned by root in a root-owned dir nobody else can write (Debian's /var/run -> /run,
// /bin -> usr/bin) is followed, since no other user can plant or change it.
// The last open is O_NONBLOCK (a FIFO never blocks the main thread), then fstat must say
// "regular file", and reads are bounded. Missing parents are created only in directories that
// only root (or vaid's own user) can write, sticky world-writable dirs such as /tmp included.
import { closeSync, constants, fstatSync, lstatSync, mkdirSync, openSync, readlinkSync, readSync, type Stats } from 'node:fs';
import path from 'node:path';
import { VaiError } from '../errors.js';

const { O_RDONLY, O_WRONLY, O_RDWR, O_APPEND, O_CREAT, O_EXCL, O_NOFOLLOW, O_NONBLOCK, O_DIRECTORY } = constants;
const MAX_LINK_HOPS = 16;
const MAX_COMPONENTS = 256;

export interface SafeOpenOptions {
  /** 'read' (default), 'append' (logs), 'write' (read-write, e.g. the lock). */
  mode?: 'read' | 'append' | 'write';
  /** Create the file with this mode when missing. */
  create?: number;
  /** O_EXCL with create: fail when the file exists. */
  exclusive?: boolean;
  /** Create missing parent dirs with this mode (only inside dirs no other user can write). */
  mkdirParents?: number;
  /** Refuse a file with more than one link (a hard link planted to a file elsewhere). */
  singleLink?: boolean;
}

export interface SafeFile {
  fd: number;
  stat: Stats;
}

/** Refused: why in words a person can act on; `reason` is stable for tests and callers. */
export function unsafePath(file: string, reason: 'symlink' | 'not-regular' | 'not-directory' | 'unsafe-parent' | 'links' | 'too-deep', why: string): VaiError {
  return new VaiError('VAI_E_UNSAFE_PATH', `${file}: ${why}`, { file, reason });
}

const euid = (): number => (typeof process.geteuid === 'function' ? process.geteuid() : 0);

/** Writable only by root or vaid's own user (sticky world-writable dirs count as safe to create in). */
export function trustedDirStat(st: Stats): boolean {
  if (st.uid !== 0 && st.uid !== euid()) return false;
  if ((st.mode & 0o022) === 0) return true;
  return (st.mode & 0o1000) !== 0 && st.uid === 0;
}

/** Owner root (or vaid's user) and no group/world write: the manifests' rule for the marker and requests dirs. */
export function strictDirStat(st: Stats): boolean {
  return (st.uid === 0 || st.uid === euid()) && (st.mode & 0o022) === 0;
}

const at = (dirFd: number, name: string): string => `/proc/self/fd/${dirFd}/${name}`;

/**
 * Opens the directory `dir` component by component without following symlinks (but the trusted
 * system ones); returns its descriptor (the caller closes it).
 */
export function openDirSafe(dir: string, mkdirMode?: number): number {
  const abs = path.resolve(dir);
  let fd = openSync('/', O_RDONLY | O_DIRECTORY);
  const pending = abs.split('/').filter(Boolean);
  let hops = 0;
  let steps = 0;
  let walked = '/';
  try {
    while (pending.length) {
      if (++steps > MAX_COMPONENTS) throw unsafePath(abs, 'too-deep', 'too many path components');
      const name = pending.shift()!;
      if (name === '.') continue;
      if (name === '..') {
        // Only from a resolved trusted link's target: go up by opening the parent through the fd.
        const up = openSync(at(fd, '..'), O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
        closeSync(fd);
        fd = up;
        walked = path.dirname(walked);
        continue;
      }
      const next = path.join(walked, name);
      let child: number;
      try {
        child = openSync(at(fd, name), O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'ENOENT' && mkdirMode !== undefined) {
          if (!trustedDirStat(fstatSync(fd))) throw unsafePath(abs, 'unsafe-parent', `will not create ${next}: ${walked} is writable by other users`);
          try {
            mkdirSync(at(fd, name), { mode: mkdirMode });
          } catch (m) {
            if ((m as NodeJS.ErrnoException).code !== 'EEXIST') throw m;
          }
          pending.unshift(name);
          steps--;
          continue;
        }
        if (code !== 'ELOOP' && code !== 'ENOTDIR') throw e;
        const link = trustedLink(fd, name);
        if (link === null) {
          const st = lstatSync(at(fd, name));
          if (st.isSymbolicLink()) throw unsafePath(abs, 'symlink', `${next} is a symlink (vaid, running as root, follows no link a non-root user could plant)`);
          throw unsafePath(abs, 'not-directory', `${next} is not a directory`);
        }
        if (++hops > MAX_LINK_HOPS) throw unsafePath(abs, 'too-deep', 'too many symlinks');
        pending.unshift(...link.split('/').filter(Boolean));
        if (link.startsWith('/')) {
          closeSync(fd);
          fd = openSync('/', O_RDONLY | O_DIRECTORY);
          walked = '/';
        }
        continue;
      }
      closeSync(fd);
      fd = child;
      walked = next;
    }
    return fd;
  } catch (e) {
    closeSync(fd);
    throw e;
  }
}

/** The target of a symlink root owns in a dir only root can write; null for any other link. */
function trustedLink(dirFd: number, name: string): string | null {
  let st: Stats;
  try {
    st = lstatSync(at(dirFd, name));
  } catch {
    return null;
  }
  if (!st.isSymbolicLink() || st.uid !== 0) return null;
  const parent = fstatSync(dirFd);
  if (parent.uid !== 0 || (parent.mode & 0o022) !== 0) return null;
  return readlinkSync(at(dirFd, name));
}

/** Opens a file safely (see the header); throws VaiError VAI_E_UNSAFE_PATH or the errno error. */
export function openSafe(file: string, opts: SafeOpenOptions = {}): SafeFile {
  const abs = path.resolve(file);
  const base = path.basename(abs);
  if (base === '' || base === '.' || base === '..') throw unsafePath(abs, 'not-regular', 'not a file name');
  const dirFd = openDirSafe(path.dirname(abs), opts.mkdirParents);
  try {
    const mode = opts.mode ?? 'read';
    let flags = (mode === 'read' ? O_RDONLY : mode === 'append' ? O_WRONLY | O_APPEND : O_RDWR) | O_NOFOLLOW | O_NONBLOCK;
    if (opts.create !== undefined) flags |= O_CREAT | (opts.exclusive ? O_EXCL : 0);
    let fd: number;
    try {
      fd = openSync(at(dirFd, base), flags, opts.create ?? 0o600);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      // ENXIO: a FIFO without a reader opened for writing; ELOOP: a symlink at the last component.
      if (code === 'ELOOP') throw unsafePath(abs, 'symlink', 'is a symlink (vaid, running as root, follows no link a non-root user could plant)');
      if (code === 'ENXIO' || code === 'EWOULDBLOCK' || code === 'EAGAIN') throw unsafePath(abs, 'not-regular', 'is not a regular file (a FIFO, socket or device)');
      throw e;
    }
    const stat = fstatSync(fd);
    if (!stat.isFile()) {
      closeSync(fd);
      throw unsafePath(abs, 'not-regular', `is not a regular file (${kindOf(stat)})`);
    }
    if (opts.singleLink && stat.nlink > 1) {
      closeSync(fd);
      throw unsafePath(abs, 'links', `has ${stat.nlink} hard links (one may point at a file elsewhere)`);
    }
    return { fd, stat };
  } finally {
    closeSync(dirFd);
  }
}

/** At most `maxBytes` of a regular file, or null when it does not exist. */
export function readSafe(file: string, maxBytes: number): Buffer | null {
  return readSafeWithStat(file, maxBytes)?.data ?? null;
}

/** readSafe, with the stat of the file read (its identity: what a later lstat can be compared with). */
export function readSafeWithStat(file: string, maxBytes: number): { data: Buffer; stat: Stats } | null {
  let f: SafeFile;
  try {
    f = openSafe(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
  try {
    const buf = Buffer.alloc(Math.min(maxBytes, Math.max(0, f.stat.size) || maxBytes));
    let n = 0;
    while (n < buf.length) {
      const r = readSync(f.fd, buf, n, buf.length - n, n);
      if (r === 0) break;
      n += r;
    }
    return { data: buf.subarray(0, n), stat: f.stat };
  } finally {
    closeSync(f.fd);
  }
}

function kindOf(st: Stats): string {
  if (st.isFIFO()) return 'a FIFO';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  if (st.isDirectory()) return 'a directory';
  return 'not a regular file';
}
