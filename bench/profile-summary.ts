// Summarises a V8 CPU profile of vaid (bench --profile writes them): self time per function and
// per source file, and inclusive time per vai module, so a missed target names what to change.
// usage: node dist/bench/profile-summary.js FILE.cpuprofile [TOP] [SKIP_MS]
// SKIP_MS leaves out the first milliseconds of the profile (start-up: module loading, manifests).
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const [file, topArg, skipArg] = process.argv.slice(2);
if (!file) {
  process.stderr.write('usage: node dist/bench/profile-summary.js FILE.cpuprofile [TOP]\n');
  process.exit(2);
}
const top = Number(topArg ?? 25);
const skipUs = Number(skipArg ?? 0) * 1000;
const p = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(p.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

const selfUs = new Map<number, number>();
let elapsedUs = 0;
p.samples.forEach((id, i) => {
  elapsedUs += p.timeDeltas[i] ?? 0;
  if (elapsedUs >= skipUs) selfUs.set(id, (selfUs.get(id) ?? 0) + (p.timeDeltas[i] ?? 0));
});
let total = 0;
for (const v of selfUs.values()) total += v;

const shortUrl = (u: string) => u.replace(/^file:\/\/.*?\/(dist\/|node_modules\/)/, '$1').replace(/^node:/, 'node:');
const add = (m: Map<string, number>, k: string, v: number) => m.set(k, (m.get(k) ?? 0) + v);

const fnSelf = new Map<string, number>();
const fileSelf = new Map<string, number>();
const moduleIncl = new Map<string, number>();
for (const [id, us] of selfUs) {
  const n = byId.get(id);
  if (!n) continue;
  const cf = n.callFrame;
  const where = cf.url ? `${shortUrl(cf.url)}:${cf.lineNumber + 1}` : '(native)';
  add(fnSelf, `${cf.functionName || '(anonymous)'} ${where}`, us);
  add(fileSelf, cf.url ? shortUrl(cf.url) : cf.functionName, us);
  // inclusive per vai module: each sample counts once for every src/<module> on its stack
  const seen = new Set<string>();
  for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
    const m = /dist\/src\/([a-z-]+)\//.exec(byId.get(cur)?.callFrame.url ?? '')?.[1];
    if (m && !seen.has(m)) {
      seen.add(m);
      add(moduleIncl, m, us);
    }
  }
}

const print = (title: string, m: Map<string, number>, n: number) => {
  process.stdout.write(`\n${title}\n`);
  for (const [k, us] of [...m].sort((a, b) => b[1] - a[1]).slice(0, n)) {
    process.stdout.write(`${((100 * us) / total).toFixed(1).padStart(5)}%  ${(us / 1000).toFixed(0).padStart(7)} ms  ${k}\n`);
  }
};
const idle = [...selfUs].filter(([id]) => byId.get(id)?.callFrame.functionName === '(idle)').reduce((a, [, us]) => a + us, 0);
process.stdout.write(`${file}: ${(total / 1000).toFixed(0)} ms sampled after the first ${skipUs / 1000} ms, ${((total - idle) / 1000).toFixed(0)} ms busy\n`);
print('inclusive time per vai module (a sample counts for every module on its stack)', moduleIncl, 12);
print('self time per file', fileSelf, top);
print('self time per function', fnSelf, top);
