// Turns a results JSON (bench/results/*.json) into the Markdown tables of docs/performance.md.
// usage: node dist/bench/report-md.js bench/results/latest-full.json
import { readFileSync } from 'node:fs';
import type { Figure } from './lib/figure.js';
import { machineLine, type Machine } from './lib/machine.js';
import type { Ratio } from './lib/table.js';

const file = process.argv[2];
if (!file) {
  process.stderr.write('usage: node dist/bench/report-md.js RESULTS.json\n');
  process.exit(2);
}
const doc = JSON.parse(readFileSync(file, 'utf8')) as { mode: string; startedAt: string; seconds: number; machine: Machine; figures: Figure[]; ratios: Ratio[] };

function fmt(v: number | null, unit: string): string {
  if (v === null || !Number.isFinite(v)) return '–';
  if (unit === 'ms' && v >= 1000) return `${(v / 1000).toFixed(2)} s`;
  const d = Math.abs(v) >= 100 ? 0 : Math.abs(v) >= 10 ? 1 : Math.abs(v) >= 1 ? 2 : 3;
  return `${v.toFixed(d)}${unit === 'ms' ? ' ms' : unit === '%' ? ' %' : ` ${unit}`}`;
}

const out: string[] = [];
out.push(`Run: \`${doc.mode}\`, ${doc.startedAt}, ${Math.round(doc.seconds)} s. Machine: ${machineLine(doc.machine)}.`, '');
out.push('| scenario | who | metric | n | min | median | p95 | max | target |', '|---|---|---|---:|---:|---:|---:|---:|---|');
for (const f of doc.figures) {
  const s = f.summary;
  const t = f.target ? `${f.target.text}: **${f.met === undefined ? 'not measured' : f.met ? 'met' : 'missed'}**` : '';
  out.push(`| ${f.scenario} | ${f.subject} | ${f.metric.trim()} | ${s.n} | ${fmt(s.min, f.unit)} | ${fmt(s.median, f.unit)} | ${fmt(s.p95, f.unit)} | ${fmt(s.max, f.unit)} | ${t} |`);
}
out.push('', '| scenario | metric | vai median | monit median | vai/monit |', '|---|---|---:|---:|---:|');
for (const r of doc.ratios) out.push(`| ${r.scenario} | ${r.metric} | ${r.vai.toPrecision(3)} | ${r.monit.toPrecision(3)} | ${r.ratio.toFixed(2)}× |`);
process.stdout.write(`${out.join('\n')}\n`);
