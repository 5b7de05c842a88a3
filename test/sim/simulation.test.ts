// The deterministic simulation of the real reconciler (controller, planner, work queue, worker
// pool, status store) on virtual time, against simulated services that crash, hang, start
// slowly, flap, fail to restart and lose their dependencies, an engine that goes away, and
// maintenance windows (silence and pause) and ad-hoc silences that open and close (maintenance.ts).
// Each seed replays exactly: a failure prints `node --import tsx test/sim/replay.ts --seed N`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RULES } from './invariants.js';
import { realSystem } from './real-system.js';
import { describeFailure, runSeed, type SeedOptions, type SeedResult } from './run-seed.js';

const SEEDS = Number(process.env.VAI_SIM_SEEDS ?? 64);
// Seeds run in batches, one test each, so no single test outlives the runner's timeout.
const BATCH = 4;
const FIRST_SEED = Number(process.env.VAI_SIM_FIRST_SEED ?? 1);
const HOURS = Number(process.env.VAI_SIM_HOURS ?? 300);
// The CPU budget of one seed (steps are virtual timer firings, ~25-35 us of CPU each): a seed
// with many services or short intervals ends early; its service-hours count what ran.
const MAX_STEPS = Number(process.env.VAI_SIM_MAX_STEPS ?? 56_000);
const TARGET_SERVICE_HOURS = 100_000;

const opts: SeedOptions = { hours: HOURS, maxSteps: MAX_STEPS, nonFatal: [RULES.budget] };
const results: SeedResult[] = [];

function total(key: 'serviceHours' | 'checks' | 'restarts' | 'failedRecoveries' | 'recoveries' | 'alerts' | 'muted' | 'mutes' | 'faults' | 'statusWrites'): number {
  return results.reduce((n, r) => n + r[key], 0);
}

for (let first = FIRST_SEED; first < FIRST_SEED + SEEDS; first += BATCH) {
  const last = Math.min(first + BATCH, FIRST_SEED + SEEDS) - 1;
  test(`safety invariants hold after every step, seeds ${first}-${last}`, { timeout: 900_000 }, async () => {
    const failures: string[] = [];
    for (let seed = first; seed <= last; seed++) {
      const r = await runSeed(seed, opts, realSystem);
      results.push(r);
      if (r.violations.some((v) => v.rule !== RULES.budget)) failures.push(describeFailure(r, opts));
    }
    assert.equal(failures.length, 0, failures.join('\n\n'));
  });
}

test('simulation figures', (t) => {
  const line =
    `simulation: seeds ${FIRST_SEED}-${FIRST_SEED + SEEDS - 1} (${results.length} run), ${total('serviceHours').toFixed(0)} simulated service-hours, ${total('faults')} faults, ${total('checks')} checks, ` +
    `${total('restarts')} restarts (${total('recoveries')} verified, ${total('failedRecoveries')} failed), ${total('alerts')} alerts (${total('muted')} muted by ${total('mutes')} maintenance windows and silences), ${total('statusWrites')} status writes`;
  t.diagnostic(line);
  console.log(line);
  assert.equal(results.length, SEEDS);
});

test('no busy polling: outside a recovery a service is checked about once per interval', () => {
  const over = results.filter((r) => r.violations.some((v) => v.rule === RULES.budget));
  const lines = over.slice(0, 3).map((r) => describeFailure(r, { ...opts, nonFatal: [] }));
  assert.equal(over.length, 0, `${over.length} of ${results.length} seeds busy-poll:\n${lines.join('\n\n')}`);
});

test(`at least ${TARGET_SERVICE_HOURS.toLocaleString('en')} simulated service-hours within the CPU budget`, () => {
  assert.ok(total('serviceHours') >= TARGET_SERVICE_HOURS, `only ${total('serviceHours').toFixed(0)} service-hours fitted in ${SEEDS} seeds of ${MAX_STEPS} steps`);
});
