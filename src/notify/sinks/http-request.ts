// One HTTP(S) request with a hard deadline covering connect, upload and the whole answer. A fresh
// connection each time (no agent pool): a server that hung once must not keep a pooled socket.
import http from 'node:http';
import https from 'node:https';
import { classifyHttpStatus, parseRetryAfter, type DeliveryOutcome } from './outcome.js';
import { redactUrl } from '../redact.js';

export interface RequestOptions {
  method?: 'POST' | 'GET';
  url: string;
  headers: Record<string, string>;
  body?: string;
  timeoutMs: number;
  nowMs: number;
  signal?: AbortSignal;
  /** The answer is kept up to this many bytes; `truncated` says when there was more. Default 4 KiB. */
  maxAnswerBytes?: number;
}

export interface HttpAnswer {
  outcome: DeliveryOutcome;
  status: number | null;
  answer: string;
  truncated: boolean;
}

const DEFAULT_MAX_ANSWER = 4096;

export function httpRequest(opts: RequestOptions): Promise<HttpAnswer> {
  const maxAnswer = opts.maxAnswerBytes ?? DEFAULT_MAX_ANSWER;
  const body = opts.body ?? '';
  return new Promise((resolve) => {
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    let onAbort: () => void = () => undefined;
    const finish = (outcome: DeliveryOutcome, status: number | null = null, answer = '', truncated = false) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      resolve({ outcome, status, answer, truncated });
    };
    let url: URL;
    try {
      url = new URL(opts.url);
    } catch {
      finish({ type: 'reject', reason: 'invalid URL', config: true });
      return;
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      finish({ type: 'reject', reason: `unsupported URL scheme ${url.protocol} (http and https only)`, config: true });
      return;
    }
    const headers: Record<string, string | number> = { ...opts.headers };
    if (opts.method !== 'GET') headers['Content-Length'] = Buffer.byteLength(body);
    if (url.username || url.password) {
      const user = decodeURIComponent(url.username);
      const pass = decodeURIComponent(url.password);
      headers.Authorization ??= `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
      url.username = '';
      url.password = '';
    }
    const mod = url.protocol === 'https:' ? https : http;
    const req = mod.request(url, { method: opts.method ?? 'POST', headers, agent: false });
    timer = setTimeout(() => {
      finish({ type: 'retry', reason: `timed out after ${opts.timeoutMs} ms` });
      req.destroy();
    }, opts.timeoutMs);
    onAbort = () => {
      finish({ type: 'retry', reason: 'aborted: the notifier is closing' });
      req.destroy();
    };
    if (opts.signal?.aborted) onAbort();
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    req.on('error', (e: NodeJS.ErrnoException) => {
      // Refused (or no such host): nothing reached a server, so nothing can have been delivered.
      if (e.code === 'ECONNREFUSED') finish({ type: 'retry', reason: 'connection refused', unsent: true });
      else if (e.code === 'ENOTFOUND') finish({ type: 'retry', reason: `${e.code}: ${e.message}`, unsent: true });
      else finish({ type: 'retry', reason: `${e.code ?? 'error'}: ${e.message}` });
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        if (size < maxAnswer) chunks.push(c.subarray(0, maxAnswer - size));
        size += c.length;
      });
      res.on('error', (e) => finish({ type: 'retry', reason: `answer broken off: ${e.message}` }));
      res.on('end', () => {
        const status = res.statusCode ?? 0;
        const answer = Buffer.concat(chunks).toString('utf8');
        const truncated = size > maxAnswer;
        const kind = classifyHttpStatus(status);
        const summary = `HTTP ${status}${res.statusMessage ? ` ${res.statusMessage}` : ''}`;
        const said = answer.trim().replace(/\s+/g, ' ').slice(0, 300);
        if (kind === 'delivered') finish({ type: 'delivered', detail: summary }, status, answer, truncated);
        else if (status >= 300 && status < 400) {
          // Following a redirect would send the alert (and its token) wherever the answer says.
          const loc = res.headers.location;
          const where = loc ? ` to ${redactUrl(String(loc)).slice(0, 300)}` : '';
          const reason = `${summary}: the server redirects${where}; redirects are not followed, so set the Notifier's URL to the final address`;
          finish({ type: 'reject', reason, config: true }, status, answer, truncated);
        } else if (kind === 'reject') finish({ type: 'reject', reason: said ? `${summary}: ${said}` : summary }, status, answer, truncated);
        else {
          const header = res.headers['retry-after'];
          const retryAfterMs = parseRetryAfter(Array.isArray(header) ? header[0] : header, opts.nowMs);
          const outcome: DeliveryOutcome = { type: 'retry', reason: said ? `${summary}: ${said}` : summary };
          // A 4xx (429, 408) is the server itself declining; a 5xx may come from a proxy after it.
          if (status < 500) outcome.unsent = true;
          if (retryAfterMs !== undefined) outcome.retryAfterMs = retryAfterMs;
          finish(outcome, status, answer, truncated);
        }
      });
    });
    req.end(opts.method === 'GET' ? undefined : body);
  });
}
