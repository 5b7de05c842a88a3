// The in-memory status document and its coalesced, atomic writes to status.json.
// set() records a service's new status with its JSON text (service-json.ts) and diffs only the
// fields that changed: the diff is what 'change' listeners (the log, vaictl -w, the web stream)
// receive. A write hands the cached bytes of every service to the kernel as they are (no
// serialising, no joining into one buffer), and the copy and the fsync run on libuv's thread
// pool: at 10,000 services (16 MB) a synchronous write stopped every check for tens of ms.
// Writes are coalesced: a change of phase, condition, generation or recovery is written within
// minWriteIntervalMs, a change that only records another check (lastCheck, counters,
// nextCheckAt) within checkWriteIntervalMs; both gaps stretch when a write is slow. One write
// is in flight at a time. flushDurable() is the write-ahead used before a restart command runs:
// every restart asking in the same turn of the event loop waits for one background write (group
// commit), since a synchronous write per restart held the loop (and /healthz) for seconds when
// 1,000 services failed at once. flushNow() is the synchronous write of close(); a background
// write that finishes after it is dropped, never renamed over it.
// A failed write (read-only or full disk) is retried after a backoff that doubles from
// retryMinMs to retryMaxMs and resets on success: retrying at once spun the CPU and logged
// thousands of lines a second.
import type { DeepReadonly } from '../core/deep-readonly.js';
import { EventEmitter } from 'node:events';
import os from 'node:os';
import type { Operation } from 'fast-json-patch';
import type { Clock, TimerHandle } from '../core/clock.js';
import type { StatusDocument, ServiceStatus } from './schema.js';
import { STATUS_API_VERSION, STATUS_FORMAT_VERSION } from './format-version.js';
import { writeFileAtomic, writeFileAtomicAsync } from '../core/atomic-file.js';
import { diffService, serviceJson, type ServiceJson } from './service-json.js';
import { renderSummary, summaryEntry, summaryFileFor, type FileIdentity } from './summary.js';

export interface VaidInfo {
  pid: number;
  version: string;
  startedAt: string;
  hostname: string;
  mode?: 'daemon' | 'once';
}

/** A status once recorded: shared by the store, its JSON cache and every listener, so read-only by type. */
export type RecordedStatus = DeepReadonly<ServiceStatus>;

export type ManifestsStatus = StatusDocument['manifests'];
/** What the notifier reports of its deliveries (notify/ fills it; status only records it). */
export type NotifierSnapshot = StatusDocument['alerts'];

export interface ServiceChange {
  name: string;
  /** null when the service was removed. */
  status: RecordedStatus | null;
  previous: RecordedStatus | null;
  /** RFC 6902 operations from previous to status. */
  ops: Operation[];
}

export interface WriteInfo {
  writtenAt: string;
  bytes: number;
  /** From the start of the write until the new file is in place: its data fsynced, then renamed (the directory's fsync after the rename is not counted). */
  durationMs: number;
  /** Of durationMs, how long the event loop was held: rendering, and the write itself when synchronous. */
  blockingMs: number;
}

export interface StatusStoreOptions {
  file: string;
  clock: Clock;
  vaid: VaidInfo;
  manifestsDir: string;
  /** Coalescing window of changes a reader waits for (phase, conditions, generation); default 50 ms. */
  minWriteIntervalMs?: number;
  /** Coalescing window when only check results changed, fixed (else setCheckWriteInterval's, else 1,500 ms); never below minWriteIntervalMs. */
  checkWriteIntervalMs?: number;
  /** How long the first change after a quiet spell waits for more to join its write; default 10 ms. */
  burstMs?: number;
  /** Statuses reloaded from a previous run. */
  services?: Iterable<ServiceStatus>;
  /** The desired state's generation reloaded from a previous run: generations only grow. */
  generation?: number;
  /** Replaces the disk write, synchronously (the simulation keeps documents in memory). */
  write?: (file: string, text: string) => void;
  /** Write in the foreground (the pre-thread-pool behaviour); default false unless `write` is given. */
  synchronous?: boolean;
  /** Wait before the first retry of a failed write, doubled after each further failure; default 100 ms. */
  retryMinMs?: number;
  /** Longest wait between retries of a failing write; default 10,000 ms. */
  retryMaxMs?: number;
  /** Where to write status.summary.json (src/status/summary.ts) after each write; null for none. Default: beside `file`, unless `write` is given. */
  summaryFile?: string | null;
}

export const EMPTY_ALERTS: NotifierSnapshot = { outboxSize: 0, dropped: 0, recent: [], unverifiedResends: 0 };

const COMMA = Buffer.from(',');

