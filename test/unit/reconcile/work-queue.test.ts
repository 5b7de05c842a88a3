import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WorkQueue } from '../../../src/reconcile/work-queue.js';
import { testClock, systemClock } from '../../../src/core/clock.js';
import { startWorkerPool } from '../../../src/reconcile/worker-pool.js';
import { TimerHeap } from '../../../src/reconcile/timer-heap.js';
import { waitFor } from '../../support/wait.js';

test('a burst of adds for one name queues it once', () => {
  const q = new WorkQueue(testClock());
  for (let i = 0; i < 100; i++) q.add('api');
  q.add('db');
  assert.equal(q.length, 2);
  assert.equal(q.get(), 'api');
  assert.equal(q.get(), 'db');
  assert.equal(q.get(), undefined);
});

test('adding a name being processed runs it again after done, not at the same time', () => {
  const q = new WorkQueue(testClock());
  q.add('api');
  assert.equal(q.get(), 'api');
  q.add('api');
  q.add('api');
  assert.equal(q.get(), undefined, 'api must not be handed out while it is processing');
  q.done('api');
  assert.equal(q.get(), 'api', 'the dirty name is queued again once');
  q.done('api');
  assert.equal(q.get(), undefined);
});

test('addAfter fires on the clock, earliest schedule wins, one timer for all names', () => {
  const clock = testClock();
  const q = new WorkQueue(clock);
  q.addAfter('slow', 10_000);
  q.addAfter('fast', 1_000);
  q.addAfter('slow', 5_000);
  q.addAfter('slow', 8_000);
  assert.equal(clock.pendingTimers(), 1);
  clock.advance(999);
  assert.equal(q.length, 0);
  clock.advance(1);
  assert.equal(q.get(), 'fast');
  clock.advance(4_000);
  assert.equal(q.get(), 'slow');
  clock.advance(10_000);
  assert.equal(q.get(), undefined, 'the superseded later schedule does not fire again');
});

test('forget cancels a delayed name; shutDown drops queued names', () => {
  const clock = testClock();
  const q = new WorkQueue(clock);
  q.addAfter('gone', 100);
  q.forget('gone');
  clock.advance(200);
  assert.equal(q.length, 0);
  q.add('x');
  q.shutDown();
  q.add('y');
  assert.equal(q.get(), undefined);
});

test('timer heap pops due keys in time order across many keys', () => {
  const h = new TimerHeap();
  const times = Array.from({ length: 500 }, (_, i) => ((i * 7919) % 500) + 1);
  times.forEach((t, i) => h.schedule(`k${i}`, t));
  const popped = h.popDue(1000);
  assert.equal(popped.length, 500);
  const dueTimes = popped.map((k) => times[Number(k.slice(1))]!);
  assert.deepEqual(dueTimes, [...dueTimes].sort((a, b) => a - b));
});

test('worker pool: never two reconciles of one name at once, bounded concurrency', async () => {
  const q = new WorkQueue(systemClock());
  const running = new Set<string>();
  let peak = 0;
  let overlaps = 0;
  let runs = 0;
  const pool = startWorkerPool(
    q,
    3,
    async (name) => {
      if (running.has(name)) overlaps++;
      running.add(name);
      peak = Math.max(peak, running.size);
      runs++;
      await new Promise((r) => setImmediate(r));
      if (runs < 200) q.add(name);
      await new Promise((r) => setImmediate(r));
      running.delete(name);
    },
    (_n, e) => {
      throw e;
    },
  );
  for (const n of ['a', 'b', 'c', 'd', 'e']) q.add(n);
  await waitFor(() => runs >= 200 && q.length === 0 && pool.active === 0, { what: '200 runs' });
  assert.equal(overlaps, 0);
  assert.ok(peak <= 3, `peak ${peak}`);
  assert.ok(peak >= 2, 'ran in parallel');
  assert.equal(await pool.stop(1000), true);
});
