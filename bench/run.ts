// vai's benchmark suite: `node dist/bench/run.js --quick|--full [--only a,b] [--no-monit]`.
// Prints the table (with vai/monit ratios) and writes JSON to bench/results/.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { Figure } from './lib/figure.js';
import { describeMachine, machineLine } from './lib/machine.js';
import { ensureMonit } from './lib/monit.js';
import { installReaper, reapAll } from './lib/reaper.js';
import { TINI } from './lib/reaping-init.js';
import { figuresTable, ratios, ratiosTable } from './lib/table.js';
import { profileVaidInto } from './lib/vaid.js';
import { PROFILES, type Profile } from './profiles.js';
import { runConnectFloor } from './scenarios/connect-floor.js';
import { runCost } from './scenarios/cost.js';
import { runCheckTypes } from './scenarios/check-types.js';
import { runEditAndCli } from './scenarios/edit-and-cli.js';
import { runRecovery } from './scenarios/recovery.js';
import { runScale } from './scenarios/scale.js';
import { runServiceStart } from './scenarios/service-start.js';
import { runGitops } from './scenarios/gitops.js';
import { runHistory } from './scenarios/history.js';
import { runHealthzChurn } from './scenarios/healthz-churn.js';
import { runSmallVps } from './scenarios/small-vps.js';
import { runVaictl } from './scenarios/vaictl.js';

const RESULTS = fileURLToPath(new URL('../../bench/results/', import.meta.url));

const SCENARIOS = ['start', 'floor', 'crash', 'hang', 'cost', 'types', 'scale', 'edit', 'history', 'gitops', 'small-vps', 'vaictl', 'healthz-churn'] as const;
type ScenarioName = (typeof SCENARIOS)[number];

