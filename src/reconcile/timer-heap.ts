// A min-heap of (due time, key) with lazy deletion: one clock timer serves every delayed key,
// so 10,000 services with their own intervals cost one pending timer, not 10,000.

interface Entry {
  at: number;
  key: string;
}

export class TimerHeap {
  private readonly heap: Entry[] = [];
  /** The live due time of each key; heap entries that disagree are stale and skipped. */
  private readonly due = new Map<string, number>();

  get size(): number {
    return this.due.size;
  }

  dueAt(key: string): number | undefined {
    return this.due.get(key);
  }

  /** Schedules key at `at`; an earlier existing schedule wins (client-go's delaying queue). */
  schedule(key: string, at: number): boolean {
    const current = this.due.get(key);
    if (current !== undefined && current <= at) return false;
    this.due.set(key, at);
    this.push({ at, key });
    return true;
  }

  cancel(key: string): void {
    this.due.delete(key);
  }

  /** Due time of the earliest live entry. */
  peekAt(): number | undefined {
    this.dropStale();
    return this.heap[0]?.at;
  }

  /** Removes and returns every key due at or before `now`, earliest first. */
  popDue(now: number): string[] {
    const out: string[] = [];
    for (;;) {
      this.dropStale();
      const top = this.heap[0];
      if (!top || top.at > now) return out;
      this.pop();
      this.due.delete(top.key);
      out.push(top.key);
    }
  }

  keys(): IterableIterator<string> {
    return this.due.keys();
  }

  private dropStale(): void {
    for (;;) {
      const top = this.heap[0];
      if (!top || this.due.get(top.key) === top.at) return;
      this.pop();
    }
  }

  private push(e: Entry): void {
    const h = this.heap;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (h[p]!.at <= e.at) break;
      h[i] = h[p]!;
      i = p;
    }
    h[i] = e;
  }

  private pop(): void {
    const h = this.heap;
    const last = h.pop();
    if (!last || h.length === 0) return;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      let mAt = last.at;
      if (l < h.length && h[l]!.at < mAt) {
        m = l;
        mAt = h[l]!.at;
      }
      if (r < h.length && h[r]!.at < mAt) m = r;
      if (m === i) break;
      h[i] = h[m]!;
      i = m;
    }
    h[i] = last;
  }
}
