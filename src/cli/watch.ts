// `vaictl get -w`: follows status.json through fs.watch on the state dir. vaid replaces the file
// by rename, which ends a watch on the file itself, so the directory is watched and only events
// naming status.json cause a read; bursts coalesce into one read. No polling loop.
import { watch, statSync, type FSWatcher } from 'node:fs';
import path from 'node:path';
import type { Paths } from './paths.js';
import type { ServiceStatus, StatusDocument } from '../status/schema.js';
import { readStatus } from './status-source.js';

export interface WatchHandlers {
  onDoc(doc: StatusDocument): void;
  onError(e: unknown): void;
}

/** Calls onDoc for each new version of the status file until `signal` aborts. */
export function watchStatus(paths: Paths, signal: AbortSignal, handlers: WatchHandlers, shown?: string | null): Promise<void> {
  const file = path.basename(paths.statusFile);
  let scheduled = false;
  // `shown`: the file the caller printed; one replaced before the watch began is read at once.
  let lastId = shown === undefined ? identity(paths.statusFile) : shown;
  const read = (): void => {
    scheduled = false;
    const id = identity(paths.statusFile);
    if (id === null || id === lastId) return;
    lastId = id;
    try {
      handlers.onDoc(readStatus(paths, Date.now()).doc);
    } catch (e) {
      handlers.onError(e);
    }
  };
  return new Promise((resolve, reject) => {
    let watcher: FSWatcher;
    try {
      watcher = watch(paths.stateDir, { persistent: true }, (_event, name) => {
        if (name !== null && name !== file) return;
        if (!scheduled) {
          scheduled = true;
          setImmediate(read);
        }
      });
    } catch (e) {
      reject(e);
      return;
    }
    if (shown !== undefined) {
      scheduled = true;
      setImmediate(read);
    }
    watcher.on('error', (e) => {
      watcher.close();
      reject(e);
    });
    const stop = (): void => {
      watcher.close();
      resolve();
    };
    if (signal.aborted) stop();
    else signal.addEventListener('abort', stop, { once: true });
  });
}

// Inode plus mtime and size: a rename brings a new inode, so a replaced file is never missed,
// and an event that did not change the file costs no read.
export function identity(file: string): string | null {
  try {
    const s = statSync(file, { bigint: true });
    return `${s.ino}:${s.mtimeNs}:${s.size}`;
  } catch {
    return null;
  }
}

/**
 * What a person watching would call a change: desired state, phase, health, restarts, the
 * recovery step, backoff, conditions or a new event. A passing check that only moves
 * timestamps and counters is not one, or -w would print every service every interval.
 */
export function watchKey(s: ServiceStatus): string {
  return JSON.stringify([
    s.desired,
    s.phase,
    s.lastCheck?.health ?? null,
    s.restarts.count,
    s.observedGeneration,
    s.recovery?.state ?? null,
    s.recovery?.attempt ?? null,
    s.backoff.nextAttemptAt,
    s.conditions.map((c) => [c.type, c.status, c.reason]),
    s.events.reduce((n, e) => n + e.count, 0),
    s.events.reduce((latest, e) => (e.lastTime > latest ? e.lastTime : latest), ''),
  ]);
}

export interface WatchChange {
  name: string;
  /** null when the service left the status document (its manifest was removed). */
  status: ServiceStatus | null;
  previous: ServiceStatus | null;
}

/** Services whose watchKey differs between two documents, in name order. */
export function changedServices(prev: StatusDocument | null, next: StatusDocument): WatchChange[] {
  const names = new Set([...Object.keys(prev?.services ?? {}), ...Object.keys(next.services)]);
  const out: WatchChange[] = [];
  for (const name of [...names].sort()) {
    const a = prev?.services[name] ?? null;
    const b = next.services[name] ?? null;
    if (a === null || b === null ? a !== b : watchKey(a) !== watchKey(b)) out.push({ name, status: b, previous: a });
  }
  return out;
}
