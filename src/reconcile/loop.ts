// The generic reconcile loop over a key (controller-runtime's internal controller, reduced): a
// work queue that never runs one key twice at once, a pool of workers, and a rate limiter for
// keys whose reconcile threw. It knows nothing of services.
//
// The contract of a reconcile function, as controller-runtime writes it:
// - it returns a Result: `requeueAt` (steady ms) schedules the key's next run and forgets its
//   backoff; null forgets the backoff and schedules nothing;
// - it throws: the key runs again after the rate limiter's delay (exponential per key);
// - it throws a TerminalError: no retry; whoever threw it has recorded why.
// Once-mode (vaictl reconcile --once) runs until idle: results whose `untilIdle` is false are
// not scheduled, thrown errors are not retried, and run() resolves when no key is queued,
// running or scheduled.
import type { Clock } from '../core/clock.js';
import type { Log } from '../core/log.js';
import { exponentialRateLimiter, type RateLimiter } from './rate-limiter.js';
import { WorkQueue } from './work-queue.js';
import { startWorkerPool, type WorkerPool } from './worker-pool.js';

export interface Result {
  /** Steady ms when the key should run again. */
  requeueAt: number;
  /** Whether once-mode follows this requeue (a recovery under way) or leaves it (the next interval). */
  untilIdle: boolean;
}

/** A failure that retrying cannot fix: logged, not retried. */
export class TerminalError extends Error {
  override readonly name = 'TerminalError';
}

export interface LoopOptions {
  clock: Clock;
  log: Log;
  concurrency: number;
  mode: 'daemon' | 'once';
  reconcile: (key: string) => Promise<Result | null>;
  rateLimiter?: RateLimiter;
  /** Called after each reconcile with its duration (metrics). */
  onReconciled?: (key: string, durationMs: number, ok: boolean) => void;
}

export class Loop {
  readonly queue: WorkQueue;
  readonly rateLimiter: RateLimiter;
  private pool: WorkerPool | null = null;
  private idleWaiters: Array<() => void> = [];

  constructor(private readonly opts: LoopOptions) {
    this.queue = new WorkQueue(opts.clock);
    this.rateLimiter = opts.rateLimiter ?? exponentialRateLimiter();
  }

  get mode(): 'daemon' | 'once' {
    return this.opts.mode;
  }

  get started(): boolean {
    return this.pool !== null;
  }

  start(): void {
    this.pool ??= startWorkerPool(this.queue, this.opts.concurrency, (k) => this.runOne(k), () => undefined);
  }

  /** Once-mode: starts (if needed) and resolves when nothing is queued, running or scheduled. */
  async untilIdle(): Promise<void> {
    const done = new Promise<void>((r) => this.idleWaiters.push(r));
    this.start();
    this.checkIdle();
    await done;
  }

  /** Stops taking keys; waits up to timeoutMs for running reconciles (true: all finished). */
  async stop(timeoutMs: number): Promise<boolean> {
    this.queue.shutDown();
    return this.pool ? this.pool.stop(timeoutMs) : true;
  }

  get active(): number {
    return this.pool?.active ?? 0;
  }

  private async runOne(key: string): Promise<void> {
    const started = performance.now();
    let ok = false;
    try {
      const result = await this.opts.reconcile(key);
      ok = true;
      this.rateLimiter.forget(key);
      if (result && (this.opts.mode === 'daemon' || result.untilIdle)) this.queue.addAt(key, result.requeueAt);
    } catch (err) {
      this.failed(key, err);
    } finally {
      this.opts.onReconciled?.(key, performance.now() - started, ok);
      // After the worker pool has counted this reconcile as finished.
      if (this.opts.mode === 'once') setImmediate(() => this.checkIdle());
    }
  }

  private failed(key: string, err: unknown): void {
    const text = err instanceof Error ? (err.stack ?? err.message) : String(err);
    if (err instanceof TerminalError) {
      this.rateLimiter.forget(key);
      this.opts.log.error({ service: key, err: text }, `${key}: reconcile failed for good; not retried: ${err.message}`);
      return;
    }
    const delay = this.rateLimiter.when(key);
    const retrying = this.opts.mode === 'daemon';
    this.opts.log.error(
      { service: key, err: text, retries: this.rateLimiter.retries(key) },
      `${key}: reconcile failed; ${retrying ? `retrying in ${delay >= 1000 ? `${Math.round(delay / 1000)} s` : `${delay} ms`}` : 'not retried in once mode'}`,
    );
    if (retrying) this.queue.addAfter(key, delay);
  }

  private checkIdle(): void {
    if (this.opts.mode !== 'once' || !this.pool) return;
    const q = this.queue;
    if (q.length === 0 && this.pool.active === 0 && q.processingCount === 0 && q.delayedCount === 0) {
      const w = this.idleWaiters;
      this.idleWaiters = [];
      for (const r of w) r();
    }
  }
}
