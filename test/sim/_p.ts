import { runSeed } from './run-seed.js';
import { realSystem } from './real-system.js';
const c0 = process.cpuUsage().user;
for (const seed of [1,2,3,4,5,6,7,8]) {
const c = process.cpuUsage().user;
const r = await runSeed(seed, { hours: 100 }, realSystem);
console.log(seed, r.serviceHours.toFixed(0), r.steps, ((process.cpuUsage().user - c)/1e3).toFixed(0), r.violations.map(v => `${v.service} ${v.rule}: ${v.message}`).join(' / '));
}
console.log('cpu', (process.cpuUsage().user - c0)/1e3);
