// A notifier in its own process, so a test can kill -9 it at a chosen moment as vaid would be
// killed. Options and alerts come as JSON in NOTIFIER_CHILD (outboxDir, env, options, alerts);
// it prints `ready` once the outbox is open and `submitted ID` after each accepted alert, then
// keeps delivering until it is killed.
import { createNotifier } from '../../../src/notify/index.js';
import type { Alert } from '../../../src/notify/types.js';

interface ChildInput {
  outboxDir: string;
  env: Record<string, string>;
  deliveryTimeoutMs: number;
  alerts: Alert[];
  groupWaitSeconds?: number;
}

const input = JSON.parse(process.env.NOTIFIER_CHILD ?? '{}') as ChildInput;
const n = await createNotifier({ groupWaitSeconds: input.groupWaitSeconds ?? 0, outboxDir: input.outboxDir, env: input.env, deliveryTimeoutMs: input.deliveryTimeoutMs, retry: { initialMs: 50, maxMs: 200 } });
process.stdout.write('ready\n');
for (const a of input.alerts) {
  await n.submit(a);
  process.stdout.write(`submitted ${a.id}\n`);
}
// Pending deliveries use unref'd timers; this keeps the process (like vaid) alive until killed.
setInterval(() => undefined, 1 << 30);
