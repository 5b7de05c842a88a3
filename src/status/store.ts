// The in-memory status document and its coalesced, atomic writes to status.json.
// set() records a service's new status and diffs it against the previous one with
// fast-json-patch: the diff is what 'change' listeners (the log, vaictl -w, the web stream)
// receive. Writes are coalesced (at most one per minWriteIntervalMs, stretched when a write is
// slow) so 10,000 services do not mean 10,000 writes; flushNow() is the write-ahead used before
// a restart command runs.
import { EventEmitter } from 'node:events';
import os from 'node:os';
import fastJsonPatch from 'fast-json-patch';
import type { Operation } from 'fast-json-patch';
import type { Clock, TimerHandle } from '../reconcile/clock.js';
import type { NotifierSnapshot } from '../notify/types.js';
import { STATUS_API_VERSION, STATUS_FORMAT_VERSION, type StatusDocument, type ServiceStatus } from './schema.js';
import { writeFileAtomic } from './atomic-write.js';

export interface VaidInfo {
  pid: number;
  version: string;
  startedAt: string;
  hostname: string;
}

export type ManifestsStatus = StatusDocument['manifests'];

export interface ServiceChange {
  name: string;
  /** null when the service was removed. */
  status: ServiceStatus | null;
  previous: ServiceStatus | null;
  /** RFC 6902 operations from previous to status. */
  ops: Operation[];
}

export interface WriteInfo {
  writtenAt: string;
  bytes: number;
  durationMs: number;
}

export interface StatusStoreOptions {
  file: string;
  clock: Clock;
  vaid: VaidInfo;
  manifestsDir: string;
  /** Coalescing window; default 500 ms (at most ~2 writes a second). */
  minWriteIntervalMs?: number;
  /** Statuses reloaded from a previous run. */
  services?: Iterable<ServiceStatus>;
  /** Replaces the disk write (the simulation keeps documents in memory). */
  write?: (file: string, text: string) => void;
}

export const EMPTY_ALERTS: NotifierSnapshot = { outboxSize: 0, dropped: 0, recent: [] };

export class StatusStore extends EventEmitter<{ change: [ServiceChange]; write: [WriteInfo]; error: [Error] }> {
  private readonly services = new Map<string, ServiceStatus>();
  private manifests: ManifestsStatus;
  private alerts: NotifierSnapshot = EMPTY_ALERTS;
  private dirty = false;
  private timer: TimerHandle | null = null;
  private lastWriteAt = -Infinity;
  private lastWriteDurationMs = 0;
  private writtenAt: string;
  private closed = false;
  /** Number of writes to disk since start. */
  writes = 0;

  constructor(private readonly opts: StatusStoreOptions) {
    super();
    for (const s of opts.services ?? []) this.services.set(s.name, s);
    this.writtenAt = new Date(opts.clock.now()).toISOString();
    this.manifests = { dir: opts.manifestsDir, generation: 0, revision: null, attemptedRevision: null, appliedAt: null, errors: [] };
  }

  get(name: string): ServiceStatus | undefined {
    return this.services.get(name);
  }

  names(): IterableIterator<string> {
    return this.services.keys();
  }

  all(): IterableIterator<ServiceStatus> {
    return this.services.values();
  }

  /** Records a service's new status (treated as immutable from now on). */
  set(status: ServiceStatus): void {
    const previous = this.services.get(status.name) ?? null;
    if (previous === status) return;
    const ops = fastJsonPatch.compare(previous ?? {}, status);
    if (ops.length === 0) return;
    this.services.set(status.name, status);
    this.markDirty();
    this.emit('change', { name: status.name, status, previous, ops });
  }

  delete(name: string): void {
    const previous = this.services.get(name);
    if (!previous) return;
    this.services.delete(name);
    this.markDirty();
    this.emit('change', { name, status: null, previous, ops: [{ op: 'remove', path: '' }] });
  }

  setManifests(m: ManifestsStatus): void {
    if (fastJsonPatch.compare(this.manifests, m).length === 0) return;
    this.manifests = m;
    this.markDirty();
  }

  setAlerts(snapshot: NotifierSnapshot): void {
    if (fastJsonPatch.compare(this.alerts, snapshot).length === 0) return;
    this.alerts = { outboxSize: snapshot.outboxSize, dropped: snapshot.dropped, recent: snapshot.recent.slice(-200) };
    this.markDirty();
  }

  /** The whole document as it would be written now. */
  document(): StatusDocument {
    return {
      apiVersion: STATUS_API_VERSION,
      kind: 'Status',
      formatVersion: STATUS_FORMAT_VERSION,
      vaid: this.opts.vaid,
      writtenAt: this.writtenAt,
      manifests: this.manifests,
      services: Object.fromEntries(this.services),
      alerts: this.alerts,
    };
  }

  /** Writes now if anything changed since the last write (the write-ahead before a restart). */
  flushNow(): void {
    if (this.timer) {
      this.opts.clock.clearTimer(this.timer);
      this.timer = null;
    }
    if (!this.dirty) return;
    this.dirty = false;
    const started = performance.now();
    this.writtenAt = new Date(this.opts.clock.now()).toISOString();
    const text = `${JSON.stringify(this.document())}\n`;
    try {
      (this.opts.write ?? writeFileAtomic)(this.opts.file, text);
    } catch (e) {
      this.dirty = true;
      this.emit('error', e as Error);
      this.schedule();
      return;
    }
    this.writes++;
    this.lastWriteAt = this.opts.clock.now();
    this.lastWriteDurationMs = performance.now() - started;
    this.emit('write', { writtenAt: this.writtenAt, bytes: text.length, durationMs: this.lastWriteDurationMs });
  }

  /** Flushes pending changes and stops the write timer. */
  close(): void {
    this.flushNow();
    this.closed = true;
  }

  private markDirty(): void {
    this.dirty = true;
    this.schedule();
  }

  private schedule(): void {
    if (this.timer || this.closed) return;
    // A slow write (a huge document) stretches the window so writing never eats the CPU.
    const gap = Math.max(this.opts.minWriteIntervalMs ?? 500, this.lastWriteDurationMs * 4);
    const wait = Math.max(0, this.lastWriteAt + gap - this.opts.clock.now());
    this.timer = this.opts.clock.setTimer(() => {
      this.timer = null;
      this.flushNow();
    }, wait);
  }
}

export function defaultVaidInfo(version: string, now: number): VaidInfo {
  return { pid: process.pid, version, startedAt: new Date(now).toISOString(), hostname: os.hostname() };
}
