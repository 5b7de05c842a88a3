// Watch the watcher: vaid pings an outside dead-man service (Healthchecks.io's ping API, an
// Uptime Kuma push monitor, another vaid's heartbeat check) every interval, but only while its
// own reconcile loop is healthy: a dead host or a stuck loop stops the pings and the outside
// service pages someone. A self-check that fails while the loop works sends `URL/fail` with
// the reason as the body (Healthchecks.io's convention), so the page says why.
import { httpRequest } from './sinks/http-request.js';
import { redactUrl } from './redact.js';

export const DEFAULT_HEARTBEAT_INTERVAL_SECONDS = 60;

/** Pure: what this tick sends. `loopProblem`: why the reconcile loop counts as stuck; `selfProblems`: the other failing self-checks. */
export function pingFor(url: string, loopProblem: string | null, selfProblems: readonly string[]): { url: string; body: string } | null {
  if (loopProblem !== null) return null;
  if (selfProblems.length === 0) return { url, body: '' };
  const u = new URL(url);
  u.pathname = `${u.pathname.replace(/\/+$/, '')}/fail`;
  return { url: u.toString(), body: selfProblems.join('\n').slice(0, 10_000) };
}

export interface HeartbeatOptions {
  url: string;
  intervalMs: number;
  loopProblem(): string | null;
  selfProblems(): string[];
  timeoutMs?: number;
  log?: { warn(o: object, m: string): void; debug(o: object, m: string): void };
}

export class HeartbeatPinger {
  private timer: NodeJS.Timeout | null = null;
  private inFlight: Promise<void> | null = null;
  private readonly abort = new AbortController();

  constructor(private readonly opts: HeartbeatOptions) {}

  start(): void {
    void this.tick();
    this.timer = setInterval(() => void this.tick(), this.opts.intervalMs);
    this.timer.unref();
  }

  /** One ping now (a ping still in flight makes this a no-op). */
  tick(): Promise<void> {
    this.inFlight ??= this.send().finally(() => {
      this.inFlight = null;
    });
    return this.inFlight;
  }

  private async send(): Promise<void> {
    const loop = this.opts.loopProblem();
    const ping = pingFor(this.opts.url, loop, this.opts.selfProblems());
    if (!ping) {
      this.opts.log?.warn({ reason: loop }, 'heartbeat: not pinged: the reconcile loop is stuck');
      return;
    }
    const r = await httpRequest({
      method: 'POST',
      url: ping.url,
      headers: { 'content-type': 'text/plain; charset=utf-8', 'user-agent': 'vaid-heartbeat' },
      body: ping.body,
      timeoutMs: this.opts.timeoutMs ?? 10_000,
      nowMs: Date.now(),
      signal: this.abort.signal,
    });
    if (r.outcome.type !== 'delivered') this.opts.log?.warn({ url: redactUrl(ping.url), err: r.outcome.reason }, 'heartbeat: ping failed; the next interval tries again');
    else this.opts.log?.debug({ url: redactUrl(ping.url), fail: ping.body !== '' }, 'heartbeat: pinged');
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.abort.abort();
    await this.inFlight?.catch(() => undefined);
  }
}
