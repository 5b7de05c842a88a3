// vaid's log: pino JSON lines on stdout, pretty when stdout is a terminal. Records carry the
// service name and generation (the controller adds them); secrets never reach it (tokens live in
// the environment and are not logged).
import { createRequire } from 'node:module';
import pino, { type Logger, type Level } from 'pino';

// pino-pretty only for a terminal: a daemon under systemd never pays for loading it.
const pretty = (o: object) => (createRequire(import.meta.url)('pino-pretty') as (o: object) => NodeJS.WritableStream)(o);

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;

/** A logger writing to fd 1 (vaid), or to `stream` (vaictl reconcile --once, tests). */
export function createLogger(level: string, tty: boolean, stream?: NodeJS.WritableStream): Logger {
  const opts = { level: level as Level, base: { pid: process.pid }, timestamp: pino.stdTimeFunctions.isoTime };
  if (tty) return pino(opts, pretty({ colorize: !process.env.NO_COLOR, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid', ...(stream ? { destination: stream } : {}) }));
  return pino(opts, stream ?? pino.destination({ dest: 1, sync: true }));
}
