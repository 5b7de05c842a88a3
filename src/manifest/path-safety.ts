// Paths a manifest names that vaid opens as root (log_path, pid_file). safe-open refuses a symlink,
// FIFO or device there whenever it opens one, so nothing is written through them; but a directory
// on the way that a non-root user owns or can write lets that user swap the file at any moment
// (the log stops, the pid probe goes blind). The loader says so at load time, as a warning with
// the field's position: the manifest is trusted, its author may have meant it.
import { lstatSync, statSync, type Stats } from 'node:fs';
import path from 'node:path';
import type { ServiceManifest } from './schema.js';
import type { ManifestError } from './types.js';
import { errorAt, type Candidate } from './candidate.js';

/** The fields holding a path vaid opens as root. */
export const ROOT_OPENED_FIELDS = ['log_path', 'pid_file'] as const;

const euid = (): number => (typeof process.geteuid === 'function' ? process.geteuid() : 0);

/**
 * Why a non-root user could swap `file`, or null. Every existing directory from `/` down to the
 * file's parent must belong to root (or the user running this) and not be writable by group or
 * others; a root-owned sticky directory (/tmp) passes, as safe-open lets it: others cannot rename
 * what they do not own there. Missing directories are not judged (vaid creates them only inside
 * trusted ones). Reads only metadata; never throws.
 */
export function unsafeDirectoryReason(file: string, ownUid: number = euid()): string | null {
  const parts = path.resolve(file).split('/').filter(Boolean).slice(0, -1);
  let dir = '/';
  for (let i = 0; i <= parts.length; i++) {
    if (i > 0) dir = path.join(dir, parts[i - 1] as string);
    let st: Stats;
    try {
      st = lstatSync(dir);
      if (st.isSymbolicLink()) {
        if (st.uid !== 0 && st.uid !== ownUid) return `${dir} is a symlink owned by uid ${st.uid}, who can point it anywhere`;
        st = statSync(dir);
      }
    } catch {
      return null;
    }
    if (!st.isDirectory()) return null;
    if (st.uid !== 0 && st.uid !== ownUid) return `${dir} is owned by uid ${st.uid}, not root`;
    const writable = st.mode & 0o022;
    if (writable !== 0 && !((st.mode & 0o1000) !== 0 && st.uid === 0)) {
      const who = writable === 0o022 ? 'group and others' : writable & 0o020 ? 'group' : 'others';
      return `${dir} is writable by ${who} (mode ${(st.mode & 0o7777).toString(8).padStart(4, '0')})`;
    }
  }
  return null;
}

/** VAI_W_UNSAFE_PATH_DIR for each root-opened path under a directory a non-root user controls. */
export function checkPathSafety(m: ServiceManifest, c: Candidate): ManifestError[] {
  const workingDir = path.dirname(c.source.file);
  return ROOT_OPENED_FIELDS.flatMap((field) => {
    const value = m.spec[field];
    if (value === undefined) return [];
    const why = unsafeDirectoryReason(path.resolve(workingDir, value));
    return why === null ? [] : [errorAt(c, ['spec', field], 'value', 'VAI_W_UNSAFE_PATH_DIR', pathWarning(why))];
  });
}

/** Describe's `Path Warning` lines: the same words for a loaded spec, its paths resolved from its file's dir. */
export function pathWarnings(spec: Pick<ServiceManifest['spec'], (typeof ROOT_OPENED_FIELDS)[number]>, sourceFile: string): string[] {
  return ROOT_OPENED_FIELDS.flatMap((field) => {
    const value = spec[field];
    if (value === undefined) return [];
    const why = unsafeDirectoryReason(path.resolve(path.dirname(sourceFile), value));
    return why === null ? [] : [`${field}: ${pathWarning(why)}`];
  });
}

/** The words validate and describe share. */
export function pathWarning(why: string): string {
  return `${why}: a non-root user can swap this file at any time (vaid refuses what it finds there if it is not a regular file, and the log or pid probe stops working); keep it in a directory only root can write`;
}
