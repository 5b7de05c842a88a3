// The invariant checker is only worth something if it catches a bad reconciler. This runs the
// seed's naive cron loop (restart whatever fails, ignore markers, dependencies and the engine)
// through the same simulation and expects each of those rules to fire.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RULES } from './invariants.js';
import { naiveSystem } from './naive-system.js';
import { runSeed } from './run-seed.js';

test('the checker catches a reconciler that ignores markers, dependencies, thresholds and outages', async () => {
  const fired = new Set<string>();
  for (const seed of [1, 2, 3, 4]) {
    const r = await runSeed(seed, { hours: 150, stopOnViolation: false }, naiveSystem);
    for (const v of r.violations) fired.add(v.rule);
  }
  for (const rule of [RULES.desired, RULES.depOrder, RULES.healthy, RULES.outage]) assert.ok(fired.has(rule), `never fired: ${rule}`);
});

test('the same seed replays the same run exactly', async () => {
  const a = await runSeed(7, { hours: 50, stopOnViolation: false }, naiveSystem);
  const b = await runSeed(7, { hours: 50, stopOnViolation: false }, naiveSystem);
  assert.deepEqual(
    { ...a, violations: a.violations.length },
    { ...b, violations: b.violations.length },
  );
  assert.ok(a.checks > 100 && a.faults > 5, `too little happened: ${a.checks} checks, ${a.faults} faults`);
});
