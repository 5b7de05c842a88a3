// Shared test fixtures for the notifier: a full service spec, alerts, a log that keeps every
// line, and a manual clock for reminder timing (deliveries themselves run on real sockets).
// Notifiers here send each alert alone (groupWaitSeconds: 0): grouping has its own tests (grouping*.test.ts).
import { Writable } from 'node:stream';
import pino from 'pino';
import type { ServiceSpec } from '../../../src/manifest/schema.js';
import { healthCheck, serviceSpec } from '../../support/service-spec.js';
import type { DesiredNotifier } from '../../../src/manifest/types.js';
import type { NotifierSpec } from '../../../src/manifest/schema.js';
import type { Alert, AlertKind } from '../../../src/notify/types.js';
import type { Clock } from '../../../src/notify/notifier.js';

export function minioSpec(over: Partial<ServiceSpec> = {}): ServiceSpec {
  return serviceSpec({
    container: 'services-container',
    health_check: healthCheck({ type: 'http', endpoint: 'http://localhost:9000/minio/health/live' }),
    restart_cmd: '/usr/local/bin/minio server /data --console-address :9001 >> /workspace/vai/logs/minio.log 2>&1 &',
    log_path: '/workspace/vai/logs/minio.log',
    notify_on_fail: 'alerts',
    ...over,
  });
}

export function alert(service: string, kind: AlertKind, seq: number, over: Partial<Alert> = {}): Alert {
  return {
    id: `${service}:${kind}:${seq}`,
    kind,
    service,
    spec: minioSpec(),
    at: '2026-11-27T10:05:06.000Z',
    message: 'HTTP 503 from http://localhost:9000/minio/health/live after 12 ms',
    attempt: 1,
    dependents: [],
    ...over,
  };
}

export function notifierTarget(name: string, spec: Partial<NotifierSpec> & Pick<NotifierSpec, 'type'>): [string, DesiredNotifier] {
  return [
    name,
    {
      name,
      spec: { header_env: {}, cooldown_seconds: 900, reminder_seconds: 0, ...spec },
      source: { file: `/m/${name}.yaml`, line: 1, column: 1 },
    },
  ];
}

export function capturingLog(): { log: pino.Logger; lines: string[] } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      cb();
    },
  });
  return { log: pino({ level: 'debug' }, stream), lines };
}

/** now() moves only when the test says; timers fire in time order on advance(). */
export class ManualClock implements Clock {
  private timers: { at: number; fn: () => void; id: number }[] = [];
  private nextId = 1;
  constructor(public t: number) {}
  now(): number {
    return this.t;
  }
  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.timers.push({ at: this.t + ms, fn, id });
    return id;
  }
  clearTimeout(h: unknown): void {
    this.timers = this.timers.filter((x) => x.id !== h);
  }
  advance(ms: number): void {
    const end = this.t + ms;
    for (let guard = 0; guard < 10_000; guard++) {
      this.timers.sort((a, b) => a.at - b.at);
      const first = this.timers[0];
      if (!first || first.at > end) break;
      this.timers.shift();
      this.t = Math.max(this.t, first.at);
      first.fn();
    }
    this.t = end;
  }
  get pending(): number {
    return this.timers.length;
  }
}

type HasAfter = { after(fn: () => unknown): void };
const stacks = new WeakMap<HasAfter, (() => unknown)[]>();

/**
 * Cleanup in reverse order of registration (close the notifier before removing its dir):
 * node:test runs a test's own `after` hooks first-in, first-out.
 */
export function cleanup(t: HasAfter, fn: () => unknown): void {
  let stack = stacks.get(t);
  if (!stack) {
    const fns: (() => unknown)[] = [];
    stack = fns;
    stacks.set(t, fns);
    t.after(async () => {
      for (const f of fns.reverse()) await f();
    });
  }
  stack.push(fn);
}
