// The history recorder: subscribes to what vaid already produces (the status store's service
// changes, and its document for generations and alerts) and turns it into minute rollups,
// incidents, events and generations, handed to a sink in one batch every flushIntervalMs.
// observe() runs on the reconcile path: it only adds numbers into maps, never touches the disk.
// The sink (a worker thread in vaid) writes at its own pace, one batch in flight at a time; while
// it is slow or failing the batches merge in memory, and past maxPendingRows the oldest minutes
// are dropped and counted. A check is never delayed by history.
import type { RecordedStatus } from '../status/store.js';
import type { Clock, TimerHandle } from '../core/clock.js';
import type { ServiceChange } from '../status/store.js';
import type { AlertRecord, StatusDocument, StatusEvent } from '../status/schema.js';
import { emptyDelta, latencyBucket, mergeDelta, type AlertRef, type Batch, type BatchResult, type CauseRecord, type EventRecord, type GenerationRecord, type IncidentRecord, type RollupDelta } from './batch.js';
import { MINUTE } from './sql-schema.js';

export interface HistorySink {
  /** Writes a batch; resolves with its result (never rejects). */
  write(batch: Batch): Promise<BatchResult>;
  /** Why the sink cannot write at all (a database from a newer vai), or null. */
  refused(): string | null;
  close(): Promise<void>;
}

export interface HistoryLog {
  warn(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
}

export interface HistoryRecorderOptions {
  clock: Clock;
  sink: HistorySink;
  /** How often a batch is written; default 5,000 ms. */
  flushIntervalMs?: number;
  /** Rollup rows held in memory while the writer is behind, before the oldest minutes are dropped; default 100,000. */
  maxPendingRows?: number;
  /** /healthz fails when the oldest unwritten change is older than this; default 60,000 ms. */
  behindAfterMs?: number;
  log?: HistoryLog;
}

/** An interval between two checks longer than this (vaid was stopped, the service removed) is not counted as observed time. */
export const MAX_OBSERVED_GAP_MS = 5 * 60_000;

interface LastCheck {
  atMs: number;
  health: 'healthy' | 'unhealthy' | 'unknown';
  /** vai keeps the service running (not stopped or disabled): its time counts. */
  counted: boolean;
}

interface OpenIncident {
  rec: IncidentRecord;
  restartsAtOpen: number;
}

export interface RecorderStats {
  batches: number;
  failedBatches: number;
  droppedMinutes: number;
  pendingRows: number;
  lastWriteAtMs: number | null;
  lastError: string | null;
  /** Oldest change not yet committed, or null when everything is written. */
  oldestUnwrittenMs: number | null;
}

export class HistoryRecorder {
  private readonly minutes = new Map<string, RollupDelta>();
  private readonly last = new Map<string, LastCheck>();
  private readonly open = new Map<string, OpenIncident>();
  private incidents = new Map<string, IncidentRecord>();
  private events = new Map<string, EventRecord>();
  private generations: GenerationRecord[] = [];
  private lastGeneration = -1;
  private lastAlerts: AlertRecord[] | null = null;
  private timer: TimerHandle | null = null;
  private inFlight: Promise<void> | null = null;
  private seq = 0;
  private closed = false;
  private oldestUnwrittenMs: number | null = null;
  private document: (() => StatusDocument) | null = null;
  /** A reason /healthz shows until the next good write (a database moved aside, a failed write). */
  private problem: string | null = null;
  readonly stats: RecorderStats = { batches: 0, failedBatches: 0, droppedMinutes: 0, pendingRows: 0, lastWriteAtMs: null, lastError: null, oldestUnwrittenMs: null };

  constructor(private readonly opts: HistoryRecorderOptions) {}

  /** Starts the batch timer; `doc` is read at each flush for generations and alerts. */
  start(doc: () => StatusDocument, seed: Iterable<RecordedStatus> = []): void {
    this.document = doc;
    for (const s of seed) {
      if (s.lastCheck) this.last.set(s.name, { atMs: Date.parse(s.lastCheck.at), health: s.lastCheck.health, counted: counts(s) });
      if (s.incident.open && s.incident.openedAt) this.openIncident(s, Date.parse(s.incident.openedAt));
    }
    this.schedule();
  }

  /** The store's 'change' listener. */
  observe(c: ServiceChange): void {
    if (this.closed) return;
    const s = c.status;
    const p = c.previous;
    if (!s) {
      if (p) this.closeIncident(p.name, this.opts.clock.now(), 'operator');
      this.last.delete(c.name);
      return;
    }
    if (s.lastCheck && s.lastCheck.at !== p?.lastCheck?.at) this.check(s);
    if (p && s.restarts.count > p.restarts.count) {
      const at = s.restarts.lastAt ? Date.parse(s.restarts.lastAt) : this.opts.clock.now();
      this.minute(s.name, at).restarts += s.restarts.count - p.restarts.count;
    }
    this.incident(s, p);
    if (s.events !== p?.events) this.newEvents(s, p);
  }

