// The worker thread that owns history.db for vaid: a slow fsync, a full disk or a long
// compaction stalls this thread, never the event loop that runs the checks. It takes one batch
// at a time and answers each with a BatchResult.
import { parentPort, workerData } from 'node:worker_threads';
import type { Batch, BatchResult } from './batch.js';
import { HistoryTooNew } from './database.js';
import { HistoryWriter, type WriterNotice } from './writer.js';

export interface WorkerInit {
  file: string;
  historyDays: number;
  nowMs: number;
}

export type WorkerMessage =
  | { type: 'opened'; notices: WriterNotice[] }
  | { type: 'refused'; error: string }
  | { type: 'failed'; error: string; code: string | undefined }
  | { type: 'result'; result: BatchResult; notices: WriterNotice[] }
  | { type: 'closed' };

const port = parentPort!;
const init = workerData as WorkerInit;
let writer: HistoryWriter | null = null;

function open(nowMs: number): WorkerMessage {
  try {
    writer = new HistoryWriter({ file: init.file, historyDays: init.historyDays, nowMs });
    return { type: 'opened', notices: writer.notices.splice(0) };
  } catch (e) {
    if (e instanceof HistoryTooNew) return { type: 'refused', error: e.message };
    return { type: 'failed', error: (e as Error).message, code: (e as { code?: string }).code };
  }
}

port.postMessage(open(init.nowMs));

port.on('message', (msg: { type: 'batch'; batch: Batch } | { type: 'close' }) => {
  if (msg.type === 'close') {
    try {
      writer?.close();
    } catch {
      // Closing on a failing disk: the WAL is replayed at the next open.
    }
    port.postMessage({ type: 'closed' } satisfies WorkerMessage);
    return;
  }
  const { batch } = msg;
  // A database that could not be opened (disk full, unreadable dir) is tried again with each batch.
  if (!writer) {
    const opened = open(batch.nowMs);
    if (opened.type !== 'opened') {
      const error = opened.type === 'refused' || opened.type === 'failed' ? opened.error : 'not open';
      port.postMessage({ type: 'result', result: { seq: batch.seq, ok: false, error, code: opened.type === 'failed' ? opened.code : 'VAI_E_HISTORY_TOO_NEW', retry: opened.type !== 'refused' }, notices: [] } satisfies WorkerMessage);
      return;
    }
    if (opened.notices.length) port.postMessage({ type: 'opened', notices: opened.notices } satisfies WorkerMessage);
  }
  const started = performance.now();
  let result: BatchResult;
  try {
    writer!.apply(batch);
    result = { seq: batch.seq, ok: true, ms: performance.now() - started };
  } catch (e) {
    result = { seq: batch.seq, ok: false, error: (e as Error).message, code: (e as { code?: string }).code, retry: true };
  }
  port.postMessage({ type: 'result', result, notices: writer!.notices.splice(0) } satisfies WorkerMessage);
});
