// The status store alone at scale, without checks or a daemon around it: CPU per set() of a
// check result, memory held per service, and per status.json write the time it held the event
// loop, its whole duration (fsync included) and the process CPU it took (thread pool included).
// CPU and counts hold up on a busy machine where wall-clock figures do not.
// usage: node --expose-gc dist/bench/status-store.js [SERVICES=10000] [--sync]
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Value } from '@sinclair/typebox/value';
import { ServiceSpecSchema, type ServiceSpec } from '../src/manifest/schema.js';
import type { DesiredService } from '../src/manifest/types.js';
import { testClock } from '../src/core/clock.js';
import { setCondition } from '../src/status/conditions.js';
import type { ServiceStatus } from '../src/status/schema.js';
import { newServiceStatus } from '../src/status/service-status.js';
import { StatusStore, type WriteInfo } from '../src/status/store.js';

const args = process.argv.slice(2);
const n = Number(args.find((a) => /^\d+$/.test(a)) ?? 10_000);
const synchronous = args.includes('--sync');
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) {
  process.stderr.write('run with node --expose-gc\n');
  process.exit(2);
}

const spec = Value.Default(ServiceSpecSchema, { health_check: { type: 'tcp', port: 1 } }) as ServiceSpec;
const desired = (name: string): DesiredService => ({ name, labels: { bench: 'true' }, annotations: {}, spec, generation: 1, source: { file: `/etc/vai/manifests/${name}.yaml`, line: 4, column: 3 }, format: 'native' });
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

const dir = mkdtempSync(path.join(os.tmpdir(), 'vai-store-bench-'));
try {
  const clock = testClock();
  const store = new StatusStore({ file: path.join(dir, 'status.json'), clock, vaid: { pid: process.pid, version: 'bench', startedAt: new Date().toISOString(), hostname: os.hostname() }, manifestsDir: '/etc/vai/manifests', synchronous });
  const writes: WriteInfo[] = [];
  store.on('write', (w) => writes.push(w));
  const iso = (ms: number) => new Date(clock.now() + ms).toISOString();
  // What the planner records for a passing check: a fresh object (it clones the previous status).
  const checked = (s: ServiceStatus, k: number): ServiceStatus => {
    const next = structuredClone(s);
    const message = `connected to 127.0.0.1:32823 after ${k % 2} ms`;
    next.phase = 'Healthy';
    next.lastCheck = { at: iso(0), health: 'healthy', reason: 'CheckPassed', latencyMs: 0.4 + (k % 7) / 10, message };
    next.counters.checks = k;
    next.consecutiveSuccesses = k;
    next.nextCheckAt = iso(10_000);
    next.conditions = setCondition(next.conditions, { type: 'Healthy', status: 'True', reason: 'CheckPassed', message }, iso(0), 1);
    return next;
  };
  const settle = async () => {
    clock.advance(2_000);
    await store.idle();
  };

  gc();
  const before = process.memoryUsage();
  let statuses = Array.from({ length: n }, (_, i) => checked(newServiceStatus(desired(`svc-${i}`), 'Running', iso(0)), 1));
  for (const s of statuses) store.set(s);
  await settle();
  let setCpu = 0;
  let sets = 0;
  for (let round = 2; round < 6; round++) {
    const next = statuses.map((s) => checked(s, round));
    const c0 = cpuMs();
    for (const s of next) store.set(s);
    setCpu += cpuMs() - c0;
    sets += next.length;
    statuses = next;
    await settle();
  }
  gc();
  const after = process.memoryUsage();
  const writeCpu: number[] = [];
  const first = writes.length;
  for (let i = 0; i < 5; i++) {
    store.set(checked(statuses[i]!, 100 + i));
    const c0 = cpuMs();
    await settle();
    writeCpu.push(cpuMs() - c0);
  }
  const seen = writes.slice(first);
  const ms = (xs: number[]) => xs.map((x) => x.toFixed(1)).join(', ');
  const mb = (b: number) => (b / 2 ** 20).toFixed(1);
  process.stdout.write(
    [
      `status store, ${n} services, ${synchronous ? 'synchronous' : 'background'} writes, load ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`,
      `  CPU per set() of a check result: ${(setCpu / sets).toFixed(4)} ms`,
      `  held after GC: heap ${mb(after.heapUsed - before.heapUsed)} MB, buffers ${mb(after.external + after.arrayBuffers - before.external - before.arrayBuffers)} MB`,
      `  per write of ${mb(seen[0]?.bytes ?? 0)} MB: event loop held ${ms(seen.map((w) => w.blockingMs))} ms; whole write ${ms(seen.map((w) => w.durationMs))} ms; process CPU ${ms(writeCpu)} ms`,
      '',
    ].join('\n'),
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
