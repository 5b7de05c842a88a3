// What the check history costs (issue 19), runnable alone:
//   node dist/bench/scenarios/history.js [--services 1000] [--slices 6] [--slice-ms 5000] [--skip-cpu] [--skip-size]
// 1. vaid's CPU at N http services @1 s with history and without (--history-days 0), two runs
//    of bench/scenarios/cost.ts back to back; the difference is what history adds.
// 2. The size of history.db after 400 simulated days of N services checked every 10 s (and of
//    20 services), written through the real writer (src/history/writer.ts) on a virtual clock.
//    Only the rows a database holds at the end are written at their resolution: a day's
//    delta for days 400..33 ago, an hour's for 32 days..48 h ago, a minute's for the last 48 h,
//    each summing the 6 checks a minute the recorder would have added (so the writer's own
//    upserts, compaction and retention produce the file), plus an incident a week per service
//    with its events.
// 3. `vaictl history` and `vaictl report --since 30d` on that database (median of 5 runs).
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { emptyDelta, type Batch, type EventRecord, type IncidentRecord, type RollupDelta } from '../../src/history/batch.js';
import { HistoryWriter } from '../../src/history/writer.js';
import { figure, target, type Figure } from '../lib/figure.js';
import { VAICTL } from '../lib/vaid.js';
import { runCost } from './cost.js';

const MIN = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

export interface HistoryBenchOptions {
  services: number;
  slices: number;
  sliceMs: number;
  skipCpu?: boolean;
  skipSize?: boolean;
}

function minuteDelta(service: string, startMs: number, minutes: number, seed: number): RollupDelta {
  const d = emptyDelta(service, Math.floor(startMs / 1000));
  const checks = 6 * minutes;
  // One failed check in ~2,000: a short outage now and then, as on a real host.
  const failures = seed % 2000 === 0 ? Math.min(checks, 3) : 0;
  d.checks = checks;
  d.failures = failures;
  const lat = 1.5 + (seed % 7) * 0.4;
  d.latencySumUs = Math.round(checks * lat * 1000);
  d.latencyMaxUs = Math.round(lat * 3000);
  d.hist[1] = checks - Math.floor(checks / 20);
  d.hist[2] = Math.floor(checks / 20);
  d.observedMs = minutes * MIN;
  d.downMs = failures * 10_000;
  d.restarts = failures > 0 ? 1 : 0;
  return d;
}

/** Writes 400 days of `services` services; returns the file's size and how long it took. */
export function simulateYear(file: string, services: number, days = 400): { bytes: number; seconds: number; rows: number } {
  const started = performance.now();
  // Ends at the next midnight, so the commands' windows (from the real now) fall on the simulated data.
  const end = Math.floor(Date.now() / DAY) * DAY + DAY;
  const start = end - days * DAY;
  const w = new HistoryWriter({ file, historyDays: 400, nowMs: start });
  const names = Array.from({ length: services }, (_, i) => `svc-${i}`);
  let seq = 0;
  let rows = 0;
  const write = (nowMs: number, rollups: RollupDelta[], incidents: IncidentRecord[] = [], events: EventRecord[] = []) => {
    const b: Batch = { seq: ++seq, nowMs, rollups, incidents, events, generations: [], droppedMinutes: 0 };
    w.apply(b);
    rows += rollups.length;
  };
  for (let day = 0; day < days; day++) {
    const dayStart = start + day * DAY;
    const age = end - dayStart;
    const incidents: IncidentRecord[] = [];
    const events: EventRecord[] = [];
    names.forEach((n, i) => {
      if ((day + i) % 7 !== 0) return;
      const opened = dayStart + ((i * 7919) % DAY);
      incidents.push({ service: n, seq: day, openedMs: opened, closedMs: opened + 800, closedBy: 'recovery', trigger: `connect ECONNREFUSED 127.0.0.1:${10000 + i} (GET http://127.0.0.1:${10000 + i}/health), 1 consecutive failure`, cause: null, attempts: 1, restarts: 1, alerts: [] });
      events.push({ service: n, type: 'Warning', reason: 'CheckFailed', message: `connect ECONNREFUSED 127.0.0.1:${10000 + i}`, count: 1, firstMs: opened, lastMs: opened });
      events.push({ service: n, type: 'Normal', reason: 'Recovered', message: 'healthy again after attempt 1', count: 1, firstMs: opened + 800, lastMs: opened + 800 });
    });
    if (age > 33 * DAY) {
      write(dayStart + DAY, names.map((n, i) => minuteDelta(n, dayStart, 1440, day * 31 + i)), incidents, events);
      continue;
    }
    const hourly = age > 2 * DAY;
    const step = hourly ? HOUR : MIN;
    // One batch per hour of virtual time, as many would be in an hour of a real vaid.
    for (let h = 0; h < 24; h++) {
      const hourStart = dayStart + h * HOUR;
      const rollups: RollupDelta[] = [];
      for (let t = hourStart; t < hourStart + HOUR; t += step) names.forEach((n, i) => rollups.push(minuteDelta(n, t, step / MIN, Math.floor(t / MIN) + i)));
      write(hourStart + HOUR, rollups, h === 23 ? incidents : [], h === 23 ? events : []);
    }
  }
  w.compact(end);
  w.close();
  const bytes = statSync(file).size;
  return { bytes, seconds: (performance.now() - started) / 1000, rows };
}