export class StatusStore extends EventEmitter<{ change: [ServiceChange]; write: [WriteInfo]; error: [Error] }> {
  private readonly services = new Map<string, ServiceStatus>();
  /** Same keys in the same order as services. */
  private readonly json = new Map<string, ServiceJson>();
  /** Each service's summary entry, same keys and order as services; empty when no summary is written. */
  private readonly summary = new Map<string, Buffer>();
  private readonly summaryFile: string | null;
  /** document().services, rebuilt only after a service changed. */
  private servicesRecord: Record<string, ServiceStatus> | null = null;
  private manifests: ManifestsStatus;
  private manifestsJson: string;
  private source: StatusDocument['source'] = undefined;
  private sourceJson = '';
  private alerts: NotifierSnapshot = EMPTY_ALERTS;
  private alertsJson = JSON.stringify(EMPTY_ALERTS);
  private dirty = false;
  /** Something a reader waits for is unwritten (not only check results). */
  private urgent = false;
  private timer: TimerHandle | null = null;
  private timerDue = Infinity;
  /** setCheckWriteInterval's window, used unless the checkWriteIntervalMs option sets one. */
  private checkWriteMs: number | undefined;
  private lastWriteAt = -Infinity;
  private lastWriteDurationMs = 0;
  private lastWriteBlockingMs = 0;
  private writtenAt: string;
  private closed = false;
  /** Restarts waiting for the next durable write (flushDurable), and whether it is queued. */
  private durableWaiters: Array<() => void> = [];
  private durableQueued = false;
  /** A summary written after a synchronous write, until done. */
  private summaryWrite: Promise<void> | null = null;
  /** The background write under way, if any. */
  private inFlight: Promise<void> | null = null;
  /** Documents rendered so far; the number of the one on disk. A write older than that is dropped. */
  private rendered = 0;
  private committed = 0;
  /** Failed writes since the last one that succeeded, and when the next may be tried. */
  private failures = 0;
  private retryAt = -Infinity;
  /** Number of writes to disk since start. */
  writes = 0;
  /** Number of failed writes since start. */
  writeFailures = 0;

  constructor(private readonly opts: StatusStoreOptions) {
    super();
    this.summaryFile = opts.summaryFile !== undefined ? opts.summaryFile : opts.write ? null : summaryFileFor(opts.file);
    for (const s of opts.services ?? []) {
      this.services.set(s.name, s);
      this.json.set(s.name, serviceJson(s, this.json.values().next().value));
      if (this.summaryFile) this.summary.set(s.name, summaryEntry(s));
    }
    this.writtenAt = new Date(opts.clock.now()).toISOString();
    this.manifests = { dir: opts.manifestsDir, generation: opts.generation ?? 0, revision: null, attemptedRevision: null, appliedAt: null, errors: [] };
    this.manifestsJson = JSON.stringify(this.manifests);
  }

  get(name: string): RecordedStatus | undefined {
    return this.services.get(name);
  }

  names(): IterableIterator<string> {
    return this.services.keys();
  }

  all(): IterableIterator<RecordedStatus> {
    return this.services.values();
  }

  /** Records a service's new status (treated as immutable from now on). */
  set(status: ServiceStatus): void {
    const previous = this.services.get(status.name) ?? null;
    if (previous === status) return;
    const before = previous && this.json.get(status.name);
    const json = serviceJson(status, before || undefined, previous ?? undefined);
    const diff = diffService(previous && before ? { status: previous, json: before } : null, status, json);
    if (!diff) return;
    this.services.set(status.name, status);
    this.json.set(status.name, json);
    if (this.summaryFile) this.summary.set(status.name, summaryEntry(status));
    this.servicesRecord = null;
    this.markDirty(diff.urgent);
    this.emit('change', { name: status.name, status, previous, ops: diff.ops });
  }

  delete(name: string): void {
    const previous = this.services.get(name);
    if (!previous) return;
    this.services.delete(name);
    this.json.delete(name);
    this.summary.delete(name);
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

  /** The git source's state (pull mode only). */
  setSource(source: NonNullable<StatusDocument['source']>): void {
    const text = JSON.stringify(source);
    if (text === this.sourceJson) return;
    this.source = source;
    this.sourceJson = text;
    this.markDirty(true);
  }

  setAlerts(snapshot: NotifierSnapshot): void {
    const alerts = { outboxSize: snapshot.outboxSize, dropped: snapshot.dropped, recent: snapshot.recent.slice(-200), unverifiedResends: snapshot.unverifiedResends ?? 0, ...(snapshot.configErrors?.length ? { configErrors: snapshot.configErrors.slice(0, 100) } : {}) };
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
      ...(this.source ? { source: this.source } : {}),
      alerts: this.alerts,
    };
  }

