// Where the recorder's batches go. workerSink: vaid's, a worker thread owning the database, so
// the disk never holds the event loop. directSink: the same writer in this thread, for the size
// benchmark and tests that run on a virtual clock.
import { Worker } from 'node:worker_threads';
import type { Batch, BatchResult } from './batch.js';
import { HistoryTooNew } from './database.js';
import type { HistorySink } from './recorder.js';
import type { WorkerInit, WorkerMessage } from './writer-worker.js';
import { HistoryWriter, type WriterNotice } from './writer.js';

export interface SinkOptions {
  file: string;
  historyDays: number;
  nowMs: number;
  /** A damaged database was moved aside (at open or on a write). */
  onNotice?: (n: WriterNotice) => void;
}

export function directSink(opts: SinkOptions): HistorySink & { writer: HistoryWriter | null } {
  let refused: string | null = null;
  let writer: HistoryWriter | null = null;
  // Delivered after the caller's current step, as the worker's are: the caller may still be wiring its recorder.
  const take = () => {
    const notices = writer?.notices.splice(0) ?? [];
    if (notices.length) queueMicrotask(() => notices.forEach((n) => opts.onNotice?.(n)));
  };
  const open = (nowMs: number): string | null => {
    try {
      writer = new HistoryWriter({ file: opts.file, historyDays: opts.historyDays, nowMs });
      take();
      return null;
    } catch (e) {
      if (e instanceof HistoryTooNew) refused = e.message;
      return (e as Error).message;
    }
  };
  open(opts.nowMs);
  return {
    get writer() {
      return writer;
    },
    refused: () => refused,
    async write(batch: Batch): Promise<BatchResult> {
      if (!writer) {
        const error = refused ?? open(batch.nowMs);
        if (error) return { seq: batch.seq, ok: false, error, code: undefined, retry: refused === null };
      }
      const started = performance.now();
      try {
        writer!.apply(batch);
        take();
        return { seq: batch.seq, ok: true, ms: performance.now() - started };
      } catch (e) {
        return { seq: batch.seq, ok: false, error: (e as Error).message, code: (e as { code?: string }).code, retry: true };
      }
    },
    async close() {
      writer?.close();
    },
  };
}

export function workerSink(opts: SinkOptions): HistorySink {
  const init: WorkerInit = { file: opts.file, historyDays: opts.historyDays, nowMs: opts.nowMs };
  // Under tsx (tests) the worker runs the .ts source; compiled, the .js beside this file.
  const source = import.meta.url.endsWith('.ts');
  const url = new URL(source ? './writer-worker.ts' : './writer-worker.js', import.meta.url);
  // Node 20 does not run a worker's .ts entry through tsx's hooks; an import() from eval'd code does.
  const worker = source
    ? new Worker(`import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((t) => t.register()).then(() => import(${JSON.stringify(url.href)}))`, { eval: true, workerData: init })
    : new Worker(url, { workerData: init });
  worker.unref();
  let refused: string | null = null;
  let dead: string | null = null;
  const waiting = new Map<number, (r: BatchResult) => void>();
  let closed: (() => void) | null = null;
  worker.on('message', (m: WorkerMessage) => {
    if (m.type === 'refused') refused = m.error;
    else if (m.type === 'opened') for (const n of m.notices) opts.onNotice?.(n);
    else if (m.type === 'result') {
      for (const n of m.notices) opts.onNotice?.(n);
      if (!m.result.ok && m.result.code === 'VAI_E_HISTORY_TOO_NEW') refused = m.result.error;
      waiting.get(m.result.seq)?.(m.result);
      waiting.delete(m.result.seq);
    } else if (m.type === 'closed') closed?.();
  });
  const fail = (why: string) => {
    dead = why;
    for (const [seq, done] of waiting) done({ seq, ok: false, error: why, code: undefined, retry: false });
    waiting.clear();
    closed?.();
  };
  worker.on('error', (e) => fail(`history writer thread failed: ${e.message}`));
  worker.on('exit', (code) => fail(`history writer thread exited (${code})`));
  return {
    refused: () => refused ?? dead,
    write(batch) {
      if (dead) return Promise.resolve({ seq: batch.seq, ok: false, error: dead, code: undefined, retry: false });
      return new Promise((resolve) => {
        waiting.set(batch.seq, resolve);
        worker.postMessage({ type: 'batch', batch });
      });
    },
    close() {
      if (dead) return Promise.resolve();
      return new Promise<void>((resolve) => {
        const timer = setTimeout(() => void worker.terminate().then(() => resolve()), 5000);
        closed = () => {
          clearTimeout(timer);
          resolve();
        };
        worker.postMessage({ type: 'close' });
      }).then(() => void worker.terminate());
    },
  };
}
