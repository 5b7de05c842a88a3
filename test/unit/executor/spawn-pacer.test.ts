// The spawn pacer (issue 16, finding 12): a burst of commands starts at most SPAWNS_PER_TURN
// shells per turn of the event loop, in order, and I/O is polled between turns.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SPAWNS_PER_TURN, spawnTurn } from '../../../src/executor/spawn-pacer.js';

test('a burst of 100 spawns goes SPAWNS_PER_TURN at a time, in order, with the loop polling I/O in between', async () => {
  await new Promise((r) => setTimeout(r, 5));
  const order: number[] = [];
  const turnOf: number[] = [];
  let turn = 0;
  // An immediate queued from an immediate runs in the next turn, after its poll phase: a chain
  // of them counts the turns.
  let counting = true;
  const tick = () => {
    turn++;
    if (counting) setImmediate(tick);
  };
  setImmediate(tick);
  const all = Array.from({ length: 100 }, (_, i) => {
    const wait = spawnTurn();
    const go = () => {
      order.push(i);
      turnOf.push(turn);
    };
    if (wait) return wait.then(go);
    go();
    return Promise.resolve();
  });
  assert.equal(order.length, SPAWNS_PER_TURN, 'the first ones start at once');
  await Promise.all(all);
  counting = false;
  assert.deepEqual(order, Array.from({ length: 100 }, (_, i) => i), 'in the order asked');
  const perTurn = new Map<number, number>();
  for (const t of turnOf) perTurn.set(t, (perTurn.get(t) ?? 0) + 1);
  assert.ok(Math.max(...perTurn.values()) <= SPAWNS_PER_TURN, `at most ${SPAWNS_PER_TURN} a turn: ${JSON.stringify([...perTurn])}`);
  assert.ok(perTurn.size >= Math.ceil(100 / SPAWNS_PER_TURN), `spread over ${perTurn.size} turns`);
});
