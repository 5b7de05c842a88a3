// The rule for the marker and requests dirs, as for manifests: owned by root (or vaid's own
// user) and not writable by group or others, so no other local user can stop a service's
// recovery by touching NAME.stopped or trigger restarts. Entries not owned by that user are ignored.
import { lstatSync, type Stats } from 'node:fs';
import { strictDirStat } from '../../core/safe-open.js';

export type DirVerdict = { ok: true } | { ok: false; why: string };

export function judgeDir(dir: string): DirVerdict {
  let st: Stats;
  try {
    st = lstatSync(dir);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ENOENT' ? { ok: true } : { ok: false, why: `cannot stat ${dir}: ${(e as Error).message}` };
  }
  if (st.isSymbolicLink()) return { ok: false, why: `${dir} is a symlink` };
  if (!st.isDirectory()) return { ok: false, why: `${dir} is not a directory` };
  if (!strictDirStat(st)) return { ok: false, why: `${dir} is owned by uid ${st.uid} with mode ${(st.mode & 0o7777).toString(8)}: it must be owned by root and not group/world-writable (chmod go-w; chown root)` };
  return { ok: true };
}

/** Entries owned by another user than root (or vaid's own): they could have been planted. */
export function foreignOwner(st: Stats): boolean {
  const me = typeof process.geteuid === 'function' ? process.geteuid() : 0;
  return st.uid !== 0 && st.uid !== me;
}
