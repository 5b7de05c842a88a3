// The Docker Engine's event stream (GET /events), for the containers vai watches: a container
// that dies (with its exit code), is OOM-killed, is killed or changes health is reported at
// once, so the reconciler looks now instead of at the next check. The stream is a hint, never
// the truth: the check still decides, and while the stream is down (engine restarting) checks
// go on as before. It reconnects with backoff (0.5 s doubling to 30 s, reset once connected).
import http from 'node:http';
import type { DockerOptions } from 'dockerode';
import { dockerOptions } from './docker-engine-address.js';

export type ContainerEventAction = 'die' | 'oom' | 'kill' | 'health_status';

export interface ContainerEvent {
  container: string;
  action: ContainerEventAction;
  /** die: the container's exit code. */
  exitCode: number | null;
  /** kill: the signal sent; health_status: the new status. */
  detail: string | null;
  /** Engine time of the event (epoch ms). */
  at: number;
}

export interface DockerEventsOptions {
  dockerHost: string | undefined;
  /** Whether vai watches a container of this name (looked up per event). */
  watched: (container: string) => boolean;
  onEvent: (e: ContainerEvent) => void;
  onState?: (connected: boolean, error: string | null) => void;
}

const MIN_RETRY_MS = 500;
const MAX_RETRY_MS = 30_000;
/** A line longer than this is not an event we want (bounded memory on a broken stream). */
const MAX_LINE_BYTES = 64 * 1024;
const FILTERS = JSON.stringify({ type: ['container'], event: ['die', 'oom', 'kill', 'health_status'] });

export interface DockerEvents {
  close(): void;
}

export function watchDockerEvents(opts: DockerEventsOptions): DockerEvents {
  const addr = dockerOptions(opts.dockerHost ?? process.env.DOCKER_HOST);
  let closed = false;
  let req: http.ClientRequest | null = null;
  let timer: NodeJS.Timeout | null = null;
  let retryMs = MIN_RETRY_MS;
  if (typeof addr === 'string') {
    opts.onState?.(false, addr);
    return { close: () => undefined };
  }
  const base: DockerOptions = addr;

  const again = (why: string) => {
    req = null;
    if (closed) return;
    opts.onState?.(false, why);
    timer = setTimeout(connect, retryMs);
    timer.unref();
    retryMs = Math.min(MAX_RETRY_MS, retryMs * 2);
  };

  function connect(): void {
    timer = null;
    if (closed) return;
    const path = `/events?filters=${encodeURIComponent(FILTERS)}&since=${Math.floor(Date.now() / 1000)}`;
    const r = http.request({ ...(base.socketPath ? { socketPath: base.socketPath } : { host: base.host as string, port: base.port as number }), method: 'GET', path, agent: false });
    req = r;
    r.on('error', (e) => again(e.message));
    r.on('response', (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        again(`GET /events answered ${res.statusCode}`);
        return;
      }
      retryMs = MIN_RETRY_MS;
      opts.onState?.(true, null);
      let buf = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buf += chunk;
        let nl: number;
        while ((nl = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, nl);
          buf = buf.slice(nl + 1);
          const ev = parseEvent(line);
          if (ev && opts.watched(ev.container)) opts.onEvent(ev);
        }
        if (buf.length > MAX_LINE_BYTES) buf = '';
      });
      res.on('end', () => again('the engine closed the event stream'));
      res.on('error', (e) => again(e.message));
    });
    r.end();
  }

  connect();
  return {
    close() {
      closed = true;
      if (timer) clearTimeout(timer);
      req?.destroy();
    },
  };
}

export function parseEvent(line: string): ContainerEvent | null {
  let m: { Type?: string; Action?: string; status?: string; Actor?: { Attributes?: Record<string, string> }; timeNano?: number; time?: number };
  try {
    m = JSON.parse(line) as typeof m;
  } catch {
    return null;
  }
  if (m.Type !== 'container') return null;
  const raw = m.Action ?? m.status ?? '';
  const action = raw.startsWith('health_status') ? 'health_status' : raw;
  if (action !== 'die' && action !== 'oom' && action !== 'kill' && action !== 'health_status') return null;
  const attrs = m.Actor?.Attributes ?? {};
  const container = attrs.name;
  if (!container) return null;
  const code = attrs.exitCode !== undefined ? Number(attrs.exitCode) : null;
  const detail = action === 'kill' ? (attrs.signal ?? null) : action === 'health_status' ? raw.replace(/^health_status:\s*/, '') : null;
  const at = m.timeNano ? Math.floor(m.timeNano / 1e6) : (m.time ?? 0) * 1000;
  return { container, action, exitCode: Number.isFinite(code) ? code : null, detail, at };
}
