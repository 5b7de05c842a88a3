// HTTP checks over a connection kept open between checks (health_check.keep_alive). A fresh
// connection costs vaid a TCP handshake and teardown per check, several times a GET's own cost
// (docs/performance.md); a reused one costs a write and a read. What it gives up: a reused
// connection says nothing about whether the listener still accepts new ones (a full backlog, a
// closed listening socket, a process that stopped calling accept). So a connection is reused
// only while it is younger than keep_alive_seconds and every check on it passed: the first check,
// the first after a failure and the first after that age open a fresh one, as a plain check does.
// A reused connection the server closed in the meantime (its idle timeout) is not a failure: the
// check is made again on a fresh connection, within the same timeout.
import net from 'node:net';
import tls from 'node:tls';
import { performance } from 'node:perf_hooks';
import type { HttpEndpoint } from './http-endpoint.js';
import { httpGet, type HttpGetOptions, type HttpOutcome } from './http-request.js';
import { decodeBody, parseHead, responseEnd } from './http-response-parser.js';
import { ioDeadline, type IoDeadline } from './io-deadline.js';

export const DEFAULT_KEEP_ALIVE_SECONDS = 30;
/** A connection unused this long (its service removed, or its check changed) is closed. */
const IDLE_SWEEP_MS = 10_000;

export type KeptOutcome = HttpOutcome & { /** Answered on a connection an earlier check opened. */ reused: boolean };

/** One check's state on a connection: what the connection's callbacks report to. */
interface Exchange {
  onBytes(chunk: Buffer): void;
  onClose(message: string): void;
}

interface Connection {
  socket: net.Socket;
  url: string;
  openedAt: number;
  lastUsed: number;
  exchange: Exchange | null;
  closed: boolean;
}

const readBuffer = Buffer.allocUnsafe(16 * 1024);

/** Connections kept per service (by name); one check at a time uses each. */
export class KeptConnections {
  private readonly byKey = new Map<string, Connection>();
  private lastSweep = performance.now();

  get size(): number {
    return this.byKey.size;
  }

  /**
   * GET `ep` for the service `key`, on its kept connection when there is a usable one. The caller
   * calls `drop(key)` after a verdict that is not healthy, so the next check opens a fresh one.
   */
  async get(key: string, ep: HttpEndpoint, maxAgeMs: number, opts: HttpGetOptions): Promise<KeptOutcome> {
    const started = performance.now();
    this.sweep(started);
    let c = this.byKey.get(key);
    // Not expected (the work queue never checks one service twice at once), but never share a connection.
    if (c?.exchange) return { ...(await httpGet(ep, opts)), reused: false };
    if (c && (c.closed || c.url !== ep.url || started - c.openedAt >= maxAgeMs)) {
      this.drop(key);
      c = undefined;
    }
    if (c) {
      const first = await this.exchange(c, ep, opts, started, opts.timeoutMs, true);
      // Closed by the server before any byte of the answer: it timed the connection out, which
      // says nothing about the service. Ask again on a fresh connection, in what is left of the timeout.
      if (first.kind !== 'closed') return { ...first.outcome, reused: true };
      this.drop(key);
      const left = opts.timeoutMs - (performance.now() - started);
      if (left <= 0) return { kind: 'timeout', connected: true, latencyMs: performance.now() - started, reused: true };
      return this.fresh(key, ep, opts, started, left);
    }
    return this.fresh(key, ep, opts, started, opts.timeoutMs);
  }

  /** Closes the service's connection, if any. */
  drop(key: string): void {
    const c = this.byKey.get(key);
    if (!c) return;
    this.byKey.delete(key);
    c.closed = true;
    c.socket.destroy();
  }

  closeAll(): void {
    for (const key of [...this.byKey.keys()]) this.drop(key);
  }

  private async fresh(key: string, ep: HttpEndpoint, opts: HttpGetOptions, started: number, timeoutMs: number): Promise<KeptOutcome> {
    const c = this.open(ep);
    this.byKey.set(key, c);
    const r = await this.exchange(c, ep, opts, started, timeoutMs, false);
    if (r.kind === 'closed') {
      this.drop(key);
      return { kind: 'error', message: r.message, latencyMs: performance.now() - started, reused: false };
    }
    return { ...r.outcome, reused: false };
  }

  private open(ep: HttpEndpoint): Connection {
    const c: Connection = { socket: null as unknown as net.Socket, url: ep.url, openedAt: performance.now(), lastUsed: 0, exchange: null, closed: false };
    const onRead = (n: number, buf: Uint8Array): boolean => {
      if (c.exchange) c.exchange.onBytes((buf as Buffer).subarray(0, n));
      // Bytes nobody asked for: the connection is out of step, never reuse it.
      else c.closed = true;
      return true;
    };
    c.socket = ep.tls
      ? tls.connect({ host: ep.host, port: ep.port, servername: net.isIP(ep.host) ? undefined : ep.host })
      : net.connect({ host: ep.host, port: ep.port, onread: { buffer: readBuffer, callback: onRead } });
    if (ep.tls) {
      c.socket.on('data', (d: Buffer) => {
        if (c.exchange) c.exchange.onBytes(d);
        else c.closed = true;
      });
    }
    const lost = (message: string) => {
      c.closed = true;
      c.exchange?.onClose(message);
    };
    c.socket.on('error', (err) => lost(err.message));
    c.socket.on('end', () => lost('connection closed before any response'));
    c.socket.on('close', () => lost('connection closed before any response'));
    return c;
  }

