// Not a test: measures the outbox's costs for docs/alerts.md ("Measured").
//   node --import tsx test/unit/notify/measure-outbox.ts [N]
import { createNotifier } from '../../../src/notify/index.js';
import { startNtfyServer } from '../../support/ntfy-server.js';
import { testdir } from '../../support/testdir.js';
import { alert } from './fixtures.js';

const N = Number(process.argv[2] ?? 200);
const dir = testdir();
const server = await startNtfyServer();
const env = { VAI_NTFY_URL: server.url };
const n = await createNotifier({ groupWaitSeconds: 0, outboxDir: dir.join('outbox'), env });
const submit: number[] = [];
const t0 = performance.now();
for (let i = 0; i < N; i++) {
  const s = performance.now();
  await n.submit(alert(`svc${i}`, 'recovery-failed', 1));
  submit.push(performance.now() - s);
}
for (let guard = 0; server.messages.length < N && guard < 120_000; guard++) await new Promise((r) => setTimeout(r, 5));
const total = performance.now() - t0;
submit.sort((a, b) => a - b);
const q = (p: number) => submit[Math.min(submit.length - 1, Math.floor(p * submit.length))]!.toFixed(1);
console.log(`${N} alerts: submit p50 ${q(0.5)} ms, p95 ${q(0.95)} ms, max ${q(1)} ms; all delivered in order after ${total.toFixed(0)} ms (${(total / N).toFixed(1)} ms each)`);

await server.setMode({ type: 'refuse' });
for (let i = 0; i < N; i++) await n.submit(alert(`svc${i}`, 'crash-loop', 1));
await n.close();
const o0 = performance.now();
const reopened = await createNotifier({ groupWaitSeconds: 0, outboxDir: dir.join('outbox'), env });
console.log(`reopening an outbox with ${reopened.snapshot().outboxSize} waiting: ${(performance.now() - o0).toFixed(1)} ms`);
await reopened.close();
await server.close();
dir.remove();