function timeCommand(args: string[], env: NodeJS.ProcessEnv, runs = 5): number[] {
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    execFileSync(process.execPath, [VAICTL, ...args], { env, stdio: ['ignore', 'ignore', 'inherit'] });
    out.push(performance.now() - t0);
  }
  return out;
}

export async function runHistory(o: HistoryBenchOptions, log: (s: string) => void): Promise<Figure[]> {
  const figs: Figure[] = [];
  if (!o.skipCpu) {
    const base = { subject: 'vai' as const, kind: 'http' as const, services: o.services, slices: o.slices, sliceMs: o.sliceMs };
    const without = await runCost({ ...base, extraArgs: ['--history-days', '0'], label: 'without history' }, log);
    const withH = await runCost({ ...base, label: 'with history' }, log);
    const share = (fs: Figure[]) => fs.find((f) => f.metric === 'CPU share of one core')!;
    const a = share(without);
    const b = share(withH);
    figs.push(a, b);
    const n = Math.min(a.samples.length, b.samples.length);
    const diff = Array.from({ length: n }, (_, i) => b.samples[i]! - a.samples[i]!);
    figs.push(figure(`history ${o.services} http @1s`, 'vai', 'extra CPU of history (with - without, slice by slice)', '% of a core', diff, { target: target('median', '<=', 3, 'median <= 3 % of a core'), notes: [`medians: ${a.summary.median.toFixed(1)} % without, ${b.summary.median.toFixed(1)} % with`] }));
  }
  if (o.skipSize) return figs;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'vai-bench-history-'));
  try {
    for (const services of [...new Set([20, o.services])]) {
      const stateDir = path.join(dir, `state-${services}`);
      mkdirSync(stateDir);
      const file = path.join(stateDir, 'history.db');
      log(`history: simulating 400 days of ${services} services ...`);
      const r = simulateYear(file, services);
      log(`history: ${services} services: ${(r.bytes / 1e6).toFixed(1)} MB in ${r.seconds.toFixed(0)} s (${r.rows} deltas)`);
      const limit = services <= 20 ? 5 : 250;
      figs.push(figure(`history size 400 d ${services} services @10s`, 'vai', 'history.db size', 'MB', [r.bytes / 1e6], { target: target('value', '<=', limit, `<= ${limit} MB`), notes: [`${r.rows} rollup deltas written in ${r.seconds.toFixed(0)} s`] }));
      if (services !== o.services) continue;
      const env = { ...process.env, VAI_STATE_DIR: stateDir, NO_COLOR: '1' };
      const hist = timeCommand(['history'], env);
      const rep = timeCommand(['report', '--since', '30d'], env);
      figs.push(figure(`vaictl history, ${services} services`, 'vai', 'wall time', 'ms', hist, { target: target('median', '<=', 250, 'median <= 250 ms') }));
      figs.push(figure(`vaictl report --since 30d, ${services} services`, 'vai', 'wall time', 'ms', rep, { target: target('median', '<=', 250, 'median <= 250 ms') }));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return figs;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { services: { type: 'string' }, slices: { type: 'string' }, 'slice-ms': { type: 'string' }, 'skip-cpu': { type: 'boolean' }, 'skip-size': { type: 'boolean' } } });
  const log = (s: string) => process.stderr.write(`[history ${new Date().toISOString().slice(11, 19)}] ${s}\n`);
  const figs = await runHistory({ services: Number(values.services ?? 1000), slices: Number(values.slices ?? 6), sliceMs: Number(values['slice-ms'] ?? 5000), skipCpu: values['skip-cpu'] ?? false, skipSize: values['skip-size'] ?? false }, log);
  for (const f of figs) process.stdout.write(`${f.scenario} | ${f.metric}: median ${f.summary.median.toFixed(2)} ${f.unit} (n=${f.summary.n})${f.met === undefined ? '' : f.met ? ' met' : ' MISSED'}${f.notes?.length ? ` — ${f.notes.join('; ')}` : ''}\n`);
}
