// A lean HTTP/1.1 GET over a raw socket: one request, `Connection: close`, and only as much of the
// response as the check needs. Node's http.get costs about twice the CPU per check (agent, full
// header parsing, IncomingMessage); see docs/executors.md for the measured figures. Plain HTTP
// reads through net's `onread` into one buffer shared by every check (the callback runs
// synchronously, and what must outlive it is copied), so no Readable stream moves the bytes.
import net from 'node:net';
import tls from 'node:tls';
import { performance } from 'node:perf_hooks';
import type { HttpEndpoint } from './http-endpoint.js';
import { MAX_BODY_BYTES, MAX_HEADER_BYTES, decodeBody, parseHead } from './http-response-parser.js';
import { ioDeadline } from './io-deadline.js';

export type HttpOutcome =
  | {
      kind: 'response';
      status: number;
      latencyMs: number;
      /** null when no body check was asked for */ bodyMatched: boolean | null;
      /** https: when the server's certificate expires (epoch ms). */
      certValidTo?: number | undefined;
    }
  | { kind: 'error'; message: string; latencyMs: number }
  | { kind: 'timeout'; connected: boolean; latencyMs: number }
  | { kind: 'aborted'; latencyMs: number };

export interface HttpGetOptions {
  timeoutMs: number;
  bodyContains?: string | undefined;
  signal?: AbortSignal | undefined;
  /** https: CA, client certificate, verification (health_check ca_file, cert_file, key_file, insecure_skip_verify). */
  tls?: tls.ConnectionOptions | undefined;
  /** The request to send instead of ep.request (extra headers from header_env). */
  request?: Buffer | undefined;
}

const readBuffer = Buffer.allocUnsafe(MAX_HEADER_BYTES);

export function httpGet(ep: HttpEndpoint, opts: HttpGetOptions): Promise<HttpOutcome> {
  return new Promise((resolve) => {
    const started = performance.now();
    const needle = opts.bodyContains === undefined ? null : Buffer.from(opts.bodyContains);
    /** What was received and must be kept: a copy, never a view of readBuffer. */
    let kept: Buffer | null = null;
    let connected = false;
    let settled = false;
    let ioEvents = 0;
    let status = 0;
    let headerEnd = -1;
    let chunked = false;
    let contentLength: number | null = null;

    let certValidTo: number | undefined;
    const finish = (outcome: HttpOutcome): void => {
      if (settled) return;
      settled = true;
      if (outcome.kind === 'response' && certValidTo !== undefined) outcome.certValidTo = certValidTo;
      deadline.clear();
      opts.signal?.removeEventListener('abort', onAbort);
      socket.destroy();
      resolve(outcome);
    };
    const elapsed = () => performance.now() - started;

    const judgeBody = (ended: boolean): void => {
      const raw = kept!.subarray(headerEnd);
      const { body, complete } = decodeBody(raw, chunked, contentLength);
      if (body.includes(needle!)) return finish({ kind: 'response', status, latencyMs: elapsed(), bodyMatched: true });
      if (complete || ended || raw.length > MAX_BODY_BYTES) {
        finish({ kind: 'response', status, latencyMs: elapsed(), bodyMatched: false });
      }
    };

    /** `chunk` may be a view of readBuffer: valid only until this returns. */
    const onChunk = (chunk: Buffer): void => {
      ioEvents++;
      if (settled) return;
      if (kept === null && headerEnd < 0 && needle === null) {
        // The common case: the status line is in the first chunk and nothing else is wanted.
        const head = parseHead(chunk);
        if (head.kind === 'status') return finish({ kind: 'response', status: head.status, latencyMs: elapsed(), bodyMatched: null });
        if (head.kind === 'invalid') return finish({ kind: 'error', message: head.message, latencyMs: elapsed() });
      }
      kept = kept === null ? Buffer.from(chunk) : Buffer.concat([kept, chunk]);
      if (headerEnd < 0) {
        const head = parseHead(kept);
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
    };

    const onRead = (n: number, buf: Uint8Array): boolean => {
      onChunk((buf as Buffer).subarray(0, n));
      return true;
    };
    const socket = ep.tls
      ? tls.connect({ ...opts.tls, host: ep.host, port: ep.port, servername: net.isIP(ep.host) ? undefined : ep.host })
      : net.connect({ host: ep.host, port: ep.port, onread: { buffer: readBuffer, callback: onRead } });

    const onAbort = () => finish({ kind: 'aborted', latencyMs: elapsed() });
    const deadline = ioDeadline(opts.timeoutMs, () => finish({ kind: 'timeout', connected, latencyMs: elapsed() }), () => ioEvents);
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    if (opts.signal?.aborted) return onAbort();

    socket.once(ep.tls ? 'secureConnect' : 'connect', () => {
      connected = true;
      ioEvents++;
      if (ep.tls) {
        const validTo = Date.parse((socket as tls.TLSSocket).getPeerCertificate().valid_to ?? '');
        if (Number.isFinite(validTo)) certValidTo = validTo;
      }
      socket.write(opts.request ?? ep.request);
    });
    if (ep.tls) {
      socket.once('connect', () => ioEvents++);
      socket.on('data', onChunk);
    }
    socket.on('error', (err) => finish({ kind: 'error', message: err.message, latencyMs: elapsed() }));
    socket.on('end', () => {
      if (settled) return;
      if (headerEnd >= 0) return judgeBody(true);
      finish({ kind: 'error', message: status ? 'connection closed inside the response headers' : 'connection closed before any response', latencyMs: elapsed() });
    });
  });
}
