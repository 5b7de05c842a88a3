// Measures the web endpoint with fixture documents (not a test; numbers for docs/operations.md):
//   npx tsx test/e2e/web-measure.ts [SERVICES]
// /metrics and /api/status time and size for SERVICES services, and the event stream's delay
// from a status change to the client holding the patched document.
import os from 'node:os';
import { startWebServer } from '../../src/web/server.js';
import { watchStatus } from '../../src/web/client.js';
import type { StatusDocument } from '../../src/status/schema.js';
import { serviceStatus, statusDocument, StatusFeed } from './web-fixtures.js';

const n = Number(process.argv[2] ?? 1000);
const feed = new StatusFeed(statusDocument(Array.from({ length: n }, (_, i) => serviceStatus(`svc-${String(i).padStart(4, '0')}`))));
const server = await startWebServer({ listen: '127.0.0.1:0', getStatus: feed.getStatus, subscribe: feed.subscribe });
const q = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))]!;

// Wall time depends on what else the machine runs; CPU time (server and client share this
// process) much less, so both are printed.
async function timed(path: string, runs: number): Promise<{ p50: number; p95: number; bytes: number; cpuMs: number }> {
  const ms: number[] = [];
  let bytes = 0;
  const cpu = process.cpuUsage();
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    bytes = (await (await fetch(`${server.url}${path}`)).arrayBuffer()).byteLength;
    ms.push(performance.now() - t);
  }
  const used = process.cpuUsage(cpu);
  return { p50: q(ms, 0.5), p95: q(ms, 0.95), bytes, cpuMs: (used.user + used.system) / 1000 / runs };
}

const metrics = await timed('/metrics', 30);
const status = await timed('/api/status', 30);

const ac = new AbortController();
let received: ((d: StatusDocument) => void) | undefined;
const stream = watchStatus(server.url, undefined, (d) => received?.(d), ac.signal);
await new Promise((r) => setTimeout(r, 300));
const delays: number[] = [];
for (let i = 0; i < 50; i++) {
  // As vaid's status store does: the changed service is a new object, the others are kept.
  const name = `svc-${String(i % n).padStart(4, '0')}`;
  const s = feed.doc.services[name]!;
  const doc = { ...feed.doc, writtenAt: new Date().toISOString(), services: { ...feed.doc.services, [name]: { ...s, phase: s.phase === 'Healthy' ? 'Recovering' as const : 'Healthy' as const } } };
  const got = new Promise<void>((r) => (received = () => r()));
  const t = performance.now();
  feed.set(doc);
  await got;
  delays.push(performance.now() - t);
}
ac.abort();
await stream;
await server.close();
const f = (x: number) => x.toFixed(1);
console.log(`machine: ${os.cpus().length} x ${os.cpus()[0]?.model ?? 'cpu'}, load ${os.loadavg()[0]!.toFixed(1)}, node ${process.version}; ${n} services`);
console.log(`/metrics     p50 ${f(metrics.p50)} ms  p95 ${f(metrics.p95)} ms  CPU ${f(metrics.cpuMs)} ms/request  ${(metrics.bytes / 1024).toFixed(0)} KiB`);
console.log(`/api/status  p50 ${f(status.p50)} ms  p95 ${f(status.p95)} ms  CPU ${f(status.cpuMs)} ms/request  ${(status.bytes / 1024).toFixed(0)} KiB`);
console.log(`event stream change -> client  p50 ${f(q(delays, 0.5))} ms  p95 ${f(q(delays, 0.95))} ms (50 changes)`);