  /** Why history is unhealthy for /healthz, or null. */
  health(): string | null {
    const refused = this.opts.sink.refused();
    if (refused) return refused;
    if (this.problem) return this.problem;
    const behind = this.behindMs();
    if (behind !== null && behind > (this.opts.behindAfterMs ?? 60_000)) return `history is ${Math.round(behind / 1000)} s behind (${this.stats.pendingRows} rollup rows waiting, ${this.stats.droppedMinutes} minutes dropped)`;
    return null;
  }

  behindMs(): number | null {
    return this.oldestUnwrittenMs === null ? null : this.opts.clock.now() - this.oldestUnwrittenMs;
  }

  /** Writes what is pending now and waits for it (tests, an orderly stop). */
  async flush(): Promise<void> {
    while (this.inFlight) await this.inFlight;
    await this.writeBatch();
  }

  async close(): Promise<void> {
    if (this.timer) this.opts.clock.clearTimer(this.timer);
    this.timer = null;
    this.closed = true;
    for (const [name, o] of this.open) this.incidents.set(name + '#' + o.rec.seq, { ...o.rec });
    await this.flush().catch(() => undefined);
    await this.opts.sink.close();
  }

  private schedule(): void {
    if (this.closed) return;
    this.timer = this.opts.clock.setTimer(() => {
      this.timer = null;
      if (!this.inFlight) this.inFlight = this.writeBatch().finally(() => (this.inFlight = null));
      this.schedule();
    }, this.opts.flushIntervalMs ?? 5000);
  }

  private check(s: RecordedStatus): void {
    const lc = s.lastCheck!;
    const at = Date.parse(lc.at);
    const d = this.minute(s.name, at);
    d.checks++;
    if (lc.health === 'unhealthy') d.failures++;
    else if (lc.health === 'unknown') d.unknowns++;
    const us = lc.latencyMs * 1000;
    d.latencySumUs += us;
    if (us > d.latencyMaxUs) d.latencyMaxUs = us;
    d.hist[latencyBucket(lc.latencyMs)]!++;
    const prev = this.last.get(s.name);
    if (prev && prev.counted && prev.health !== 'unknown' && at > prev.atMs && at - prev.atMs <= MAX_OBSERVED_GAP_MS) this.span(s.name, prev.atMs, at, prev.health === 'unhealthy');
    this.last.set(s.name, { atMs: at, health: lc.health, counted: counts(s) });
  }

  /** Adds [from, to) to the observed (and down) time of the minutes it covers. */
  private span(name: string, from: number, to: number, down: boolean): void {
    let t = from;
    while (t < to) {
      const end = Math.min(to, (Math.floor(t / 60_000) + 1) * 60_000);
      const d = this.minute(name, t);
      d.observedMs += end - t;
      if (down) d.downMs += end - t;
      t = end;
    }
  }

  private minute(name: string, atMs: number): RollupDelta {
    const start = Math.floor(atMs / 60_000) * MINUTE;
    const key = `${name}\u0000${start}`;
    let d = this.minutes.get(key);
    if (!d) {
      d = emptyDelta(name, start);
      this.minutes.set(key, d);
      this.stats.pendingRows++;
      this.oldestUnwrittenMs ??= this.opts.clock.now();
      if (this.stats.pendingRows > (this.opts.maxPendingRows ?? 100_000)) this.dropOldest();
    }
    return d;
  }

  /** The writer is too far behind: the oldest minute of all goes, counted. */
  private dropOldest(): void {
    let oldestKey: string | null = null;
    let oldest = Infinity;
    for (const [k, d] of this.minutes) {
      if (d.start < oldest) {
        oldest = d.start;
        oldestKey = k;
      }
    }
    // Every row of that minute goes at once: a minute is dropped whole, and the scan is rare.
    for (const [k, d] of this.minutes) {
      if (d.start === oldest && k !== oldestKey) {
        this.minutes.delete(k);
        this.stats.pendingRows--;
      }
    }
    if (oldestKey) {
      this.minutes.delete(oldestKey);
      this.stats.pendingRows--;
      this.stats.droppedMinutes++;
    }
  }

