// A lean HTTP/1.1 GET over a raw socket: one request, `Connection: close`, and only as much of the
// response as the check needs. Node's http.get costs about twice the CPU per check (agent, full
// header parsing, IncomingMessage); see docs/executors.md for the measured figures.
import net from 'node:net';
import tls from 'node:tls';
import { performance } from 'node:perf_hooks';
import type { HttpEndpoint } from './http-endpoint.js';
import { MAX_BODY_BYTES, decodeBody, parseHead } from './http-response-parser.js';
import { ioDeadline } from './io-deadline.js';

export type HttpOutcome =
  | { kind: 'response'; status: number; latencyMs: number; /** null when no body check was asked for */ bodyMatched: boolean | null }
  | { kind: 'error'; message: string; latencyMs: number }
  | { kind: 'timeout'; connected: boolean; latencyMs: number }
  | { kind: 'aborted'; latencyMs: number };

export interface HttpGetOptions {
  timeoutMs: number;
  bodyContains?: string | undefined;
  signal?: AbortSignal | undefined;
}

export function httpGet(ep: HttpEndpoint, opts: HttpGetOptions): Promise<HttpOutcome> {
  return new Promise((resolve) => {
    const started = performance.now();
    const needle = opts.bodyContains === undefined ? null : Buffer.from(opts.bodyContains);
    let buf: Buffer | null = null;
    let connected = false;
    let settled = false;
    let ioEvents = 0;
    let status = 0;
    let headerEnd = -1;
    let chunked = false;
    let contentLength: number | null = null;

    const socket = ep.tls
      ? tls.connect({ host: ep.host, port: ep.port, servername: net.isIP(ep.host) ? undefined : ep.host })
      : net.connect(ep.port, ep.host);

    const finish = (outcome: HttpOutcome): void => {
      if (settled) return;
      settled = true;
      deadline.clear();
      opts.signal?.removeEventListener('abort', onAbort);
      socket.destroy();
      resolve(outcome);
    };
    const elapsed = () => performance.now() - started;
    const onAbort = () => finish({ kind: 'aborted', latencyMs: elapsed() });
    const deadline = ioDeadline(opts.timeoutMs, () => finish({ kind: 'timeout', connected, latencyMs: elapsed() }), () => ioEvents);
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    if (opts.signal?.aborted) return onAbort();

    socket.once(ep.tls ? 'secureConnect' : 'connect', () => {
      connected = true;
      ioEvents++;
      socket.write(ep.request);
    });
    if (ep.tls) socket.once('connect', () => ioEvents++);
    socket.on('error', (err) => finish({ kind: 'error', message: err.message, latencyMs: elapsed() }));

    const judgeBody = (ended: boolean): void => {
      const raw = buf!.subarray(headerEnd);
      const { body, complete } = decodeBody(raw, chunked, contentLength);
      if (body.includes(needle!)) return finish({ kind: 'response', status, latencyMs: elapsed(), bodyMatched: true });
      if (complete || ended || raw.length > MAX_BODY_BYTES) {
        finish({ kind: 'response', status, latencyMs: elapsed(), bodyMatched: false });
      }
    };

    socket.on('data', (chunk: Buffer) => {
      ioEvents++;
      buf = buf === null ? chunk : Buffer.concat([buf, chunk]);
      if (headerEnd < 0) {
        const head = parseHead(buf);
        if (head.kind === 'incomplete') return;
        if (head.kind === 'invalid') return finish({ kind: 'error', message: head.message, latencyMs: elapsed() });
        status = head.status;
        if (needle === null) return finish({ kind: 'response', status, latencyMs: elapsed(), bodyMatched: null });
        if (head.headerEnd < 0) return;
        headerEnd = head.headerEnd;
        chunked = head.chunked;
        contentLength = head.contentLength;
      }
      judgeBody(false);
    });
    socket.on('end', () => {
      if (headerEnd >= 0) return judgeBody(true);
      finish({ kind: 'error', message: status ? 'connection closed inside the response headers' : 'connection closed before any response', latencyMs: elapsed() });
    });
  });
}
