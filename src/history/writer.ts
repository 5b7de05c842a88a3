// The one writer of history.db. apply() writes a batch in one transaction: each minute's delta
// is added to its minute, hour and day row, so the merge into coarser rows happens as it is
// written and compaction is only deletion: minutes after 48 h, hours after 32 days (a 30-day
// window still starts on an hour), days, incidents, events and generations after --history-days. Synchronous (better-sqlite3): vaid runs it in a worker thread
// (writer-worker.ts), the size benchmark and the tests call it directly on a virtual clock.
import { DAY, LATENCY_BUCKETS, LEVELS, MINUTE } from './sql-schema.js';
import type { Batch, EventRecord, GenerationRecord, IncidentRecord, RollupDelta } from './batch.js';
import { isCorruption, moveAside, openWriter, type Db } from './database.js';

export const DEFAULT_HISTORY_DAYS = 400;
/** Compaction runs at most this often: it rereads two days of minutes. */
const COMPACT_EVERY_S = 10 * MINUTE;

const HIST = Array.from({ length: LATENCY_BUCKETS }, (_, i) => `h${i}`);
const ROLLUP_COLS = ['checks', 'failures', 'unknowns', 'latency_sum_us', 'latency_max_us', ...HIST, 'observed_ms', 'down_ms', 'restarts'];
const ADD = ROLLUP_COLS.map((c) => (c === 'latency_max_us' ? `${c} = max(${c}, excluded.${c})` : `${c} = ${c} + excluded.${c}`)).join(', ');

export interface WriterOptions {
  file: string;
  historyDays?: number;
  /** The clock at open (names a damaged file moved aside). */
  nowMs: number;
}

export interface WriterNotice {
  /** A damaged database was moved aside and a new one started. */
  movedAside?: { to: string; reason: string };
}

export class HistoryWriter {
  private db: Db;
  private readonly retentionS: number;
  private lastCompactS = -Infinity;
  private ids = new Map<string, number>();
  private stmts!: ReturnType<HistoryWriter['prepare']>;
  readonly notices: WriterNotice[] = [];

  constructor(private readonly opts: WriterOptions) {
    this.retentionS = Math.max(1, opts.historyDays ?? DEFAULT_HISTORY_DAYS) * DAY;
    const opened = openWriter(opts.file, opts.nowMs);
    this.db = opened.db;
    if (opened.movedAside) this.reset(opened.movedAside, opened.reason ?? 'unreadable', opts.nowMs);
    this.stmts = this.prepare();
  }

  private prepare() {
    const db = this.db;
    const cols = ROLLUP_COLS.join(', ');
    const params = ROLLUP_COLS.map(() => '?').join(', ');
    return {
      serviceId: db.prepare('SELECT id FROM services WHERE name = ?').pluck(),
      addService: db.prepare('INSERT INTO services (name) VALUES (?)'),
      rollup: LEVELS.map((l) => db.prepare(`INSERT INTO ${l.table} (service_id, start, ${cols}) VALUES (?, ?, ${params}) ON CONFLICT (service_id, start) DO UPDATE SET ${ADD}`)),
      incident: db.prepare(
        `INSERT INTO incidents (service_id, seq, opened_ms, closed_ms, duration_ms, closed_by, trigger, cause_reason, cause_message, cause_evidence, attempts, restarts, alerts_sent, alerts)
         VALUES (@service_id, @seq, @opened_ms, @closed_ms, @duration_ms, @closed_by, @trigger, @cause_reason, @cause_message, @cause_evidence, @attempts, @restarts, @alerts_sent, @alerts)
         ON CONFLICT (service_id, seq, opened_ms) DO UPDATE SET closed_ms = excluded.closed_ms, duration_ms = excluded.duration_ms, closed_by = excluded.closed_by,
           cause_reason = coalesce(excluded.cause_reason, cause_reason), cause_message = coalesce(excluded.cause_message, cause_message), cause_evidence = coalesce(excluded.cause_evidence, cause_evidence),
           attempts = max(attempts, excluded.attempts), restarts = max(restarts, excluded.restarts), alerts_sent = max(alerts_sent, excluded.alerts_sent),
           alerts = CASE WHEN excluded.alerts_sent >= alerts_sent THEN excluded.alerts ELSE alerts END`,
      ),
      event: db.prepare(
        `INSERT INTO events (service_id, type, reason, message, count, first_ms, last_ms) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (service_id, reason, first_ms, message) DO UPDATE SET count = max(count, excluded.count), last_ms = max(last_ms, excluded.last_ms)`,
      ),
      generation: db.prepare('INSERT OR IGNORE INTO generations (applied_ms, generation, commit_sha, dirty, errors, services) VALUES (?, ?, ?, ?, ?, ?)'),
      meta: db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value'),
    };
  }

  /** Writes one batch in one transaction. A damaged file is moved aside and the batch written to a new one. */
  apply(batch: Batch): void {
    try {
      this.transaction(batch);
    } catch (e) {
      if (!isCorruption(e)) throw e;
      this.startOver((e as Error).message, batch.nowMs);
      this.transaction(batch);
    }
  }

