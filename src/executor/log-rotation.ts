// Keeps the logs vai writes bounded. A daemon that restart_cmd started with `&` holds the log's
// descriptor (O_APPEND) for its whole life, so renaming the file would leave it writing to the
// renamed copy forever: the rotation copies, then truncates (logrotate's copytruncate). After the
// truncate the writer's next O_APPEND write lands at the new end, offset 0. What is written
// between the end of the copy and the truncate is copied too (a second, short pass), so only a
// write racing the truncate itself can be lost.
// The log's directory may belong to the service's user: every open goes through core/safe-open
// (no symlink on any component, regular files only, no second hard link), and renames and
// unlinks go through the directory's descriptor (/proc/self/fd/N/NAME), so a directory swapped
// for a symlink mid-rotation is never followed.
// Files are polled with an lstat; only a file over its limit is opened. A log in vaid's own logs
// directory (root's, on the state dir's disk) is looked at synchronously: 50 async lstats every
// pass were 25 thread-pool round trips a second, most of an idle vaid's CPU at 50 services
// (docs/performance.md). A log_path elsewhere keeps the async lstat: its directory may be a
// mount its owner controls (FUSE, NFS), and a stat there must never stall vaid's loop. When a file is already over twice its limit at a pass (it grows faster than the
// passes keep up with), or a rotation fails, the service gets a warning.
import { closeSync, createWriteStream, fstatSync, ftruncateSync, lstatSync, read, readSync, renameSync, unlinkSync, write, type Stats } from 'node:fs';
import { once } from 'node:events';
import { promisify } from 'node:util';
import { lstat } from 'node:fs/promises';
import path from 'node:path';
import { createGzip } from 'node:zlib';
import { openDirSafe, openSafe } from '../core/safe-open.js';
import type { LogRotationPolicy } from './log-rotation-policy.js';
import { everyOnGrid, type GridTimer } from '../core/grid-timer.js';

export { DEFAULT_LOG_ROTATION, describePolicy, rotationPolicy, type LogRotationPolicy } from './log-rotation-policy.js';

export type RotationOutcome = { rotated: false } | { rotated: true; bytes: number };

/** How often every known log's size is looked at. */
export const ROTATION_PASS_MS = 2000;
const COPY_CHUNK = 256 * 1024;
/** At most this much is read synchronously right before the truncate. */
const SYNC_TAIL = 256 * 1024;
const readAt = promisify(read);
const writeFd = promisify(write);

interface Sink {
  write(b: Buffer): Promise<void>;
  end(): Promise<void>;
}

/** Writes to `fd` (closing it at the end), through gzip when asked. */
function openSink(fd: number, gzip: boolean): Sink {
  if (!gzip) {
    return {
      write: async (b) => {
        let off = 0;
        while (off < b.length) off += (await writeFd(fd, b, off, b.length - off)).bytesWritten;
      },
      end: async () => closeSync(fd),
    };
  }
  const z = createGzip();
  const file = createWriteStream('', { fd, autoClose: true });
  z.pipe(file);
  return {
    write: async (b) => {
      if (!z.write(b)) await once(z, 'drain');
    },
    end: async () => {
      const closed = once(file, 'close');
      z.end();
      await closed;
    },
  };
}

const at = (dirFd: number, name: string): string => `/proc/self/fd/${dirFd}/${name}`;
const copyName = (base: string, i: number, p: LogRotationPolicy): string => `${base}.${i}${p.compress ? '.gz' : ''}`;

