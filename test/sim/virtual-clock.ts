// A virtual clock for the simulation: time moves only when the driver advances it, timers fire
// in time order (ties in the order they were set), and between two timers every pending
// promise continuation runs, so async code under test sees a consistent world.
export type TimerHandle = { readonly id: number };

interface Timer {
  id: number;
  at: number;
  fn: () => void;
}

export class VirtualClock {
  private t: number;
  private seq = 0;
  private readonly heap: Timer[] = [];
  private readonly cancelled = new Set<number>();

  constructor(startMs = Date.UTC(2026, 0, 1)) {
    this.t = startMs;
  }

  now(): number {
    return this.t;
  }

  /** The simulation's wall clock never steps: it is the virtual time. */
  wallNow(): number {
    return this.t;
  }

  date(): Date {
    return new Date(this.t);
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const timer = { id: ++this.seq, at: this.t + Math.max(0, ms), fn };
    this.push(timer);
    return { id: timer.id };
  }

  clearTimeout(handle: TimerHandle | undefined | null): void {
    if (handle) this.cancelled.add(handle.id);
  }

  /** The Clock contract (src/core/clock.ts). */
  setTimer(fn: () => void, ms: number): TimerHandle {
    return this.setTimeout(fn, ms);
  }

  clearTimer(handle: TimerHandle): void {
    this.clearTimeout(handle);
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const h = this.setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      const onAbort = () => {
        this.clearTimeout(h);
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Time of the next live timer, or null when none is pending. */
  nextAt(): number | null {
    this.dropCancelled();
    return this.heap[0]?.at ?? null;
  }

  pending(): number {
    return this.heap.length - this.cancelled.size;
  }

  /**
   * Fires the next timer (moving time to it), then lets promise continuations settle.
   * Returns false when nothing is scheduled at or before `limit`.
   */
  async step(limit = Infinity): Promise<boolean> {
    this.dropCancelled();
    const top = this.heap[0];
    if (!top || top.at > limit) return false;
    this.pop();
    this.t = Math.max(this.t, top.at);
    top.fn();
    await settle();
    return true;
  }

  /** Moves time to `at`, firing every timer due on the way. */
  async runUntil(at: number, onStep?: () => void): Promise<number> {
    let steps = 0;
    while (await this.step(at)) {
      steps++;
      onStep?.();
    }
    this.t = Math.max(this.t, at);
    return steps;
  }

  private dropCancelled(): void {
    while (this.heap[0] && this.cancelled.has(this.heap[0].id)) {
      this.cancelled.delete(this.heap[0].id);
      this.pop();
    }
  }

  private push(timer: Timer): void {
    const h = this.heap;
    h.push(timer);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!before(h[i]!, h[p]!)) break;
      [h[i], h[p]] = [h[p]!, h[i]!];
      i = p;
    }
  }

  private pop(): Timer | undefined {
    const h = this.heap;
    const top = h[0];
    const last = h.pop();
    if (h.length > 0 && last) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && before(h[l]!, h[m]!)) m = l;
        if (r < h.length && before(h[r]!, h[m]!)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m]!, h[i]!];
        i = m;
      }
    }
    return top;
  }
}

function before(a: Timer, b: Timer): boolean {
  return a.at < b.at || (a.at === b.at && a.id < b.id);
}

/**
 * Lets every queued promise continuation run: the microtask queue is drained completely
 * before a macrotask, so one setImmediate turn settles any chain of awaits (and anything a
 * library scheduled with setImmediate before it).
 */
export async function settle(): Promise<void> {
  await new Promise<void>((r) => setImmediate(r));
}