  private transaction(batch: Batch): void {
    this.db.transaction(() => {
      const nowS = Math.floor(batch.nowMs / 1000);
      for (const r of batch.rollups) this.writeRollup(r, nowS);
      for (const i of batch.incidents) this.writeIncident(i);
      for (const e of batch.events) this.writeEvent(e);
      for (const g of batch.generations) this.writeGeneration(g);
      this.stmts.meta.run('last_write_ms', String(batch.nowMs));
      this.stmts.meta.run('dropped_minutes', String(batch.droppedMinutes));
      if (nowS - this.lastCompactS >= COMPACT_EVERY_S) {
        this.compactNow(nowS);
        this.lastCompactS = nowS;
      }
    })();
  }

  /** Merges and drops old rows now (the size benchmark calls it as its virtual days pass). */
  compact(nowMs: number): void {
    this.db.transaction(() => this.compactNow(Math.floor(nowMs / 1000)))();
    this.lastCompactS = Math.floor(nowMs / 1000);
  }

  close(): void {
    try {
      this.db.pragma('wal_checkpoint(TRUNCATE)');
    } catch {
      // A full or failing disk: the WAL is replayed at the next open.
    }
    this.db.close();
  }

  sizeBytes(): number {
    const pages = this.db.pragma('page_count', { simple: true }) as number;
    const size = this.db.pragma('page_size', { simple: true }) as number;
    return pages * size;
  }

  private startOver(reason: string, nowMs: number): void {
    try {
      this.db.close();
    } catch {
      // Closing a damaged connection can fail too; the file is moved aside either way.
    }
    const to = moveAside(this.opts.file, nowMs);
    this.db = openWriter(this.opts.file, nowMs).db;
    this.ids.clear();
    this.reset(to, reason, nowMs);
    this.stmts = this.prepare();
  }

  private reset(to: string, reason: string, nowMs: number): void {
    this.notices.push({ movedAside: { to, reason } });
    this.db
      .prepare('INSERT INTO events (service_id, type, reason, message, count, first_ms, last_ms) VALUES (NULL, ?, ?, ?, 1, ?, ?)')
      .run('Warning', 'HistoryReset', `the history database could not be read (${reason}); it was moved to ${to} and a new one started`, nowMs, nowMs);
  }

  private id(name: string): number {
    let id = this.ids.get(name);
    if (id === undefined) {
      id = (this.stmts.serviceId.get(name) as number | undefined) ?? Number(this.stmts.addService.run(name).lastInsertRowid);
      this.ids.set(name, id);
    }
    return id;
  }

  /** A delta goes to each level that still keeps its time (a late batch after a long stall skips the minutes). */
  private writeRollup(r: RollupDelta, nowS: number): void {
    const id = this.id(r.service);
    const values = [r.checks, r.failures, r.unknowns, Math.round(r.latencySumUs), Math.round(r.latencyMaxUs), ...r.hist, Math.round(r.observedMs), Math.round(r.downMs), r.restarts];
    LEVELS.forEach((l, i) => {
      const start = Math.floor(r.start / l.span) * l.span;
      if (start + l.span <= nowS - this.keepS(i)) return;
      this.stmts.rollup[i]!.run(id, start, ...values);
    });
  }

  private keepS(level: number): number {
    const l = LEVELS[level]!;
    return Math.min(l.keepS, this.retentionS);
  }

  private writeIncident(i: IncidentRecord): void {
    const sent = i.alerts.filter((a) => a.state === 'delivered' || a.state === 'pending' || a.state === 'failed').length;
    this.stmts.incident.run({
      service_id: this.id(i.service),
      seq: i.seq,
      opened_ms: i.openedMs,
      closed_ms: i.closedMs,
      duration_ms: i.closedMs === null ? null : Math.max(0, i.closedMs - i.openedMs),
      closed_by: i.closedBy,
      trigger: i.trigger,
      cause_reason: i.cause?.reason ?? null,
      cause_message: i.cause?.message ?? null,
      cause_evidence: i.cause ? JSON.stringify(i.cause.evidence) : null,
      attempts: i.attempts,
      restarts: i.restarts,
      alerts_sent: sent,
      alerts: JSON.stringify(i.alerts),
    });
  }

  private writeEvent(e: EventRecord): void {
    this.stmts.event.run(e.service === null ? null : this.id(e.service), e.type, e.reason, e.message, e.count, e.firstMs, e.lastMs);
  }

  private writeGeneration(g: GenerationRecord): void {
    this.stmts.generation.run(g.appliedMs, g.generation, g.commit, g.dirty ? 1 : 0, g.errors, g.services);
  }

  private compactNow(nowS: number): void {
    const db = this.db;
    LEVELS.forEach((l, i) => db.prepare(`DELETE FROM ${l.table} WHERE start + ${l.span} <= ?`).run(nowS - this.keepS(i)));
    const keepFromMs = (nowS - this.retentionS) * 1000;
    db.prepare('DELETE FROM incidents WHERE closed_ms IS NOT NULL AND closed_ms < ?').run(keepFromMs);
    db.prepare('DELETE FROM events WHERE last_ms < ?').run(keepFromMs);
    db.prepare('DELETE FROM generations WHERE applied_ms < ?').run(keepFromMs);
  }
}
