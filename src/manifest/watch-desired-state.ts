// Watching the manifest directory: a burst of file events (git checkout or pull rewriting many
// files, an editor's save-by-rename, a delete) becomes exactly one new desired state. Events
// restart a settle timer; the load runs once no event came for debounceMs (or maxWaitMs after
// the first event, so a never-quiet directory still gets loaded). Events that arrive while a
// load runs make its result stale: it is thrown away and the directory loaded again.
import { watch, type FSWatcher } from 'chokidar';
import { statSync } from 'node:fs';
import path from 'node:path';
import type { DesiredState, Revision } from './types.js';
import type { LabelSelector } from './label-selector.js';
import { loadDesiredState, stateDiffers, type FileCache } from './load-desired-state.js';
import { everyOnGrid } from '../core/grid-timer.js';

export interface WatchOptions {
  dir: string;
  debounceMs?: number;
  /** Upper bound on how long a stream of events can delay a load. */
  maxWaitMs?: number;
  allowUnsafePermissions?: boolean;
  selector?: LabelSelector;
  /** How often to check that the watched directory is still the same one (default 2 s, on the housekeeping grid). */
  pollMs?: number;
  /** How often to reload even without events (default 60 s). */
  resyncMs?: number;
  /** See LoadOptions.revisionOf. */
  revisionOf?: (dir: string) => Promise<Revision | null>;
  onChange: (state: DesiredState) => void;
  onError?: (e: unknown) => void;
}

export interface DesiredStateWatch {
  current(): DesiredState;
  /** Loads now (after any pending burst); onChange fires if the result differs. */
  reload(): Promise<DesiredState>;
  close(): Promise<void>;
}

function identity(dir: string): string {
  try {
    const st = statSync(dir);
    return st.isDirectory() ? `${st.dev}:${st.ino}` : 'missing';
  } catch {
    return 'missing';
  }
}

function hidden(root: string, p: string): boolean {
  const rel = path.relative(root, p);
  return rel !== '' && rel.split(path.sep).some((part) => part.startsWith('.'));
}

export async function watchDesiredState(opts: WatchOptions): Promise<DesiredStateWatch> {
  const root = path.resolve(opts.dir);
  const debounceMs = opts.debounceMs ?? 100;
  const maxWaitMs = opts.maxWaitMs ?? Math.max(2_000, debounceMs * 20);
  const cache: FileCache = new Map();
  const load = (previous?: DesiredState) =>
    loadDesiredState({ dir: root, previous, allowUnsafePermissions: opts.allowUnsafePermissions, selector: opts.selector, cache, revisionOf: opts.revisionOf });

  let state = await load();
  let closed = false;
  let timer: NodeJS.Timeout | undefined;
  let firstEventAt: number | undefined;
  let eventsSinceLoad = 0;
  let running: Promise<DesiredState> | undefined;

  const apply = (next: DesiredState) => {
    if (closed || !stateDiffers(state, next)) return;
    state = next;
    try {
      opts.onChange(state);
    } catch (e) {
      opts.onError?.(e);
    }
  };

  const runLoad = async (): Promise<DesiredState> => {
    for (let attempt = 0; ; attempt++) {
      eventsSinceLoad = 0;
      const next = await load(state);
      // The directory went away and may come back as the very same inode (mv away and back):
      // the identity poll would see nothing change, so the next poll starts over from here.
      if (next.errors.some((e) => e.file === root && e.code === 'VAI_E_MANIFEST_READ')) watchedIdentity = 'missing';
      const stale = eventsSinceLoad > 0 && firstEventAt !== undefined && Date.now() - firstEventAt < maxWaitMs;
      if (!stale || closed || attempt >= 20) {
        firstEventAt = undefined;
        apply(next);
        return state;
      }
      await new Promise((r) => setTimeout(r, debounceMs));
    }
  };

  const fire = () => {
    timer = undefined;
    if (closed) return;
    if (running) {
      // The running load sees these events as stale and reloads; nothing more to schedule.
      return;
    }
    running = runLoad()
      .catch((e) => {
        opts.onError?.(e);
        return state;
      })
      .finally(() => {
        running = undefined;
        if (eventsSinceLoad > 0 && !timer && !closed) schedule();
      });
  };

  const schedule = () => {
    const now = Date.now();
    firstEventAt ??= now;
    if (timer) clearTimeout(timer);
    const wait = Math.max(0, Math.min(debounceMs, firstEventAt + maxWaitMs - now));
    timer = setTimeout(fire, wait);
  };

  // chokidar watches the directory it found at start. A manifest dir created later (vaid
  // started before the clone) or replaced (rm -rf + fresh clone, a renamed-in checkout) is
  // noticed by a cheap identity poll, which then watches the new one.
  let watcher: FSWatcher | undefined;
  let watchedIdentity = '';
  const startWatcher = async () => {
    const previous = watcher;
    watcher = undefined;
    if (previous) await previous.close();
    watchedIdentity = identity(root);
    if (watchedIdentity === 'missing' || closed) return;
    const w = watch(root, { ignoreInitial: true, ignored: (p: string) => hidden(root, p), depth: 16, followSymlinks: false });
    w.on('all', onEvent);
    w.on('error', (e) => opts.onError?.(e));
    watcher = w;
    await new Promise<void>((resolve) => w.once('ready', () => resolve()));
  };
  const onEvent = () => {
    eventsSinceLoad++;
    schedule();
  };
  await startWatcher();
  let polling = false;
  const poll = everyOnGrid(opts.pollMs ?? 2_000, () => {
    if (polling || closed) return;
    if (identity(root) === watchedIdentity) return;
    polling = true;
    startWatcher()
      .then(onEvent, (e: unknown) => opts.onError?.(e))
      .finally(() => {
        polling = false;
      });
  });
  // A periodic resync, as controller-runtime has: an event lost to an inotify overflow costs at
  // most this long. Unchanged files are not parsed again, so it is cheap.
  const resync = setInterval(() => {
    if (!closed && !timer && !running) schedule();
  }, opts.resyncMs ?? 60_000);
  resync.unref();

  return {
    current: () => state,
    async reload() {
      if (timer) {
        clearTimeout(timer);
        timer = undefined;
      }
      while (running) await running;
      running = runLoad().finally(() => {
        running = undefined;
      });
      return running;
    },
    async close() {
      closed = true;
      poll.stop();
      clearInterval(resync);
      if (timer) clearTimeout(timer);
      await watcher?.close();
      if (running) await running.catch(() => undefined);
    },
  };
}