  private incident(s: RecordedStatus, p: RecordedStatus | null): void {
    const inc = s.incident;
    const had = this.open.get(s.name);
    // Counts first: the change that closes an incident often carries its last restart.
    if (had) this.updateIncident(s, had, p);
    if (had && (!inc.open || inc.seq !== had.rec.seq)) {
      const by = s.phase === 'Stopped' || s.phase === 'Disabled' ? 'stop' : had.rec.trigger.startsWith('requested by vaictl restart') ? 'operator' : 'recovery';
      this.closeIncident(s.name, s.phaseSince ? Math.max(Date.parse(s.phaseSince), had.rec.openedMs) : this.opts.clock.now(), by);
    }
    if (inc.open && !this.open.has(s.name)) {
      this.openIncident(s, inc.openedAt ? Date.parse(inc.openedAt) : this.opts.clock.now(), p?.restarts.count);
      this.updateIncident(s, this.open.get(s.name)!, p);
    }
  }

  private updateIncident(s: RecordedStatus, o: OpenIncident, p: RecordedStatus | null): void {
    const rec = o.rec;
    const attempts = s.incident.seq === rec.seq ? (s.incident.attempts ?? 0) : rec.attempts;
    const restarts = Math.max(rec.restarts, s.restarts.count - o.restartsAtOpen);
    const cause = causeOf(s, rec.openedMs);
    if (attempts !== rec.attempts || restarts !== rec.restarts || (cause && !rec.cause) || p === null) {
      rec.attempts = Math.max(rec.attempts, attempts);
      rec.restarts = restarts;
      rec.cause ??= cause;
      this.incidents.set(`${s.name}#${rec.seq}`, { ...rec });
    }
  }

  /** `restartsBefore`: the count before this change, when the restart came in the change that opened it. */
  private openIncident(s: RecordedStatus, openedMs: number, restartsBefore = s.restarts.count): void {
    const trigger = s.recovery?.reason ?? s.lastCheck?.message ?? s.phase;
    const rec: IncidentRecord = { service: s.name, seq: s.incident.seq, openedMs, closedMs: null, closedBy: null, trigger, cause: causeOf(s, openedMs), attempts: s.incident.attempts ?? 0, restarts: 0, alerts: [] };
    // A vaid restarted mid-incident reopens the same row: restarts are counted from here.
    this.open.set(s.name, { rec, restartsAtOpen: Math.min(restartsBefore, s.restarts.count) });
    this.incidents.set(`${s.name}#${rec.seq}`, { ...rec });
    this.oldestUnwrittenMs ??= this.opts.clock.now();
  }

  private closeIncident(name: string, atMs: number, by: 'recovery' | 'operator' | 'stop'): void {
    const o = this.open.get(name);
    if (!o) return;
    this.open.delete(name);
    o.rec.closedMs = atMs;
    o.rec.closedBy = by;
    this.incidents.set(`${name}#${o.rec.seq}`, { ...o.rec });
    this.oldestUnwrittenMs ??= this.opts.clock.now();
  }

  private newEvents(s: RecordedStatus, p: RecordedStatus | null): void {
    const before = new Map<string, StatusEvent>();
    for (const e of p?.events ?? []) before.set(`${e.reason}\u0000${e.firstTime}\u0000${e.message}`, e);
    for (const e of s.events) {
      const key = `${e.reason}\u0000${e.firstTime}\u0000${e.message}`;
      const old = before.get(key);
      if (old && old.count === e.count && old.lastTime === e.lastTime) continue;
      this.events.set(`${s.name}\u0000${key}`, { service: s.name, type: e.type, reason: e.reason, message: e.message, count: e.count, firstMs: Date.parse(e.firstTime), lastMs: Date.parse(e.lastTime) });
      this.oldestUnwrittenMs ??= this.opts.clock.now();
    }
  }

  /** Generations and alert deliveries come from the document: the store emits no change for them. */
  private readDocument(): void {
    const doc = this.document?.();
    if (!doc) return;
    const m = doc.manifests;
    if (m.generation !== this.lastGeneration && m.generation > 0) {
      this.lastGeneration = m.generation;
      this.generations.push({ appliedMs: m.appliedAt ? Date.parse(m.appliedAt) : this.opts.clock.now(), generation: m.generation, commit: m.revision?.commit ?? null, dirty: m.revision?.dirty ?? false, errors: m.errors.length, services: Object.keys(doc.services).length });
    }
    const recent = doc.alerts.recent;
    if (recent === this.lastAlerts) return;
    this.lastAlerts = recent;
    const byIncident = new Map<string, AlertRef[]>();
    for (const a of recent) {
      // Alert ids are `<service>:<kind>:<incident seq>` (reconcile/planner.ts).
      const seq = /:(\d+)$/.exec(a.id)?.[1];
      if (seq === undefined) continue;
      const key = `${a.service}#${seq}`;
      const list = byIncident.get(key) ?? [];
      list.push({ kind: a.kind, sink: a.sink, state: a.state, at: a.at });
      byIncident.set(key, list);
    }
    for (const [key, alerts] of byIncident) {
      const open = this.open.get(key.slice(0, key.lastIndexOf('#')));
      const rec = open && `${open.rec.service}#${open.rec.seq}` === key ? open.rec : this.incidents.get(key) ?? this.closedLately.get(key);
      if (!rec || JSON.stringify(rec.alerts) === JSON.stringify(alerts)) continue;
      rec.alerts = alerts;
      this.incidents.set(key, { ...rec });
    }
  }

