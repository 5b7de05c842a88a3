// The in-memory status document and its coalesced, atomic writes to status.json.
// set() records a service's new status with its JSON text (service-json.ts) and diffs only the
// fields that changed: the diff is what 'change' listeners (the log, vaictl -w, the web stream)
// receive. A write joins the cached text of every service, so its cost is copying bytes, not
// serialising 10,000 objects. Writes are coalesced: a change of phase, condition, generation or
// recovery is written within minWriteIntervalMs, a change that only records another check
// (lastCheck, counters, nextCheckAt) within checkWriteIntervalMs; both gaps stretch when a write
// is slow. flushNow() is the write-ahead used before a restart command runs.
import { EventEmitter } from 'node:events';
import os from 'node:os';
import type { Operation } from 'fast-json-patch';
import type { Clock, TimerHandle } from '../reconcile/clock.js';
import type { NotifierSnapshot } from '../notify/types.js';
import { STATUS_API_VERSION, STATUS_FORMAT_VERSION, type StatusDocument, type ServiceStatus } from './schema.js';
import { writeFileAtomic } from './atomic-write.js';
import { diffService, serviceJson, type ServiceJson } from './service-json.js';

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
  /** Coalescing window of changes a reader waits for (phase, conditions, generation); default 100 ms. */
  minWriteIntervalMs?: number;
  /** Coalescing window when only check results changed; default 1,500 ms, never below minWriteIntervalMs. */
  checkWriteIntervalMs?: number;
  /** Statuses reloaded from a previous run. */
  services?: Iterable<ServiceStatus>;
  /** Replaces the disk write (the simulation keeps documents in memory). */
  write?: (file: string, text: string) => void;
}

export const EMPTY_ALERTS: NotifierSnapshot = { outboxSize: 0, dropped: 0, recent: [] };

const COMMA = Buffer.from(',');

export class StatusStore extends EventEmitter<{ change: [ServiceChange]; write: [WriteInfo]; error: [Error] }> {
  private readonly services = new Map<string, ServiceStatus>();
  /** Same keys in the same order as services. */
  private readonly json = new Map<string, ServiceJson>();
  /** document().services, rebuilt only after a service changed. */
  private servicesRecord: Record<string, ServiceStatus> | null = null;
  private manifests: ManifestsStatus;
  private manifestsJson: string;
  private alerts: NotifierSnapshot = EMPTY_ALERTS;
  private alertsJson = JSON.stringify(EMPTY_ALERTS);
  private dirty = false;
  /** Something a reader waits for is unwritten (not only check results). */
  private urgent = false;
  private timer: TimerHandle | null = null;
  private timerDue = Infinity;
  private lastWriteAt = -Infinity;
  private lastWriteDurationMs = 0;
  private writtenAt: string;
  private closed = false;
  /** Number of writes to disk since start. */
  writes = 0;

  constructor(private readonly opts: StatusStoreOptions) {
    super();
    for (const s of opts.services ?? []) {
      this.services.set(s.name, s);
      this.json.set(s.name, serviceJson(s));
    }
    this.writtenAt = new Date(opts.clock.now()).toISOString();
    this.manifests = { dir: opts.manifestsDir, generation: 0, revision: null, attemptedRevision: null, appliedAt: null, errors: [] };
    this.manifestsJson = JSON.stringify(this.manifests);
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
    const json = serviceJson(status);
    const before = previous && this.json.get(status.name);
    const diff = diffService(previous && before ? { status: previous, json: before } : null, status, json);
    if (!diff) return;
    this.services.set(status.name, status);
    this.json.set(status.name, json);
    this.servicesRecord = null;
    this.markDirty(diff.urgent);
    this.emit('change', { name: status.name, status, previous, ops: diff.ops });
  }

  delete(name: string): void {
    const previous = this.services.get(name);
    if (!previous) return;
    this.services.delete(name);
    this.json.delete(name);
    this.servicesRecord = null;
    this.markDirty(true);
    this.emit('change', { name, status: null, previous, ops: [{ op: 'remove', path: '' }] });
  }

