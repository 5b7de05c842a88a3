// Pulls names from the work queue and runs at most `concurrency` handlers at once. The queue
// guarantees one name is never handled twice at once; the pool bounds how many run together.
import type { WorkQueue } from './work-queue.js';

export interface WorkerPool {
  /** Handlers currently running. */
  readonly active: number;
  /** Stops taking names; resolves when running handlers finish or timeoutMs passes (true = all finished). */
  stop(timeoutMs: number): Promise<boolean>;
  /** Resolves when nothing is queued or running (used by one-shot mode and tests). */
  idle(): Promise<void>;
}

export function startWorkerPool(
  queue: WorkQueue,
  concurrency: number,
  handle: (name: string) => Promise<void>,
  onError: (name: string, err: unknown) => void,
): WorkerPool {
  let active = 0;
  let stopped = false;
  const running = new Set<Promise<void>>();
  let idleWaiters: Array<() => void> = [];

  const checkIdle = () => {
    if (active === 0 && queue.length === 0) {
      const w = idleWaiters;
      idleWaiters = [];
      for (const r of w) r();
    }
  };

  const runOne = async (name: string) => {
    try {
      await handle(name);
    } catch (err) {
      onError(name, err);
    } finally {
      active--;
      queue.done(name);
    }
  };

  const pump = () => {
    while (!stopped && active < concurrency) {
      const name = queue.get();
      if (name === undefined) break;
      active++;
      const p = runOne(name);
      running.add(p);
      void p.then(() => {
        running.delete(p);
        pump();
        checkIdle();
      });
    }
  };

  const unsubscribe = queue.onReady(() => queueMicrotask(pump));
  pump();

  return {
    get active() {
      return active;
    },
    async stop(timeoutMs) {
      stopped = true;
      unsubscribe();
      if (running.size === 0) return true;
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<false>((r) => {
        timer = setTimeout(() => r(false), timeoutMs);
      });
      const all = Promise.all([...running]).then(() => true as const);
      const finished = await Promise.race([all, timeout]);
      clearTimeout(timer);
      return finished;
    },
    idle() {
      return new Promise<void>((resolve) => {
        idleWaiters.push(resolve);
        queueMicrotask(checkIdle);
      });
    },
  };
}
