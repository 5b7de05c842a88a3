// What the recorder (in vaid's event loop) hands the writer (a worker thread) in one batch, one
// transaction. Rollup rows are deltas added to what the database holds, so a batch that failed
// can be merged back and sent again without counting anything twice.
import { LATENCY_BOUNDS_MS, LATENCY_BUCKETS } from './sql-schema.js';

export interface RollupDelta {
  service: string;
  /** Unix seconds of the minute's start. */
  start: number;
  checks: number;
  failures: number;
  unknowns: number;
  latencySumUs: number;
  latencyMaxUs: number;
  /** LATENCY_BUCKETS counts. */
  hist: number[];
  observedMs: number;
  downMs: number;
  restarts: number;
}

export interface CauseRecord {
  reason: string;
  message: string;
  evidence: unknown[];
}

export interface AlertRef {
  kind: string;
  sink: string;
  state: string;
  at: string;
}

export interface IncidentRecord {
  service: string;
  seq: number;
  openedMs: number;
  closedMs: number | null;
  closedBy: 'recovery' | 'operator' | 'stop' | null;
  trigger: string;
  cause: CauseRecord | null;
  attempts: number;
  restarts: number;
  alerts: AlertRef[];
}

export interface EventRecord {
  /** null: an event of the history store itself. */
  service: string | null;
  type: string;
  reason: string;
  message: string;
  count: number;
  firstMs: number;
  lastMs: number;
}

export interface GenerationRecord {
  appliedMs: number;
  generation: number;
  commit: string | null;
  dirty: boolean;
  errors: number;
  services: number;
}

export interface Batch {
  seq: number;
  /** The recorder's clock (a virtual one in tests): compaction and retention run against it. */
  nowMs: number;
  rollups: RollupDelta[];
  incidents: IncidentRecord[];
  events: EventRecord[];
  generations: GenerationRecord[];
  /** Minutes dropped so far because the writer fell too far behind (kept in meta). */
  droppedMinutes: number;
}

export type BatchResult =
  | { seq: number; ok: true; ms: number }
  | { seq: number; ok: false; error: string; code: string | undefined; retry: boolean };

export function emptyDelta(service: string, start: number): RollupDelta {
  return { service, start, checks: 0, failures: 0, unknowns: 0, latencySumUs: 0, latencyMaxUs: 0, hist: new Array<number>(LATENCY_BUCKETS).fill(0), observedMs: 0, downMs: 0, restarts: 0 };
}

export function latencyBucket(ms: number): number {
  for (let i = 0; i < LATENCY_BOUNDS_MS.length; i++) if (ms <= LATENCY_BOUNDS_MS[i]!) return i;
  return LATENCY_BOUNDS_MS.length;
}

/** Adds b into a (same service and minute). */
export function mergeDelta(a: RollupDelta, b: RollupDelta): void {
  a.checks += b.checks;
  a.failures += b.failures;
  a.unknowns += b.unknowns;
  a.latencySumUs += b.latencySumUs;
  a.latencyMaxUs = Math.max(a.latencyMaxUs, b.latencyMaxUs);
  for (let i = 0; i < a.hist.length; i++) a.hist[i]! += b.hist[i] ?? 0;
  a.observedMs += b.observedMs;
  a.downMs += b.downMs;
  a.restarts += b.restarts;
}
