// Replays one simulated seed and prints what happened: the CLI a failing simulation test
// names. `node --import tsx test/sim/replay.ts --seed N [--hours H] [--services K] [--all]`
import { parseArgs } from 'node:util';
import { describeFailure, runSeed, type SeedOptions } from './run-seed.js';
import { realSystem } from './real-system.js';

const { values } = parseArgs({
  options: {
    seed: { type: 'string' },
    hours: { type: 'string', default: '200' },
    services: { type: 'string' },
    'max-steps': { type: 'string' },
    all: { type: 'boolean', default: false },
  },
});
if (values.seed === undefined || !/^\d+$/.test(values.seed)) {
  process.stderr.write('usage: node --import tsx test/sim/replay.ts --seed N [--hours H] [--services K] [--max-steps N] [--all]\n');
  process.exit(2);
}
const opts: SeedOptions = { hours: Number(values.hours), stopOnViolation: !values.all };
if (values.services !== undefined) opts.services = Number(values.services);
if (values['max-steps'] !== undefined) opts.maxSteps = Number(values['max-steps']);
const r = await runSeed(Number(values.seed), opts, realSystem);
const { violations, context, ...figures } = r;
process.stdout.write(`${JSON.stringify(figures)}\n`);
if (violations.length > 0) {
  process.stdout.write(`${describeFailure(r, opts)}\n`);
  process.exitCode = 1;
} else {
  process.stdout.write(`seed ${r.seed}: no invariant violated in ${r.serviceHours.toFixed(0)} service-hours\n`);
}