  /**
   * One request and its response on `c`. 'closed': the connection ended or failed before any byte
   * of the answer (on a reused connection, the server's idle timeout).
   */
  private exchange(
    c: Connection,
    ep: HttpEndpoint,
    opts: HttpGetOptions,
    started: number,
    timeoutMs: number,
    reused: boolean,
  ): Promise<{ kind: 'answered'; outcome: HttpOutcome } | { kind: 'closed'; message: string }> {
    return new Promise((resolve) => {
      const needle = opts.bodyContains === undefined ? null : Buffer.from(opts.bodyContains);
      /** What was received and must be kept: a copy, never a view of the shared read buffer. */
      let kept: Buffer | null = null;
      let head: Extract<ReturnType<typeof parseHead>, { kind: 'status' }> | null = null;
      let headAt = 0;
      let connected = reused;
      let ioEvents = 0;
      let settled = false;
      let deadline: IoDeadline | null = null;
      const elapsed = () => performance.now() - started;
      const settle = (r: { kind: 'answered'; outcome: HttpOutcome } | { kind: 'closed'; message: string }, reusable: boolean): void => {
        if (settled) return;
        settled = true;
        deadline?.clear();
        opts.signal?.removeEventListener('abort', onAbort);
        c.exchange = null;
        c.lastUsed = performance.now();
        if (reusable && !c.closed) {
          c.socket.unref();
        } else {
          c.closed = true;
          c.socket.destroy();
        }
        resolve(r);
      };
      const answer = (outcome: HttpOutcome, reusable: boolean) => settle({ kind: 'answered', outcome }, reusable);
      const onAbort = () => answer({ kind: 'aborted', latencyMs: elapsed() }, false);
      /** The verdict once the answer is in `buf` (whole, or all there will be). */
      const judge = (buf: Buffer, reusable: boolean): void => {
        const h = head!;
        if (needle === null) return answer({ kind: 'response', status: h.status, latencyMs: headAt, bodyMatched: null }, reusable);
        const bodyMatched = decodeBody(buf.subarray(h.headerEnd), h.chunked, h.contentLength).body.includes(needle);
        answer({ kind: 'response', status: h.status, latencyMs: elapsed(), bodyMatched }, reusable);
      };

      /** `chunk` may be a view of the shared read buffer: valid only until this returns. */
      const onBytes = (chunk: Buffer): void => {
        ioEvents++;
        if (settled) return;
        const buf = kept === null ? chunk : (kept = Buffer.concat([kept, chunk]));
        if (head === null) {
          const h = parseHead(buf);
          if (h.kind === 'invalid') return answer({ kind: 'error', message: h.message, latencyMs: elapsed() }, false);
          if (h.kind === 'incomplete' || h.headerEnd < 0) {
            kept ??= Buffer.from(chunk);
            return;
          }
          head = h;
          headAt = elapsed();
        }
        // Usually the whole answer is in the first chunk and nothing is copied.
        const end = responseEnd(buf, head);
        if (end === 'more') {
          kept ??= Buffer.from(chunk);
          return;
        }
        judge(buf, end === 'done');
      };
      const onClose = (message: string): void => {
        if (settled) return;
        if (head !== null) return judge(kept ?? Buffer.alloc(0), false);
        if (kept !== null) return answer({ kind: 'error', message: 'connection closed inside the response headers', latencyMs: elapsed() }, false);
        settle({ kind: 'closed', message }, false);
      };
      const onDeadline = (): void => {
        // The status is in and only the rest of the body is late: the status decides, as on a fresh connection.
        if (head !== null && needle === null) return judge(kept ?? Buffer.alloc(0), false);
        answer({ kind: 'timeout', connected, latencyMs: elapsed() }, false);
      };

      c.exchange = { onBytes, onClose };
      c.socket.ref();
      deadline = ioDeadline(timeoutMs, onDeadline, () => ioEvents);
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      if (opts.signal?.aborted) return onAbort();
      if (c.closed) return onClose('connection closed before any response');
      if (reused) {
        c.socket.write(ep.keepAliveRequest);
        return;
      }
      c.socket.once(ep.tls ? 'secureConnect' : 'connect', () => {
        connected = true;
        ioEvents++;
        c.socket.write(ep.keepAliveRequest);
      });
    });
  }

  /** Connections of services no longer checked (removed, or their check changed) are closed. */
  private sweep(now: number): void {
    if (now - this.lastSweep < IDLE_SWEEP_MS) return;
    this.lastSweep = now;
    for (const [key, c] of this.byKey) if (c.exchange === null && now - c.lastUsed > IDLE_SWEEP_MS) this.drop(key);
  }
}
