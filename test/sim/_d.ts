import { runSeed } from './run-seed.js';
import { realSystem } from './real-system.js';
let sh = 0;
const c0 = process.cpuUsage().user;
for (const seed of [1, 2, 4]) {
  const c = process.cpuUsage().user;
  const r = await runSeed(seed, { hours: 100 }, realSystem);
  sh += r.serviceHours;
  console.log(seed, r.services, r.serviceHours.toFixed(0), 'checks/svc-h', (r.checks / r.serviceHours).toFixed(1), 'steps', r.steps, 'writes', r.statusWrites, 'cpu ms', ((process.cpuUsage().user - c) / 1e3).toFixed(0), 'viol', r.violations.length, r.violations[0]?.message ?? '');
}
console.log('svc-h', sh.toFixed(0), 'cpu ms', (process.cpuUsage().user - c0) / 1e3);
