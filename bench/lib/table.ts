// The printed table: one row per figure, then the vai/monit ratios and the targets.
import type { Figure } from './figure.js';

function fmt(v: number, unit: string): string {
  if (!Number.isFinite(v)) return '-';
  if (unit === 'ms' && v >= 1000) return `${(v / 1000).toFixed(2)} s`;
  const digits = Math.abs(v) >= 100 ? 0 : Math.abs(v) >= 10 ? 1 : Math.abs(v) >= 1 ? 2 : 3;
  return `${v.toFixed(digits)}${unit === 'ms' ? ' ms' : unit ? ` ${unit}` : ''}`;
}

function render(rows: string[][]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd()).join('\n');
}

export function figuresTable(figs: readonly Figure[]): string {
  const rows = [['SCENARIO', 'WHO', 'METRIC', 'N', 'MIN', 'MEDIAN', 'P95', 'MAX', 'TARGET']];
  for (const f of figs) {
    const s = f.summary;
    const t = f.target ? `${f.target.text} ${f.met === undefined ? '?' : f.met ? 'MET' : 'MISSED'}` : '';
    rows.push([f.scenario, f.subject, f.metric, String(s.n), fmt(s.min, f.unit), fmt(s.median, f.unit), fmt(s.p95, f.unit), fmt(s.max, f.unit), t]);
  }
  return render(rows);
}

export interface Ratio {
  scenario: string;
  metric: string;
  vai: number;
  monit: number;
  ratio: number;
}

/** vai/monit of medians, for every vai figure that has a monit figure with the same key. */
export function ratios(figs: readonly Figure[]): Ratio[] {
  const out: Ratio[] = [];
  for (const v of figs) {
    if (v.subject !== 'vai' || !v.compareKey) continue;
    const m = figs.find((f) => f.subject === 'monit' && f.compareKey === v.compareKey);
    if (!m || !(m.summary.median > 0) || !Number.isFinite(v.summary.median)) continue;
    out.push({ scenario: v.scenario, metric: v.metric, vai: v.summary.median, monit: m.summary.median, ratio: v.summary.median / m.summary.median });
  }
  return out;
}

export function ratiosTable(rs: readonly Ratio[]): string {
  if (rs.length === 0) return 'No vai/monit pairs in this run.';
  const rows = [['SCENARIO', 'METRIC', 'VAI MEDIAN', 'MONIT MEDIAN', 'VAI/MONIT']];
  for (const r of rs) rows.push([r.scenario, r.metric, r.vai.toPrecision(3), r.monit.toPrecision(3), `${r.ratio.toFixed(2)}x`]);
  return render(rows);
}
