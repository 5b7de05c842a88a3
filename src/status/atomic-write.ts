// Crash-safe replacement of a file: a reader sees the old document or the new one, never half
// of one, and a kill -9 at any moment leaves one of the two on disk. The temp file is created
// with O_EXCL (so a symlink planted at its name is never followed) and rename() replaces
// whatever sits at the target, a planted symlink included, without following it.
import { closeSync, fchmodSync, fsyncSync, mkdirSync, statSync, openSync, renameSync, unlinkSync, writeSync, constants } from 'node:fs';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { VaiError } from '../errors.js';

export function writeFileAtomic(file: string, data: string | Uint8Array, mode = 0o644): void {
  const dir = path.dirname(file);
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, mode);
  try {
    fchmodSync(fd, mode);
    const buf = typeof data === 'string' ? Buffer.from(data) : data;
    let off = 0;
    while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
    fsyncSync(fd);
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