  /**
   * Writes now, synchronously, if anything changed since the document on disk (the write-ahead
   * before a restart: when it returns, status.json holds every change made so far).
   */
  flushNow(): void {
    this.cancelTimer();
    if (!this.dirty && !this.inFlight) return;
    const { urgent, started, startedOnClock, seq } = this.beginWrite();
    const data = Buffer.concat(this.render());
    const summary = this.summaryParts();
    try {
      if (this.opts.write) this.opts.write(this.opts.file, data.toString('utf8'));
      else {
        const identity = writeFileAtomic(this.opts.file, data);
        if (summary) this.summaryWrite = summary(identity);
      }
    } catch (e) {
      this.writeFailed(urgent);
      this.emit('error', e as Error);
      this.schedule();
      return;
    }
    this.committed = seq;
    const ms = performance.now() - started;
    const onClock = this.opts.clock.now() - startedOnClock;
    this.wrote(data.length, { durationMs: ms, blockingMs: ms }, { durationMs: onClock, blockingMs: onClock });
  }

  /**
   * Resolves once status.json holds every change made before the call, or once writing it has
   * failed (a restart goes ahead with the disk read-only, as the 'error' event says). Callers of
   * one turn of the event loop share one write, done on the thread pool.
   */
  flushDurable(): Promise<void> {
    if (this.opts.write || this.opts.synchronous) {
      this.flushNow();
      return Promise.resolve();
    }
    if (!this.dirty && !this.inFlight) return Promise.resolve();
    return new Promise((resolve) => {
      this.durableWaiters.push(resolve);
      if (this.durableQueued) return;
      this.durableQueued = true;
      setImmediate(() => void this.commitDurable());
    });
  }

  private async commitDurable(): Promise<void> {
    const waiters = this.durableWaiters.splice(0);
    this.durableQueued = false;
    try {
      // A write under way may have rendered the document before these changes: let it end first.
      while (this.inFlight) await this.inFlight;
      if (this.dirty && !this.closed) {
        this.cancelTimer();
        this.flushSoon();
        await this.inFlight;
      }
    } finally {
      for (const w of waiters) w();
    }
  }

  /**
   * The coalescing window of check-only changes from now on (the desired services changed: the
   * daemon follows their shortest check interval, see checkWriteWindowMs).
   */
  setCheckWriteInterval(ms: number): void {
    this.checkWriteMs = ms;
  }

  /** Flushes pending changes (synchronously) and stops the write timer. */
  close(): void {
    this.flushNow();
    this.closed = true;
  }

  /** Resolves when no background write is under way (for tests and an orderly stop). */
  async idle(): Promise<void> {
    while (this.inFlight || this.summaryWrite) {
      const summary = this.summaryWrite;
      await this.inFlight;
      await summary;
      if (this.summaryWrite === summary) this.summaryWrite = null;
    }
  }

  /** The timer's write: in the background unless the store writes synchronously. */
  private flushSoon(): void {
    if (this.opts.write || this.opts.synchronous) {
      this.flushNow();
      return;
    }
    // One write at a time; the one under way reschedules when it ends.
    if (this.inFlight || !this.dirty) return;
    const { urgent, started, startedOnClock, seq } = this.beginWrite();
    const chunks = this.render();
    const summary = this.summaryParts();
    const bytes = chunks.reduce((n, c) => n + c.length, 0);
    const write = writeFileAtomicAsync(this.opts.file, chunks, () => seq > this.committed);
    const blockingMs = performance.now() - started;
    const blockingOnClock = this.opts.clock.now() - startedOnClock;
    this.inFlight = write.then(
      (result) => {
        if (!result.committed) return;
        this.committed = seq;
        this.wrote(bytes, { durationMs: performance.now() - started, blockingMs }, { durationMs: this.opts.clock.now() - startedOnClock, blockingMs: blockingOnClock });
        // The next write waits for the directory's fsync and the summary too: one write to the disk at a time.
        return Promise.all([result.dirSynced, summary?.(result.identity)]).then(() => undefined);
      },
      (e: unknown) => {
        this.writeFailed(urgent);
        // With no listener, emit('error') would throw inside this promise and end the process.
        if (this.listenerCount('error') > 0) this.emit('error', e as Error);
      },
    ).finally(() => {
      this.inFlight = null;
      this.schedule();
    });
  }

  /** Takes the pending changes for one write and stamps the document it renders. */
  private beginWrite(): { urgent: boolean; started: number; startedOnClock: number; seq: number } {
    const urgent = this.urgent;
    this.dirty = false;
    this.urgent = false;
    const started = performance.now();
    const startedOnClock = this.opts.clock.now();
    this.writtenAt = new Date(startedOnClock).toISOString();
    return { urgent, started, startedOnClock, seq: ++this.rendered };
  }

