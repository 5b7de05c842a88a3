// The work queue of service names, client-go style: a FIFO plus a dirty set and a processing
// set. Adding a queued name is a no-op; adding a name being processed marks it dirty and it is
// queued again when done() is called, so a name never runs twice at once and bursts collapse.
// addAfter() delays through one TimerHeap on the injected clock.
import type { Clock, TimerHandle } from '../core/clock.js';
import { TimerHeap } from './timer-heap.js';

export class WorkQueue {
  private readonly fifo: string[] = [];
  private head = 0;
  private readonly dirty = new Set<string>();
  private readonly processing = new Set<string>();
  private readonly delayed = new TimerHeap();
  private timer: TimerHandle | null = null;
  private timerAt = Infinity;
  private shuttingDown = false;
  private readonly listeners = new Set<() => void>();

  constructor(private readonly clock: Clock) {}

  /** Queues name unless it is already queued; a name being processed runs again after done(). */
  add(name: string): void {
    if (this.shuttingDown || this.dirty.has(name)) return;
    this.dirty.add(name);
    if (this.processing.has(name)) return;
    this.fifo.push(name);
    this.notify();
  }

  /** Queues name after ms on the clock; an earlier pending schedule of the same name wins. */
  addAfter(name: string, ms: number): void {
    this.addAt(name, this.clock.now() + ms);
  }

  /** Queues name at epoch ms `at` on the clock (now if it is past); an earlier pending schedule wins. */
  addAt(name: string, at: number): void {
    if (this.shuttingDown) return;
    if (at <= this.clock.now()) {
      this.add(name);
      return;
    }
    if (this.delayed.schedule(name, at)) this.arm();
  }

  /** When name is next due from addAfter, if it is scheduled. */
  scheduledAt(name: string): number | undefined {
    return this.delayed.dueAt(name);
  }

  /** Takes the next name and marks it processing; undefined when none is ready. */
  get(): string | undefined {
    while (this.head < this.fifo.length) {
      const name = this.fifo[this.head++]!;
      if (this.head > 1024 && this.head * 2 > this.fifo.length) {
        this.fifo.splice(0, this.head);
        this.head = 0;
      }
      this.processing.add(name);
      this.dirty.delete(name);
      return name;
    }
    return undefined;
  }

  /** Ends processing of name; if it was added meanwhile it is queued again. */
  done(name: string): void {
    this.processing.delete(name);
    if (this.dirty.has(name) && !this.shuttingDown) {
      this.fifo.push(name);
      this.notify();
    }
  }

  /** Forgets a name's pending delayed schedule (e.g. the service was removed). */
  forget(name: string): void {
    this.delayed.cancel(name);
  }

  /** Names ready to run (not counting processing or delayed ones). */
  get length(): number {
    return this.fifo.length - this.head;
  }

  get processingCount(): number {
    return this.processing.size;
  }

  get delayedCount(): number {
    return this.delayed.size;
  }

  isProcessing(name: string): boolean {
    return this.processing.has(name);
  }

  /** Called (synchronously) whenever a name becomes ready. */
  onReady(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Stops accepting names and drops queued and delayed ones; processing ones finish. */
  shutDown(): void {
    this.shuttingDown = true;
    this.fifo.length = 0;
    this.head = 0;
    this.dirty.clear();
    if (this.timer) this.clock.clearTimer(this.timer);
    this.timer = null;
  }

  get isShuttingDown(): boolean {
    return this.shuttingDown;
  }

  private notify(): void {
    for (const l of this.listeners) l();
  }

  private arm(): void {
    const at = this.delayed.peekAt();
    if (at === undefined) return;
    if (this.timer && this.timerAt <= at) return;
    if (this.timer) this.clock.clearTimer(this.timer);
    this.timerAt = at;
    this.timer = this.clock.setTimer(() => this.fire(), at - this.clock.now());
  }

  private fire(): void {
    this.timer = null;
    this.timerAt = Infinity;
    for (const name of this.delayed.popDue(this.clock.now())) this.add(name);
    this.arm();
  }
}
