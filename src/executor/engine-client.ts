// A lean client for the few Engine API calls on the check path (exec create/start/inspect,
// container inspect). dockerode's request builder runs util.inspect(showHidden, depth: null) on
// every request even with debugging off, which cost ~5 ms of CPU per exec here; this one does
// not. Errors carry `statusCode` / `code` as dockerode's do, so classifyDockerError reads both.
import http from 'node:http';
import type { DockerOptions } from 'dockerode';

const API_TIMEOUT_MS = 30_000;

export type AttachStream = NodeJS.ReadableStream & { destroy(): void };

export interface EngineError extends Error {
  statusCode?: number;
  code?: string;
  json?: { message?: string } | null;
}

export class EngineClient {
  private readonly base: http.RequestOptions;
  private readonly agent: http.Agent;

  constructor(opts: DockerOptions) {
    // Idle pooled sockets close after 10 s, so a quiet vaid holds no engine connection.
    this.agent = new http.Agent({ keepAlive: true, maxSockets: 16, timeout: 10_000 });
    this.base = opts.socketPath ? { socketPath: opts.socketPath } : { host: opts.host as string, port: opts.port as number };
  }

  /** A JSON request; resolves with the parsed body on 2xx, rejects with an EngineError otherwise. */
  json<T>(method: string, path: string, body?: unknown): Promise<T> {
    return new Promise((resolve, reject) => {
      const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
      const req = http.request({
        ...this.base,
        agent: this.agent,
        method,
        path,
        headers: payload ? { 'content-type': 'application/json', 'content-length': payload.length } : {},
        timeout: API_TIMEOUT_MS,
      });
      req.on('timeout', () => req.destroy(engineError(`Engine API ${method} ${path} timed out`, undefined, 'ETIMEDOUT')));
      req.on('error', reject);
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown = null;
          try {
            parsed = text ? JSON.parse(text) : null;
          } catch {
            parsed = null;
          }
          const status = res.statusCode ?? 0;
          if (status >= 200 && status < 300) resolve(parsed as T);
          else reject(engineError((parsed as { message?: string } | null)?.message ?? (text.trim() || `HTTP ${status}`), status));
        });
      });
      req.end(payload);
    });
  }

  /** Starts an exec attached: the raw multiplexed stream of its stdout and stderr. */
  startExec(id: string): Promise<AttachStream> {
    return new Promise((resolve, reject) => {
      const payload = Buffer.from('{"Detach":false,"Tty":false}');
      const req = http.request({
        ...this.base,
        agent: false,
        method: 'POST',
        path: `/exec/${encodeURIComponent(id)}/start`,
        headers: { 'content-type': 'application/json', 'content-length': payload.length, connection: 'Upgrade', upgrade: 'tcp' },
        timeout: API_TIMEOUT_MS,
      });
      req.on('timeout', () => req.destroy(engineError('Engine API exec start timed out', undefined, 'ETIMEDOUT')));
      req.on('error', reject);
      req.on('upgrade', (_res, socket, head) => {
        socket.setTimeout(0);
        if (head.length > 0) socket.unshift(head);
        resolve(socket);
      });
      // Engines that do not upgrade answer 200 with the stream as the body.
      req.on('response', (res) => {
        if (res.statusCode === 200) return resolve(res);
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => reject(engineError(Buffer.concat(chunks).toString('utf8').trim() || `HTTP ${res.statusCode}`, res.statusCode)));
      });
      req.end(payload);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

function engineError(message: string, statusCode?: number, code?: string): EngineError {
  let text = message;
  try {
    text = (JSON.parse(message) as { message?: string }).message ?? message;
  } catch {
    // not JSON
  }
  return Object.assign(new Error(text), { statusCode, code, json: { message: text } });
}