  /** Gives a failed write's changes back, so the next write carries them. */
  private writeFailed(urgent: boolean): void {
    this.dirty = true;
    this.urgent ||= urgent;
    this.writeFailures++;
    const min = this.opts.retryMinMs ?? 100;
    const max = Math.max(min, this.opts.retryMaxMs ?? 10_000);
    this.retryAt = this.opts.clock.now() + Math.min(max, min * 2 ** Math.min(this.failures, 30));
    this.failures++;
  }

  /**
   * `measured` (performance.now) is what the write event reports; `onClock` (the injected clock)
   * is what stretches the next window, so a test on a manual clock is not timed by the machine.
   */
  private wrote(bytes: number, measured: { durationMs: number; blockingMs: number }, onClock: { durationMs: number; blockingMs: number }): void {
    this.writes++;
    this.failures = 0;
    this.retryAt = -Infinity;
    this.lastWriteAt = this.opts.clock.now();
    this.lastWriteDurationMs = onClock.durationMs;
    this.lastWriteBlockingMs = onClock.blockingMs;
    this.emit('write', { writtenAt: this.writtenAt, bytes, ...measured });
  }

  /** The document as status.json holds it, as the cached bytes of each service between head and tail; same fields and order as document(). */
  private render(): Buffer[] {
    const head = JSON.stringify({ apiVersion: STATUS_API_VERSION, kind: 'Status', formatVersion: STATUS_FORMAT_VERSION, vaid: this.opts.vaid, writtenAt: this.writtenAt });
    const parts: Buffer[] = [Buffer.from(`${head.slice(0, -1)},"manifests":${this.manifestsJson},"services":{`)];
    let first = true;
    for (const j of this.json.values()) {
      if (!first) parts.push(COMMA);
      parts.push(j.entry);
      first = false;
    }
    parts.push(Buffer.from(`}${this.source ? `,"source":${this.sourceJson}` : ''},"alerts":${this.alertsJson}}\n`));
    return parts;
  }

  /**
   * The summary of the document just rendered, written once status.json is in place and its
   * identity known. A summary that fails to write is left out: readers then find the summary on
   * disk naming another file and read status.json, so a failure costs speed, never correctness.
   * The synchronous path writes it in the background too: the write-ahead only needs status.json.
   */
  private summaryParts(): ((of: FileIdentity) => Promise<void>) | null {
    const file = this.summaryFile;
    if (!file) return null;
    const entries = [...this.summary.values()];
    const head = { pid: this.opts.vaid.pid, ...(this.opts.vaid.mode ? { mode: this.opts.vaid.mode } : {}), writtenAt: this.writtenAt, manifestsDir: this.manifests.dir, ...manifestErrorsHead(this.manifests.errors) };
    return (of) => writeFileAtomicAsync(file, renderSummary(of, head, entries), () => true, 0o644, { fsync: false }).then(
      () => undefined,
      () => undefined,
    );
  }

  private cancelTimer(): void {
    if (!this.timer) return;
    this.opts.clock.clearTimer(this.timer);
    this.timer = null;
    this.timerDue = Infinity;
  }

  private markDirty(urgent: boolean): void {
    this.dirty = true;
    this.urgent ||= urgent;
    this.schedule();
  }

  private schedule(): void {
    if (this.closed || !this.dirty) return;
    const min = this.opts.minWriteIntervalMs ?? 50;
    const window = this.urgent ? min : Math.max(min, this.opts.checkWriteIntervalMs ?? this.checkWriteMs ?? 1500);
    // A slow write stretches the window: the part that holds the event loop takes at most a
    // fifth of it, and the disk is idle between writes for at least as long as the last one took.
    const now = this.opts.clock.now();
    // The first change of a burst waits burstMs for the rest: a manifest edit changes the
    // manifests section, and the edited service's reconcile follows a few ms later.
    const due = Math.max(now + (this.opts.burstMs ?? 10), this.lastWriteAt + Math.max(window, this.lastWriteBlockingMs * 4, this.lastWriteDurationMs), this.retryAt);
    if (this.timer) {
      if (this.timerDue <= due) return;
      this.opts.clock.clearTimer(this.timer);
    }
    this.timerDue = due;
    this.timer = this.opts.clock.setTimer(() => {
      this.timer = null;
      this.timerDue = Infinity;
      this.flushSoon();
    }, due - now);
  }
}

export function defaultVaidInfo(version: string, now: number): VaidInfo {
  return { pid: process.pid, version, startedAt: new Date(now).toISOString(), hostname: os.hostname() };
}

/** The summary's note of manifest errors (vaictl get's warning line), absent when there are none. */
function manifestErrorsHead(errors: StatusDocument['manifests']['errors']): { manifestErrors?: { count: number; first: string[] } } {
  if (errors.length === 0) return {};
  return { manifestErrors: { count: errors.length, first: errors.slice(0, 3).map((e) => `${e.file}:${e.line}:${e.column}: ${e.path ? `${e.path}: ` : ''}${e.message}`.slice(0, 300)) } };
}