  setManifests(m: ManifestsStatus): void {
    const text = JSON.stringify(m);
    if (text === this.manifestsJson) return;
    this.manifests = m;
    this.manifestsJson = text;
    this.markDirty(true);
  }

  setAlerts(snapshot: NotifierSnapshot): void {
    const alerts = { outboxSize: snapshot.outboxSize, dropped: snapshot.dropped, recent: snapshot.recent.slice(-200) };
    const text = JSON.stringify(alerts);
    if (text === this.alertsJson) return;
    this.alerts = alerts;
    this.alertsJson = text;
    this.markDirty(true);
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
      services: (this.servicesRecord ??= Object.fromEntries(this.services)),
      alerts: this.alerts,
    };
  }

  /** Writes now if anything changed since the last write (the write-ahead before a restart). */
  flushNow(): void {
    if (this.timer) {
      this.opts.clock.clearTimer(this.timer);
      this.timer = null;
      this.timerDue = Infinity;
    }
    if (!this.dirty) return;
    const urgent = this.urgent;
    this.dirty = false;
    this.urgent = false;
    const started = performance.now();
    this.writtenAt = new Date(this.opts.clock.now()).toISOString();
    const data = this.render();
    try {
      if (this.opts.write) this.opts.write(this.opts.file, data.toString('utf8'));
      else writeFileAtomic(this.opts.file, data);
    } catch (e) {
      this.dirty = true;
      this.urgent ||= urgent;
      this.emit('error', e as Error);
      this.schedule();
      return;
    }
    this.writes++;
    this.lastWriteAt = this.opts.clock.now();
    this.lastWriteDurationMs = performance.now() - started;
    this.emit('write', { writtenAt: this.writtenAt, bytes: data.length, durationMs: this.lastWriteDurationMs });
  }

  /** Flushes pending changes and stops the write timer. */
  close(): void {
    this.flushNow();
    this.closed = true;
  }

  /** The document as status.json holds it, from the cached text of each service; same fields and order as document(). */
  private render(): Buffer {
    const head = JSON.stringify({ apiVersion: STATUS_API_VERSION, kind: 'Status', formatVersion: STATUS_FORMAT_VERSION, vaid: this.opts.vaid, writtenAt: this.writtenAt });
    const parts: Buffer[] = [Buffer.from(`${head.slice(0, -1)},"manifests":${this.manifestsJson},"services":{`)];
    let first = true;
    for (const j of this.json.values()) {
      if (!first) parts.push(COMMA);
      parts.push(j.entry);
      first = false;
    }
    parts.push(Buffer.from(`},"alerts":${this.alertsJson}}\n`));
    return Buffer.concat(parts);
  }

  private markDirty(urgent: boolean): void {
    this.dirty = true;
    this.urgent ||= urgent;
    this.schedule();
  }

  private schedule(): void {
    if (this.closed || !this.dirty) return;
    const min = this.opts.minWriteIntervalMs ?? 100;
    const window = this.urgent ? min : Math.max(min, this.opts.checkWriteIntervalMs ?? 1500);
    // A slow write (a huge document) stretches the window so writing never eats the CPU.
    const now = this.opts.clock.now();
    const due = Math.max(now, this.lastWriteAt + Math.max(window, this.lastWriteDurationMs * 4));
    if (this.timer) {
      if (this.timerDue <= due) return;
      this.opts.clock.clearTimer(this.timer);
    }
    this.timerDue = due;
    this.timer = this.opts.clock.setTimer(() => {
      this.timer = null;
      this.timerDue = Infinity;
      this.flushNow();
    }, due - now);
  }
}

export function defaultVaidInfo(version: string, now: number): VaidInfo {
  return { pid: process.pid, version, startedAt: new Date(now).toISOString(), hostname: os.hostname() };
}