function log(s: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${s}\n`);
}

async function runAll(p: Profile, only: Set<ScenarioName>, withMonit: boolean): Promise<Figure[]> {
  const figs: Figure[] = [];
  const step = async (name: string, fn: () => Promise<Figure[]>) => {
    log(`${name} ...`);
    const t0 = performance.now();
    const got = await fn();
    figs.push(...got);
    for (const f of got) log(`  ${f.subject} ${f.scenario} ${f.metric}: median ${f.summary.median.toFixed(3)} ${f.unit} (n=${f.summary.n})${f.notes?.length ? ` — ${f.notes.join('; ')}` : ''}`);
    log(`${name} done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    reapAll();
  };
  if (only.has('start')) await step('service start', () => runServiceStart(p.startSamples));
  if (only.has('floor')) await step('Node client floor', () => runConnectFloor(p.floorRounds, p.floorPerRound));
  if (only.has('crash')) {
    await step('vai crash (pid_file)', () => runRecovery({ subject: 'vai', fault: 'crash', usePidFile: true, samples: p.crashSamples }, log));
    await step('vai crash (no pid_file)', () => runRecovery({ subject: 'vai', fault: 'crash', usePidFile: false, samples: p.crashSamples }, log));
    if (withMonit) await step('monit crash', () => runRecovery({ subject: 'monit', fault: 'crash', usePidFile: true, samples: p.crashSamples }, log));
  }
  if (only.has('hang')) {
    await step('vai hang', () => runRecovery({ subject: 'vai', fault: 'hang', usePidFile: true, samples: p.hangSamples }, log));
    await step('vai true hang', () => runRecovery({ subject: 'vai', fault: 'stall', usePidFile: true, samples: p.hangSamples }, log));
    if (withMonit) await step('monit hang', () => runRecovery({ subject: 'monit', fault: 'hang', usePidFile: true, samples: p.hangSamples }, log));
    if (withMonit) await step('monit true hang', () => runRecovery({ subject: 'monit', fault: 'stall', usePidFile: true, samples: p.hangSamples }, log));
  }
  if (only.has('cost')) {
    for (const c of p.cost) {
      await step(`vai cost ${c.services} ${c.kind}${c.keepAlive ? ' keep-alive' : ''}`, () => runCost({ subject: 'vai', ...c, slices: p.costSlices, sliceMs: p.costSliceMs, warmupMs: p.costWarmupMs }, log));
      if (withMonit && c.monit && !c.keepAlive) await step(`monit cost ${c.services} ${c.kind}`, () => runCost({ subject: 'monit', ...c, slices: p.costSlices, sliceMs: p.costSliceMs, warmupMs: p.costWarmupMs }, log));
    }
  }
  if (only.has('types')) await step('vai CPU per check of each check type at 200 services', () => runCheckTypes({ services: 200, windowMs: 10_000 }, log));
  if (only.has('scale')) await step(`vai scale ${p.scale.services}`, () => runScale(p.scale, log));
  if (only.has('edit')) await step(`vai edit/cli ${p.edit.services}`, () => runEditAndCli(p.edit, log));
  if (only.has('gitops')) await step('vai git push -> applied', () => runGitops(p.gitops, log));
  if (only.has('history')) await step('history (CPU with and without, size, vaictl history/report)', () => runHistory({ services: 1000, slices: p.costSlices, sliceMs: p.costSliceMs }, log));
  if (only.has('small-vps')) {
    // vaid and monit at once, on the same services: the same load falls on both.
    await step('small-vps 50 http @60s', () => runSmallVps({ kind: 'farm', services: 50, intervalSeconds: 60, windowMs: p.smallVpsWindowMs, steady: p.smallVpsSteady, withMonit }, log));
    await step('small-vps 6 daemons @5s', () => runSmallVps({ kind: 'daemons', services: 6, intervalSeconds: 5, windowMs: p.smallVpsWindowMs, steady: p.smallVpsSteady, withMonit }, log));
    // V8 flags to compare, e.g. BENCH_SMALL_VPS_NODE_ARGS='--max-semi-space-size=1;--lite-mode' (one extra vaid-only run each).
    for (const flags of (process.env.BENCH_SMALL_VPS_NODE_ARGS ?? '').split(';').filter(Boolean)) {
      await step(`small-vps 50 http @60s ${flags}`, () => runSmallVps({ kind: 'farm', services: 50, intervalSeconds: 60, windowMs: p.smallVpsWindowMs, withMonit: false, nodeArgs: flags.split(' ') }, log));
    }
  }
  if (only.has('vaictl')) await step(`vaictl ${p.vaictl.services}`, () => runVaictl(p.vaictl, log));
  if (only.has('healthz-churn')) await step(`/healthz under churn ${p.healthzChurn.services}`, () => runHealthzChurn(p.healthzChurn, log));
  return figs;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean' },
      full: { type: 'boolean' },
      only: { type: 'string' },
      'no-monit': { type: 'boolean' },
      profile: { type: 'boolean' },
    },
  });
  if (values.quick === values.full) {
    process.stderr.write('usage: node dist/bench/run.js --quick|--full [--only start,floor,crash,hang,cost,scale,edit,history,gitops,types,small-vps,vaictl,healthz-churn] [--no-monit] [--profile]\n');
    return 2;
  }
  const mode = values.quick ? 'quick' : 'full';
  const only = new Set<ScenarioName>(
    values.only ? (values.only.split(',').filter((s): s is ScenarioName => (SCENARIOS as readonly string[]).includes(s)) as ScenarioName[]) : SCENARIOS,
  );
  installReaper();
  if (values.profile) {
    const dir = path.join(RESULTS, 'profiles');
    mkdirSync(dir, { recursive: true });
    profileVaidInto(dir);
    log(`vaid CPU profiles go to ${dir} (open in Chrome DevTools)`);
  }
  const machine = describeMachine(TINI ? `tini -s (${TINI})` : 'PID 1 (tini not found: orphans may stay zombies ~2 s)');
  let withMonit = !values['no-monit'];
  if (withMonit) {
    const m = ensureMonit(log);
    if ('error' in m) {
      log(`monit side skipped: ${m.error}`);
      withMonit = false;
    } else machine.monit = m.version;
  }
  log(`${mode} run on ${machineLine(machine)}`);
  const startedAt = new Date();
  const t0 = performance.now();
  let figs: Figure[] = [];
  try {
    figs = await runAll(PROFILES[mode], only, withMonit);
  } finally {
    reapAll();
  }
  const rs = ratios(figs);
  const out = [
    '',
    `vai bench (${mode}), ${startedAt.toISOString()}, ${((performance.now() - t0) / 1000).toFixed(0)} s`,
    `machine: ${machineLine(machine)}`,
    '',
    figuresTable(figs),
    '',
    ratiosTable(rs),
    '',
  ];
  const notes = figs.filter((f) => f.notes?.length).map((f) => `  ${f.subject} ${f.scenario} / ${f.metric}: ${f.notes?.join('; ')}`);
  if (notes.length) out.push('notes:', ...notes, '');
  process.stdout.write(out.join('\n'));
  mkdirSync(RESULTS, { recursive: true });
  const doc = { mode, startedAt: startedAt.toISOString(), seconds: (performance.now() - t0) / 1000, machine, figures: figs, ratios: rs };
  const stamp = startedAt.toISOString().replace(/[:.]/g, '-');
  writeFileSync(path.join(RESULTS, `${stamp}-${mode}.json`), `${JSON.stringify(doc, null, 2)}\n`);
  writeFileSync(path.join(RESULTS, `latest-${mode}.json`), `${JSON.stringify(doc, null, 2)}\n`);
  log(`wrote bench/results/latest-${mode}.json`);
  return figs.some((f) => f.summary.n === 0) ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    reapAll();
    process.stderr.write(`bench failed: ${(e as Error).stack ?? String(e)}\n`);
    process.exitCode = 1;
  },
);
