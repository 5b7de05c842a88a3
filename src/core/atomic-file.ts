// The one atomic file writer of vai (status.json, its summary, the outbox's records).
// Crash-safe replacement of a file: a reader sees the old document or the new one, never half
// of one, and a kill -9 at any moment leaves one of the two on disk. The temp file is created
// with O_EXCL (so a symlink planted at its name is never followed) and rename() replaces
// whatever sits at the target, a planted symlink included, without following it.
// writeFileAtomicAsync does the same with the copy into the page cache and the fsync on libuv's
// thread pool, so a large document does not stop the event loop (checks, timers) while it is
// written; only the rename, which makes it visible, runs on the main thread.
import { closeSync, fchmodSync, fstatSync, fsyncSync, mkdirSync, readdirSync, statSync, openSync, renameSync, unlinkSync, writeSync, constants } from 'node:fs';
import { lstat, mkdir, open, readdir, rm, unlink, type FileHandle } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { VaiError } from '../errors.js';

/** Which file a document is (status.summary.json names the status.json it summarises). */
export interface FileIdentity {
  ino: number;
  size: number;
  mtimeMs: number;
}

const CREATE = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

function tempName(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
}

/** Returns the identity (stat) of the file now at `file`: status.summary.json names it. */
export function writeFileAtomic(file: string, data: string | Uint8Array, mode = 0o644): FileIdentity {
  const dir = path.dirname(file);
  const tmp = tempName(file);
  const fd = openSync(tmp, CREATE, mode);
  let identity: FileIdentity;
  try {
    fchmodSync(fd, mode);
    const buf = typeof data === 'string' ? Buffer.from(data) : data;
    let off = 0;
    while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
    fsyncSync(fd);
    identity = identityOf(fstatSync(fd));
  } catch (e) {
    closeSync(fd);
    unlinkSync(tmp);
    throw e;
  }
  closeSync(fd);
  try {
    renameSync(tmp, file);
  } catch (e) {
    unlinkSync(tmp);
    throw e;
  }
  syncDir(dir);
  return identity;
}

function identityOf(st: { ino: number; size: number; mtimeMs: number }): FileIdentity {
  return { ino: st.ino, size: st.size, mtimeMs: st.mtimeMs };
}

export type AsyncWriteResult = { committed: false } | { committed: true; dirSynced: Promise<void>; identity: FileIdentity };

/**
 * Writes `chunks` (joined, in order) to a temp file and fsyncs it off the main thread, then asks
 * `commit` whether this document is still the newest: if so it is renamed over `file` at once
 * (no await in between, so no newer write can slip in), else the temp file is removed.
 * Resolves as soon as the rename is done (readers see the new document); `dirSynced` resolves
 * when the directory's fsync, which makes the rename itself durable, is over. Until then a
 * power loss leaves the previous document, whose data was fsynced before its own rename.
 */
export async function writeFileAtomicAsync(
  file: string,
  chunks: readonly Uint8Array[],
  commit: () => boolean = () => true,
  mode = 0o644,
  opts: { fsync?: boolean } = {},
): Promise<AsyncWriteResult> {
  const tmp = tempName(file);
  const fh = await open(tmp, CREATE, mode);
  let written = false;
  let identity: FileIdentity | undefined;
  try {
    const total = chunks.reduce((n, c) => n + c.length, 0);
    // The chmod (the umask may have cut the mode) and the copy are independent: one wait, not two.
    // libuv writes every buffer (IOV_MAX at a time, retrying short writes); a short total is an error.
    const [, { bytesWritten }] = await Promise.all([fh.chmod(mode), fh.writev(chunks as Uint8Array[])]);
    if (bytesWritten !== total) throw new Error(`short write to ${tmp}: ${bytesWritten} of ${total} bytes`);
    // A file whose readers check it against another (status.summary.json) can skip the fsync.
    if (opts.fsync !== false) await fh.sync();
    identity = identityOf(await fh.stat());
    written = true;
  } finally {
    await fh.close().catch(() => undefined);
    if (!written) await unlink(tmp).catch(() => undefined);
  }
  if (!commit()) {
    await unlink(tmp).catch(() => undefined);
    return { committed: false };
  }
  try {
    renameSync(tmp, file);
  } catch (e) {
    await unlink(tmp).catch(() => undefined);
    throw e;
  }
  return { committed: true, dirSynced: opts.fsync === false ? Promise.resolve() : syncDirAsync(path.dirname(file)), identity: identity! };
}

export async function syncDirAsync(dir: string): Promise<void> {
  try {
    const fh = await open(dir, constants.O_RDONLY | constants.O_DIRECTORY);
    await fh.sync().finally(() => fh.close());
  } catch {
    // As in syncDir: the rename is atomic without it.
  }
}

/**
 * Removes temp files a killed writer left beside `file` (`.NAME.PID.RAND.tmp`). Only for a caller
 * that holds the lock on the directory, so that no other writer can be using one.
 */
export function removeStaleTemps(file: string): number {
  const dir = path.dirname(file);
  const prefix = `.${path.basename(file)}.`;
  let removed = 0;
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return 0;
  }
  for (const n of names) {
    if (!n.startsWith(prefix) || !/^\d+\.[0-9a-f]{8}\.tmp$/.test(n.slice(prefix.length))) continue;
    try {
      unlinkSync(path.join(dir, n));
      removed++;
    } catch {
      // Gone already or not ours to remove: harmless either way.
    }
  }
  return removed;
}

function syncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, constants.O_RDONLY | constants.O_DIRECTORY);
    fsyncSync(fd);
  } catch {
    // Some filesystems refuse fsync on a directory; the rename itself is still atomic there.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Creates dir (mode 0755) if missing; refuses a path that is not a directory. */
export function ensureDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o755 });
  } catch (e) {
    throw new VaiError('VAI_E_STATE_DIR', `cannot create ${dir}: ${(e as Error).message}`, { dir });
  }
  if (!statSync(dir).isDirectory()) throw new VaiError('VAI_E_STATE_DIR', `${dir} is not a directory`, { dir });
}

/** Creates the dir (0700) if needed and refuses one that is a symlink or not a directory (the outbox). */
export async function ensurePrivateDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const st = await lstat(dir);
  if (!st.isDirectory()) {
    throw new VaiError('VAI_E_STATE_DIR', `${dir} is not a directory (a symlink is refused)`, { path: dir });
  }
}

/** A private file (mode 0600: it may hold alert text), atomically, its directory fsynced after. */
export async function writePrivateFileAtomic(file: string, data: string): Promise<void> {
  const result = await writeFileAtomicAsync(file, [Buffer.from(data, 'utf8')], () => true, 0o600);
  if (result.committed) await result.dirSynced;
}

/** Reads a regular file without following a symlink; undefined when it does not exist. */
export async function readFileNoFollow(file: string): Promise<string | undefined> {
  let fh: FileHandle;
  try {
    fh = await open(file, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    if (code === 'ELOOP') throw new VaiError('VAI_E_STATE_DIR', `${file} is a symlink; refusing to read it`, { path: file });
    throw e;
  }
  try {
    return await fh.readFile('utf8');
  } finally {
    await fh.close();
  }
}

/** Removes every temp file (`.NAME.tmp`) a crash left in dir; for a dir only one writer uses. */
export async function removeStaleTempsIn(dir: string): Promise<void> {
  for (const name of await readdir(dir)) {
    if (name.startsWith('.') && name.endsWith('.tmp')) await rm(path.join(dir, name), { force: true });
  }
}
