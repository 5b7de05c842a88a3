// Housekeeping timers of different periods land on the same instants, so they share wake-ups.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { delayToGrid, everyOnGrid } from '../../../src/core/grid-timer.js';

test('timers of 500 ms, 1 s, 2 s and 5 s periods are due at the same instants', () => {
  const now = 1_764_000_123_456;
  const due = (p: number) => now + delayToGrid(now, p);
  assert.equal(due(500) % 500, 0);
  // From any instant, each period's next firings are multiples of it: every 2 s and 5 s firing is also a 1 s and 500 ms one.
  for (const p of [1000, 2000, 5000]) {
    assert.equal(due(p) % p, 0);
    assert.equal(due(p) % 500, 0);
  }
  assert.equal(delayToGrid(2000, 1000), 1000, 'on a grid instant: the next one, a period later');
  assert.equal(delayToGrid(2999, 1000), 1);
});

test('everyOnGrid calls back until stopped', async () => {
  let calls = 0;
  let resolve!: () => void;
  const twice = new Promise<void>((r) => (resolve = r));
  const t = everyOnGrid(20, () => {
    calls++;
    if (calls === 2) resolve();
  });
  const keepAlive = setTimeout(() => undefined, 60_000);
  await twice;
  t.stop();
  const after = calls;
  await new Promise((r) => setTimeout(r, 100));
  clearTimeout(keepAlive);
  assert.equal(calls, after, 'no call after stop()');
});
