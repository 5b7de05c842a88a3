// The shared grid that regular checks start on (src/reconcile/check-ticks.ts): services whose
// next check falls in one tick get the same due time, so one timer wake-up starts them all.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { CHECK_TICK_MS, delayToTick, tickFor } from '../../../src/reconcile/check-ticks.js';

test('the tick is 100 ms for intervals of a second or more, a tenth of shorter ones', () => {
  assert.equal(tickFor(1000), CHECK_TICK_MS);
  assert.equal(tickFor(60_000), CHECK_TICK_MS);
  assert.equal(tickFor(500), 50);
  assert.equal(tickFor(50), 5);
  assert.equal(tickFor(5), 1);
});

test('two services due in the same tick get the same due time', () => {
  const a = 1_000_000_012;
  const b = 1_000_000_071;
  assert.equal(a + delayToTick(a, 1003, 100), b + delayToTick(b, 970, 100));
});

test('a due time lands on a tick in the future, within half a tick of what was asked (or the next tick)', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 2 ** 42 }), fc.double({ min: 0, max: 600_000, noNaN: true }), fc.integer({ min: 1, max: 100 }), (now, delay, tick) => {
      const d = delayToTick(now, delay, tick);
      assert.ok(d >= 1);
      assert.ok(Number.isInteger(d));
      assert.equal((now + d) % tick, 0);
      assert.ok(Math.abs(now + d - (now + delay)) <= Math.max(tick / 2, d), `${now} + ${delay} on ${tick}: ${d}`);
    }),
  );
});

test('rounding to the nearest tick keeps the mean delay', () => {
  let sum = 0;
  const n = 10_000;
  for (let i = 0; i < n; i++) sum += delayToTick(1_000_000 + i * 7, 1000, 100);
  assert.ok(Math.abs(sum / n - 1000) < 5, `mean ${sum / n}`);
});
