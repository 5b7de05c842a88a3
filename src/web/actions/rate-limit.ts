// How often one address may call the action routes: a token bucket per remote address (burst,
// then one call per `perMs`), counted before the token is checked, so a guesser is slowed as
// much as a script gone wrong. Addresses are forgotten once their bucket is full again; at most
// MAX_ADDRESSES are kept, the oldest dropped first.
const MAX_ADDRESSES = 1024;

interface Bucket {
  tokens: number;
  at: number;
}

export class ActionRateLimit {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    readonly burst = 20,
    readonly perMs = 1_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** 0 when the call may go ahead, else the seconds until it may (for Retry-After). */
  take(address: string): number {
    const t = this.now();
    const old = this.buckets.get(address);
    const tokens = old ? Math.min(this.burst, old.tokens + (t - old.at) / this.perMs) : this.burst;
    this.buckets.delete(address);
    if (tokens < 1) {
      this.buckets.set(address, { tokens, at: t });
      return Math.max(1, Math.ceil(((1 - tokens) * this.perMs) / 1000));
    }
    this.buckets.set(address, { tokens: tokens - 1, at: t });
    if (this.buckets.size > MAX_ADDRESSES) this.buckets.delete(this.buckets.keys().next().value!);
    return 0;
  }
}
