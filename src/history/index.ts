// history: check history, incidents, events and generations in STATE_DIR/history.db (SQLite).
// vaid is the one writer (recorder.ts subscribes to the status store; writer.ts in a worker
// thread writes batches); vaictl and the web endpoint read it through query.ts. Never raw beats:
// minute, hour and day rollups (docs/history.md). Imports status types and the clock interface
// only; never reconcile's logic, executor, notify or cli.
import type { Clock } from '../core/clock.js';
import type { RecordedStatus, ServiceChange } from '../status/store.js';
import type { ServiceStatus, StatusDocument } from '../status/schema.js';
import { historyFile } from './database.js';
import { HistoryRecorder, type HistoryLog } from './recorder.js';
import { workerSink } from './sinks.js';

export { historyFile, openReader, HistoryTooNew, HistoryUnavailable, type Db } from './database.js';
export { HistoryRecorder, type HistorySink } from './recorder.js';
export { DEFAULT_HISTORY_DAYS } from './writer.js';

export interface HistoryParts {
  stateDir: string;
  clock: Clock;
  historyDays: number;
  /** Batch interval; default 5,000 ms (tests shorten it to land kills inside a batch). */
  flushIntervalMs?: number | undefined;
  log: HistoryLog;
  /** The status store: its 'change' events feed the recorder, its document the generations and alerts. */
  store: {
    on(event: 'change', listener: (c: ServiceChange) => void): unknown;
    document(): StatusDocument;
    all(): Iterable<RecordedStatus>;
  };
}

export interface History {
  recorder: HistoryRecorder;
  /** For /healthz: fails while history is behind, refused or after a failed write. */
  healthCheck: { name: string; check(): string | null };
  close(): Promise<void>;
}

export function startHistory(p: HistoryParts): History {
  const file = historyFile(p.stateDir);
  let recorder: HistoryRecorder | null = null;
  const sink = workerSink({
    file,
    historyDays: p.historyDays,
    nowMs: p.clock.now(),
    onNotice: (n) => {
      if (n.movedAside) recorder?.noteReset(n.movedAside.to, n.movedAside.reason);
    },
  });
  recorder = new HistoryRecorder({ clock: p.clock, sink, log: p.log, ...(p.flushIntervalMs ? { flushIntervalMs: p.flushIntervalMs } : {}) });
  const r = recorder;
  p.store.on('change', (c) => r.observe(c));
  r.start(() => p.store.document(), p.store.all());
  return {
    recorder: r,
    healthCheck: { name: 'history', check: () => r.health() },
    close: () => r.close(),
  };
}
