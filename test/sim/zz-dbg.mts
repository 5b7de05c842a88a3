import { runSeed } from './run-seed.ts';
import { realSystem } from './real-system.ts';
import { formatEntry, Trace } from './trace.ts';
const seed = Number(process.argv[2]); const svc = process.argv[3]; const from = Number(process.argv[4]); const to = Number(process.argv[5]);
const orig = Trace.prototype.add;
const t0 = Date.UTC(2026,0,1);
Trace.prototype.add = function (e) { const of = e.type === 'alert' ? e.alert.service : (e as any).service; const rel=(e.t-t0)/1000; if ((svc === '*' || of === svc || of === undefined) && rel >= from && rel <= to && e.type!=='check-start') console.log(formatEntry(e, t0)); return orig.call(this, e); };
const r = await runSeed(seed, { hours: 300, maxSteps: 56000 }, realSystem);
console.log(r.violations.slice(0,3));
