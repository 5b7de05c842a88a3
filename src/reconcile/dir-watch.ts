// Watches one flat directory (the marker dir, the restart-request dir) and reports its file
// names after every change. fs.watch (inotify) gives the speed; a periodic rescan covers what
// inotify can miss (the dir replaced, an overflowing event queue), so the result is level-based.
import { watch, readdirSync, type FSWatcher } from 'node:fs';

export interface DirWatch {
  /** Names now in the directory (as last scanned). */
  names(): ReadonlySet<string>;
  close(): void;
}

export function watchDir(dir: string, onChange: (names: ReadonlySet<string>) => void, rescanMs = 2000): DirWatch {
  let current = scan(dir);
  let watcher: FSWatcher | null = null;
  let pending: NodeJS.Timeout | null = null;
  const rescan = () => {
    pending = null;
    const next = scan(dir);
    if (!sameSet(current, next)) {
      current = next;
      onChange(next);
    }
  };
  // A burst of events (touch + write) collapses into one scan on the next tick.
  const soon = () => {
    pending ??= setTimeout(rescan, 5);
  };
  const arm = () => {
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
  const timer = setInterval(() => {
    if (!watcher) arm();
    rescan();
  }, rescanMs);
  timer.unref();
  return {
    names: () => current,
    close() {
      clearInterval(timer);
      if (pending) clearTimeout(pending);
      watcher?.close();
    },
  };
}

function scan(dir: string): Set<string> {
  try {
    return new Set(readdirSync(dir));
  } catch {
    return new Set();
  }
}

function sameSet(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  if (a.size !== b.size) return false;
  for (const x of a) if (!b.has(x)) return false;
  return true;
}