/** Rotates `file` when it is at least `maxBytes`; throws VaiError VAI_E_UNSAFE_PATH or an errno error. */
export async function rotateIfNeeded(file: string, p: LogRotationPolicy): Promise<RotationOutcome> {
  const abs = path.resolve(file);
  const base = path.basename(abs);
  const log = openSafe(abs, { mode: 'write', singleLink: true });
  let dirFd: number | null = null;
  try {
    if (log.stat.size < p.maxBytes) return { rotated: false };
    dirFd = openDirSafe(path.dirname(abs));
    try {
      unlinkSync(at(dirFd, copyName(base, p.keep, p)));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    for (let i = p.keep - 1; i >= 1; i--) {
      try {
        renameSync(at(dirFd, copyName(base, i, p)), at(dirFd, copyName(base, i + 1, p)));
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      }
    }
    const tmp = `${copyName(base, 1, p)}.tmp`;
    try {
      unlinkSync(at(dirFd, tmp));
    } catch {
      // None left by an earlier pass.
    }
    const out = openSafe(path.join(path.dirname(abs), tmp), { mode: 'write', create: 0o640, exclusive: true, singleLink: true });
    const sink = openSink(out.fd, p.compress);
    let copied = 0;
    let ended = false;
    try {
      const copyTo = async (end: number): Promise<void> => {
        while (copied < end) {
          // A fresh buffer each time: gzip may still hold the last one.
          const buf = Buffer.allocUnsafe(COPY_CHUNK);
          const { bytesRead } = await readAt(log.fd, buf, 0, Math.min(COPY_CHUNK, end - copied), copied);
          if (bytesRead === 0) break;
          await sink.write(buf.subarray(0, bytesRead));
          copied += bytesRead;
        }
      };
      await copyTo(log.stat.size);
      // Catch up with what the daemon writes meanwhile; the last few bytes are read synchronously
      // and the truncate follows in the same tick, so nothing written before it is lost.
      for (let round = 0; round < 4 && fstatSync(log.fd).size - copied > SYNC_TAIL; round++) await copyTo(fstatSync(log.fd).size);
      const end = Math.min(fstatSync(log.fd).size, copied + SYNC_TAIL);
      const last = Buffer.allocUnsafe(end - copied);
      let n = 0;
      while (n < last.length) {
        const r = readSync(log.fd, last, n, last.length - n, copied + n);
        if (r === 0) break;
        n += r;
      }
      ftruncateSync(log.fd, 0);
      copied += n;
      await sink.write(last.subarray(0, n));
      ended = true;
      await sink.end();
    } finally {
      if (!ended) await sink.end().catch(() => undefined);
    }
    renameSync(at(dirFd, tmp), at(dirFd, copyName(base, 1, p)));
    return { rotated: true, bytes: copied };
  } finally {
    closeSync(log.fd);
    if (dirFd !== null) closeSync(dirFd);
  }
}

interface Watched {
  service: string;
  file: string;
  policy: LogRotationPolicy;
  /** In vaid's own logs directory: looked at with a synchronous lstat. */
  own: boolean;
}

/**
 * The logs of every service vaid has run a command for, each rotated by its own policy on a
 * timer. `warning(service)` says (once) why a log is not kept bounded, for a Warning event.
 */
export class LogRotator {
  private readonly files = new Map<string, Watched>();
  private readonly warnings = new Map<string, string>();
  private timer: GridTimer | undefined;
  private running = false;

  constructor(
    private readonly onRotated?: (service: string, file: string, bytes: number) => void,
    private readonly passMs = ROTATION_PASS_MS,
  ) {}

  /** `own`: the file is in vaid's own logs directory (state dir), not a service's log_path. */
  watch(service: string, file: string, policy: LogRotationPolicy, own = false): void {
    const abs = path.resolve(file);
    this.files.set(abs, { service, file: abs, policy, own });
    this.timer ??= everyOnGrid(this.passMs, () => void this.pass());
  }

  /** The pending warning of a service, cleared once read. */
  warning(service: string): string | undefined {
    const w = this.warnings.get(service);
    if (w !== undefined) this.warnings.delete(service);
    return w;
  }

  /** One look at every file; rotations run one at a time, and a pass never overlaps the next. */
  async pass(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      for (const w of this.files.values()) {
        const st = w.own ? ownLstat(w.file) : await lstat(w.file).catch(() => null);
        if (!st || !st.isFile() || st.size < w.policy.maxBytes) continue;
        try {
          const r = await rotateIfNeeded(w.file, w.policy);
          if (r.rotated) this.onRotated?.(w.service, w.file, r.bytes);
          if (st.size >= 2 * w.policy.maxBytes) {
            this.warnings.set(w.service, `log rotation cannot keep up: ${w.file} had grown to ${mb(st.size)} MB, over twice its limit of ${mb(w.policy.maxBytes)} MB, between two passes ${this.passMs / 1000} s apart (rotated; raise log_rotation.max_mb or make the service log less)`);
          }
        } catch (e) {
          this.warnings.set(w.service, `log rotation failed: ${w.file} (${mb(st.size)} MB, limit ${mb(w.policy.maxBytes)} MB) is not rotated: ${(e as Error).message}`);
        }
      }
    } finally {
      this.running = false;
    }
  }

  close(): void {
    this.timer?.stop();
    this.timer = undefined;
  }
}

function ownLstat(file: string): Stats | null {
  try {
    return lstatSync(file, { throwIfNoEntry: false }) ?? null;
  } catch {
    return null;
  }
}

function mb(bytes: number): string {
  return String(Number((bytes / 1024 / 1024).toFixed(2)));
}