  /** Closed incidents of the last hour, so alert deliveries that settle after the close still reach their row. */
  private closedLately = new Map<string, IncidentRecord>();

  private async writeBatch(): Promise<void> {
    this.readDocument();
    if (this.minutes.size === 0 && this.incidents.size === 0 && this.events.size === 0 && this.generations.length === 0) return;
    const batch: Batch = {
      seq: ++this.seq,
      nowMs: this.opts.clock.now(),
      rollups: [...this.minutes.values()],
      incidents: [...this.incidents.values()],
      events: [...this.events.values()],
      generations: this.generations,
      droppedMinutes: this.stats.droppedMinutes,
    };
    const oldest = this.oldestUnwrittenMs;
    this.minutes.clear();
    this.stats.pendingRows = 0;
    this.incidents = new Map();
    this.events = new Map();
    this.generations = [];
    this.oldestUnwrittenMs = null;
    const result = await this.opts.sink.write(batch);
    if (result.ok) {
      this.stats.batches++;
      this.stats.lastWriteAtMs = this.opts.clock.now();
      this.stats.lastError = null;
      this.problem = null;
      for (const i of batch.incidents) {
        if (i.closedMs !== null) this.closedLately.set(`${i.service}#${i.seq}`, i);
      }
      const hourAgo = batch.nowMs - 3_600_000;
      for (const [k, i] of this.closedLately) if ((i.closedMs ?? 0) < hourAgo) this.closedLately.delete(k);
      return;
    }
    this.stats.failedBatches++;
    this.stats.lastError = result.error;
    if (this.stats.failedBatches === 1 || this.problem === null) this.opts.log?.warn({ err: result.error, code: result.code }, `history: cannot write (${result.error}); recovery goes on, history catches up when it can`);
    this.problem = `last history write failed: ${result.error}`;
    if (!result.retry) return;
    this.restore(batch, oldest);
  }

  /** A failed batch goes back in front of what came since, to be written with the next one. */
  private restore(batch: Batch, oldest: number | null): void {
    for (const r of batch.rollups) {
      const key = `${r.service}\u0000${r.start}`;
      const now = this.minutes.get(key);
      if (now) mergeDelta(now, r);
      else {
        this.minutes.set(key, r);
        this.stats.pendingRows++;
      }
    }
    while (this.stats.pendingRows > (this.opts.maxPendingRows ?? 100_000)) this.dropOldest();
    for (const i of batch.incidents) {
      const key = `${i.service}#${i.seq}`;
      if (!this.incidents.has(key)) this.incidents.set(key, i);
    }
    for (const e of batch.events) {
      const key = `${e.service}\u0000${e.reason}\u0000${new Date(e.firstMs).toISOString()}\u0000${e.message}`;
      if (!this.events.has(key)) this.events.set(key, e);
    }
    this.generations = [...batch.generations, ...this.generations];
    if (oldest !== null) this.oldestUnwrittenMs = Math.min(oldest, this.oldestUnwrittenMs ?? oldest);
  }

  /** Tells /healthz that a damaged database was moved aside (until the next good write). */
  noteReset(to: string, reason: string): void {
    this.problem = `the history database was unreadable (${reason}); moved to ${to}, a new one started`;
    this.opts.log?.warn({ movedTo: to, reason }, `history: ${this.problem}`);
  }
}

function counts(s: RecordedStatus): boolean {
  return s.desired === 'Running' && s.phase !== 'Stopped' && s.phase !== 'Disabled';
}

/** The diagnosis' cause, where a vaid that has it puts it; absent in older statuses. */
function causeOf(s: RecordedStatus, sinceMs: number): CauseRecord | null {
  // lastFailure outlives its incident: only one recorded since this incident opened is its cause.
  const f = s.lastFailure;
  if (f && Date.parse(f.at) >= sinceMs - 1000) return { reason: f.reason, message: f.message, evidence: f.evidence.slice(0, 20) };
  const loose = s as unknown as { cause?: unknown; lastCheck?: { cause?: unknown } | null; recovery?: { cause?: unknown } | null };
  const c = loose.cause ?? loose.lastCheck?.cause ?? loose.recovery?.cause;
  if (!c || typeof c !== 'object') return null;
  const { reason, message, evidence } = c as { reason?: unknown; message?: unknown; evidence?: unknown };
  if (typeof reason !== 'string') return null;
  return { reason, message: typeof message === 'string' ? message : '', evidence: Array.isArray(evidence) ? evidence.slice(0, 20) : [] };
}
