// Watches one flat directory (the marker dir, the restart-request dir) and reports its trusted
// file names after every change. fs.watch (inotify) gives the speed; a periodic rescan covers
// what inotify can miss (the dir replaced, an overflowing event queue), so the result is level-based:
// every 10 s while the watch is up (only a safety net then), every 2 s while it is not.
// Trust (status/state-dir/dir-rule.ts): the dir must be owned by root (or vaid's user) and not
// group/world-writable, else its entries are ignored; an entry owned by another user is ignored.
// Each problem is warned about once, and again only after it went away and came back.
import { watch, readdirSync, lstatSync, type FSWatcher } from 'node:fs';
import path from 'node:path';
import { judgeDir, foreignOwner } from '../status/state-dir/dir-rule.js';
import { everyOnGrid } from '../core/grid-timer.js';

export interface DirWatch {
  /** Names now in the directory (as last scanned), trusted ones only. */
  names(): ReadonlySet<string>;
  close(): void;
}

export interface DirWatchOptions {
  /** The rescan while inotify is not watching (it failed, the dir is missing). */
  rescanMs?: number;
  /** The rescan while it is: what inotify cannot see (a replaced dir, an overflow). */
  watchedRescanMs?: number;
  /** Called once per new problem (an unsafe dir, an entry of another owner). */
  warn?: (message: string, details: Record<string, unknown>) => void;
  /** --allow-unsafe-permissions: a dir others can write is used anyway (entries of other owners still are not). */
  allowUnsafeDir?: boolean;
}

export function watchDir(dir: string, onChange: (names: ReadonlySet<string>) => void, opts: DirWatchOptions | number = {}): DirWatch {
  const o: DirWatchOptions = typeof opts === 'number' ? { rescanMs: opts } : opts;
  const rescanMs = o.rescanMs ?? 2000;
  // Counted in rescan periods: a live inotify watch leaves the rescan only what it cannot see.
  const watchedEvery = Math.max(1, Math.round((o.watchedRescanMs ?? 10_000) / rescanMs));
  let sinceScan = 0;
  let warned = new Set<string>();
  const scanNow = (): Set<string> => {
    const seen = new Set<string>();
    const names = scan(dir, o, (key, message, details) => {
      seen.add(key);
      if (!warned.has(key)) o.warn?.(message, details);
    });
    warned = seen;
    return names;
  };
  let current = scanNow();
  let watcher: FSWatcher | null = null;
  let pending: NodeJS.Timeout | null = null;
  const rescan = () => {
    pending = null;
    const next = scanNow();
    if (!sameSet(current, next)) {
      current = next;
      onChange(next);
    }
  };
  // A burst of events (touch + write) collapses into one scan on the next tick.
  const soon = () => {
    pending ??= setTimeout(rescan, 5);
  };
  // The watched dir's inode and birth time (an inode number is reused at once): a dir replaced
  // (rm -rf and mkdir, a rename over it) leaves the inotify watch on the old one, so a changed
  // identity re-arms the watch and rescans at once.
  let watchedIno = '';
  const identity = (): string => {
    try {
      const st = lstatSync(dir);
      return `${st.dev}:${st.ino}:${st.birthtimeMs}`;
    } catch {
      return '';
    }
  };
  const arm = () => {
    watcher?.close();
    watcher = null;
    watchedIno = identity();
    try {
      watcher = watch(dir, { persistent: false }, soon);
      watcher.on('error', () => {
        watcher?.close();
        watcher = null;
      });
    } catch {
      watcher = null;
    }
  };
  arm();
  const timer = everyOnGrid(rescanMs, () => {
    // Re-armed (no watch, or a replaced dir): rescan now; else only every watchedEvery-th tick.
    const rearmed = !watcher || identity() !== watchedIno;
    if (rearmed) arm();
    if (!rearmed && watcher && ++sinceScan < watchedEvery) return;
    sinceScan = 0;
    rescan();
  });
  return {
    names: () => current,
    close() {
      timer.stop();
      if (pending) clearTimeout(pending);
      watcher?.close();
    },
  };
}

function scan(dir: string, o: DirWatchOptions, problem: (key: string, message: string, details: Record<string, unknown>) => void): Set<string> {
  const verdict = judgeDir(dir);
  if (!verdict.ok) {
    problem(`dir:${verdict.why}`, o.allowUnsafeDir ? `${verdict.why}; used anyway (--allow-unsafe-permissions)` : `${verdict.why}; its files are ignored until fixed`, { dir });
    if (!o.allowUnsafeDir) return new Set();
  }
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return new Set();
  }
  const out = new Set<string>();
  for (const name of entries) {
    if (name.startsWith('.')) continue;
    try {
      const st = lstatSync(path.join(dir, name));
      if (foreignOwner(st)) {
        problem(`entry:${name}:${st.uid}`, `${path.join(dir, name)} is owned by uid ${st.uid}, not root: ignored`, { dir, file: name, uid: st.uid });
        continue;
      }
    } catch {
      continue;
    }
    out.add(name);
  }
  return out;
}

function sameSet(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  if (a.size !== b.size) return false;
  for (const x of a) if (!b.has(x)) return false;
  return true;
}
