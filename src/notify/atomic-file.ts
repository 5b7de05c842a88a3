// Files in the outbox dir may hold alert text: mode 0600, written atomically (temp + fsync +
// rename + fsync of the dir) and never through a symlink planted in their place.
import { constants as C } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { VaiError } from '../errors.js';

/** Creates the dir (0700) if needed and refuses one that is a symlink or not a directory. */
export async function ensurePrivateDir(dir: string): Promise<void> {
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  const st = await fs.lstat(dir);
  if (!st.isDirectory()) {
    throw new VaiError('VAI_E_STATE_DIR', `${dir} is not a directory (a symlink is refused)`, { path: dir });
  }
}

export async function writeFileAtomic(file: string, data: string): Promise<void> {
  const dir = path.dirname(file);
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const fh = await fs.open(tmp, C.O_WRONLY | C.O_CREAT | C.O_EXCL | C.O_NOFOLLOW, 0o600);
  try {
    await fh.writeFile(data, 'utf8');
    await fh.sync();
  } catch (e) {
    await fh.close();
    await fs.rm(tmp, { force: true });
    throw e;
  }
  await fh.close();
  // rename replaces a symlink at `file` itself; it never writes through it.
  await fs.rename(tmp, file);
  await syncDir(dir);
}

export async function syncDir(dir: string): Promise<void> {
  const d = await fs.open(dir, C.O_RDONLY | C.O_DIRECTORY);
  try {
    await d.sync();
  } finally {
    await d.close();
  }
}

/** Reads a regular file without following a symlink; undefined when it does not exist. */
export async function readFileNoFollow(file: string): Promise<string | undefined> {
  let fh: fs.FileHandle;
  try {
    fh = await fs.open(file, C.O_RDONLY | C.O_NOFOLLOW);
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

/** Removes temp files a crash left behind. */
export async function removeStaleTemps(dir: string): Promise<void> {
  for (const name of await fs.readdir(dir)) {
    if (name.startsWith('.') && name.endsWith('.tmp')) await fs.rm(path.join(dir, name), { force: true });
  }
}
