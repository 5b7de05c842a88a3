// Bounds on what clients of the endpoint may hold, so a local user with slow half-sent requests
// cannot take vaid's descriptors (status writes and commands need them) or every event stream:
// - `server.maxConnections` from the descriptor limit minus a reserve for vaid's own work;
// - at most PER_CLIENT connections from one remote address; more are closed at once;
// - header and request timeouts checked every second (Node checks every 30 s by default);
// - at most STREAMS_PER_CLIENT event streams from one address.
import type { Server } from 'node:http';
import { readFileSync } from 'node:fs';
import type { Socket } from 'node:net';

export const CONNECTION_LIMITS = {
  maxConnections: 512,
  /** Descriptors kept free for status writes, logs, commands, probes. */
  fdReserve: 512,
  perClient: 32,
  streamsPerClient: 4,
  headersTimeoutMs: 5_000,
  requestTimeoutMs: 10_000,
  checkIntervalMs: 1_000,
} as const;

export type ConnectionLimits = { -readonly [K in keyof typeof CONNECTION_LIMITS]: number };

/** The soft RLIMIT_NOFILE of this process (Node has no getrlimit), or null. */
export function openFileLimit(): number | null {
  try {
    const m = /^Max open files\s+(\d+|unlimited)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
    return m && m[1] !== 'unlimited' ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

/** What http.createServer must be given for the timeouts to be checked often. */
export function serverOptions(limits: ConnectionLimits = CONNECTION_LIMITS): { connectionsCheckingInterval: number; headersTimeout: number; requestTimeout: number } {
  return { connectionsCheckingInterval: limits.checkIntervalMs, headersTimeout: limits.headersTimeoutMs, requestTimeout: limits.requestTimeoutMs };
}

export interface ClientCounter {
  /** Takes an event-stream slot for the request's client; false when it has its share. */
  takeStream(socket: Socket): (() => void) | null;
}

export function applyConnectionLimits(server: Server, limits: ConnectionLimits = CONNECTION_LIMITS): ClientCounter {
  const nofile = openFileLimit();
  server.maxConnections = nofile === null ? limits.maxConnections : Math.max(16, Math.min(limits.maxConnections, nofile - limits.fdReserve));
  server.headersTimeout = limits.headersTimeoutMs;
  server.requestTimeout = limits.requestTimeoutMs;
  const perClient = new Map<string, number>();
  server.on('connection', (socket: Socket) => {
    const who = socket.remoteAddress ?? '?';
    const n = (perClient.get(who) ?? 0) + 1;
    if (n > limits.perClient) {
      socket.destroy();
      return;
    }
    perClient.set(who, n);
    socket.once('close', () => {
      const left = (perClient.get(who) ?? 1) - 1;
      if (left <= 0) perClient.delete(who);
      else perClient.set(who, left);
    });
  });
  const streams = new Map<string, number>();
  return {
    takeStream(socket) {
      const who = socket.remoteAddress ?? '?';
      const n = streams.get(who) ?? 0;
      if (n >= limits.streamsPerClient) return null;
      streams.set(who, n + 1);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        const left = (streams.get(who) ?? 1) - 1;
        if (left <= 0) streams.delete(who);
        else streams.set(who, left);
      };
    },
  };
}
