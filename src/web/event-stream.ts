// The server-sent-events stream of status changes. A client first gets the whole (redacted)
// status as `event: snapshot`, then each change as `event: patch` carrying RFC 6902 operations
// against the previous document; every client shares one base document, so a diff is computed
// once per change, not once per client. A client that cannot keep up is dropped: it reconnects
// and starts again from a snapshot, which is cheaper than buffering without bound.
import type { ServerResponse } from 'node:http';
import type { StatusDocument } from '../status/schema.js';
import { statusPatch } from './status-patch.js';

export interface EventStreamOptions {
  maxClients: number;
  heartbeatMs: number;
  /** Bytes queued on one client's socket after which it is dropped. */
  maxBufferedBytes: number;
  /** Patches with more operations than this are sent as a snapshot instead. */
  maxPatchOps: number;
}

export const EVENT_STREAM_DEFAULTS: EventStreamOptions = {
  maxClients: 64,
  heartbeatMs: 15_000,
  maxBufferedBytes: 8 * 1024 * 1024,
  maxPatchOps: 2_000,
};

export class EventStream {
  private readonly clients = new Set<ServerResponse>();
  private base: StatusDocument | undefined;
  private seq = 0;
  private readonly heartbeat: NodeJS.Timeout;

  constructor(
    private readonly current: () => StatusDocument,
    private readonly opts: EventStreamOptions = EVENT_STREAM_DEFAULTS,
  ) {
    this.heartbeat = setInterval(() => this.broadcast(': ping\n\n'), opts.heartbeatMs);
    this.heartbeat.unref();
  }

  get size(): number {
    return this.clients.size;
  }

  /** No room for another client: the caller answers 503 instead of calling add. */
  get full(): boolean {
    return this.clients.size >= this.opts.maxClients;
  }

  /** Starts streaming to `res`, whose headers are already sent; false when the stream is full. */
  add(res: ServerResponse): boolean {
    if (this.full) return false;
    this.base ??= this.current();
    this.clients.add(res);
    res.on('close', () => this.clients.delete(res));
    res.write(`retry: 2000\n${frame('snapshot', this.seq, this.base)}`);
    return true;
  }

  /** `next` yields the new (redacted) document; it is called only while someone listens. */
  publish(next: () => StatusDocument): void {
    if (this.clients.size === 0) {
      this.base = undefined;
      return;
    }
    const doc = next();
    const prev = this.base;
    this.base = doc;
    if (!prev) return;
    const ops = statusPatch(prev, doc);
    if (ops.length === 0) return;
    this.seq++;
    this.broadcast(ops.length > this.opts.maxPatchOps ? frame('snapshot', this.seq, doc) : frame('patch', this.seq, ops));
  }

  close(): void {
    clearInterval(this.heartbeat);
    for (const res of this.clients) res.end();
    this.clients.clear();
  }

  private broadcast(text: string): void {
    for (const res of this.clients) {
      if (res.writableLength > this.opts.maxBufferedBytes) {
        this.clients.delete(res);
        res.destroy();
        continue;
      }
      res.write(text);
    }
  }
}

function frame(event: string, id: number, data: unknown): string {
  return `event: ${event}\nid: ${id}\ndata: ${JSON.stringify(data)}\n\n`;
}
