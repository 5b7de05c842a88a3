// Counts status.json writes from outside, by watching the state dir: an atomic write shows as
// events on a temporary file followed by a rename onto status.json. The time from the first
// event of a write to its rename approximates the time the write spent on disk (open, write,
// fsync, rename); serialising the document before opening the file is not seen from here.
import { watch, type FSWatcher } from 'node:fs';

export interface WriteWatcher {
  writes(): number;
  /** ms from the first temp-file event of each write to its rename onto status.json. */
  durations(): number[];
  /** performance.now() of each observed status.json rename. */
  times(): number[];
  onWrite(fn: (at: number) => void): () => void;
  close(): void;
}

export function watchStatusWrites(stateDir: string): WriteWatcher {
  const times: number[] = [];
  const durations: number[] = [];
  const listeners = new Set<(at: number) => void>();
  let pendingSince: number | undefined;
  let lastStatusEvent = -Infinity;
  const w: FSWatcher = watch(stateDir, (_event, filename) => {
    const at = performance.now();
    if (!filename) return;
    const name = filename.toString();
    if (name === 'status.json') {
      // one rename can surface as two events on some kernels; fold them
      if (at - lastStatusEvent < 1) return;
      lastStatusEvent = at;
      times.push(at);
      if (pendingSince !== undefined) durations.push(at - pendingSince);
      pendingSince = undefined;
      for (const fn of listeners) fn(at);
    } else if (name.includes('status') && pendingSince === undefined) {
      pendingSince = at;
    }
  });
  return {
    writes: () => times.length,
    durations: () => [...durations],
    times: () => [...times],
    onWrite(fn) {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
    close: () => w.close(),
  };
}
