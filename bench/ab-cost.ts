// Two vaid builds side by side, under the same machine load: the way to tell whether a change
// made checks cheaper on a shared machine, where a run now and a run in ten minutes see loads
// that differ more than the change does. Each vaid supervises its own N loopback services of
// one port farm (interval 1 s, or --interval); CPU is read from /proc (all threads) and checks
// from each vaid's own status counters.
// usage: node dist/bench/ab-cost.js DIST_A DIST_B [--kind http|tcp] [--services N] [--slices 4] [--slice-ms 4000] [--interval 1] [--keep-alive-a] [--keep-alive-b]
// --keep-alive-X gives X's http checks health_check.keep_alive: true (that build must know the field).
// DIST_x is a dist/ directory (with src/cli/vaid.js), e.g. of `git archive REV` built elsewhere.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startPortFarm } from './lib/port-farm-client.js';
import { readCpuPreciseMs } from './lib/proc-stat.js';
import { installReaper, reapAll, trackGroup } from './lib/reaper.js';
import { summarize } from './lib/stats.js';
import { writeManifests } from './lib/vaid.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    kind: { type: 'string', default: 'http' },
    services: { type: 'string', default: '50' },
    slices: { type: 'string', default: '4' },
    'slice-ms': { type: 'string', default: '4000' },
    interval: { type: 'string', default: '1' },
    'keep-alive-a': { type: 'boolean', default: false },
    'keep-alive-b': { type: 'boolean', default: false },
  },
});
const [distA, distB] = positionals;
if (!distA || !distB || (values.kind !== 'http' && values.kind !== 'tcp')) {
  process.stderr.write('usage: node dist/bench/ab-cost.js DIST_A DIST_B [--kind http|tcp] [--services N] [--slices 4] [--slice-ms 4000] [--interval 1]\n');
  process.exit(2);
}
const kind: 'http' | 'tcp' = values.kind;
const n = Number(values.services);
const interval = Number(values.interval);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function checksOf(dir: string): number {
  try {
    const doc = JSON.parse(readFileSync(path.join(dir, 'state/status.json'), 'utf8')) as { services: Record<string, { counters: { checks: number } }> };
    return Object.values(doc.services).reduce((a, s) => a + s.counters.checks, 0);
  } catch {
    return Number.NaN;
  }
}

installReaper();
const root = mkdtempSync(path.join(os.tmpdir(), 'vai-ab-'));
const farm = startPortFarm();
const children: ChildProcess[] = [];
try {
  const ports = await farm.listen(kind, 2 * n);
  const subjects = [distA, distB].map((dist, k) => {
    const dir = path.join(root, k === 0 ? 'A' : 'B');
    const keepAlive = kind === 'http' && (k === 0 ? values['keep-alive-a'] : values['keep-alive-b']) === true;
    const defs = ports.slice(k * n, (k + 1) * n).map((port, i) => ({
      name: `svc-${i}`,
      check: kind === 'http' ? { type: 'http' as const, port, keepAlive } : { type: 'tcp' as const, port },
      startCmd: 'true',
      // A check that times out (vaid or the machine busy) must not kill the farm all services share.
      stopCmd: 'true',
      usePidFile: false,
      intervalSeconds: interval,
      timeoutSeconds: 1,
      startupDelaySeconds: 2,
    }));
    writeManifests(path.join(dir, 'manifests'), defs, 50);
    const vaid = path.join(path.resolve(dist), 'src/cli/vaid.js');
    const child = spawn(process.execPath, [vaid, '--manifests', path.join(dir, 'manifests'), '--state-dir', path.join(dir, 'state'), '--log-level', 'warn'], {
      stdio: 'ignore',
      detached: true,
    });
    if (!child.pid) throw new Error(`${vaid} did not start`);
    trackGroup(child.pid);
    children.push(child);
    return { label: `${k === 0 ? 'A' : 'B'}${keepAlive ? ' keep-alive' : ''}`, dist, pid: child.pid, dir };
  });
  // Start-up (manifests, first checks spread over up to 5 s, JIT) is left out of the window.
  await sleep(Math.max(12_000, 3 * interval * 1000));
  const read = () => subjects.map((s) => ({ cpu: readCpuPreciseMs(s.pid), checks: checksOf(s.dir), at: performance.now() }));
  const first = read();
  let prev = first;
  const perCheck: number[][] = subjects.map(() => []);
  for (let i = 0; i < Number(values.slices); i++) {
    await sleep(Number(values['slice-ms']));
    const now = read();
    subjects.forEach((_, k) => perCheck[k]!.push((now[k]!.cpu - prev[k]!.cpu) / (now[k]!.checks - prev[k]!.checks)));
    prev = now;
  }
  const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  subjects.forEach((s, k) => {
    const cpu = prev[k]!.cpu - first[k]!.cpu;
    const checks = prev[k]!.checks - first[k]!.checks;
    const seconds = (prev[k]!.at - first[k]!.at) / 1000;
    process.stdout.write(
      `${s.label} ${kind} ${n} @${interval}s: ${(cpu / checks).toFixed(3)} ms/check overall (slices ${perCheck[k]!.map((x) => x.toFixed(2)).join(' ')}, median ${summarize(perCheck[k]!).median.toFixed(3)}), ` +
        `${(cpu / seconds).toFixed(1)} ms CPU/s, ${checks} checks in ${seconds.toFixed(1)} s — ${s.dist}\n`,
    );
  });
  process.stdout.write(`load ${load}\n`);
} finally {
  for (const c of children) {
    try {
      process.kill(-(c.pid as number), 'SIGKILL');
    } catch {
      // already gone
    }
  }
  farm.stop();
  reapAll();
  rmSync(root, { recursive: true, force: true });
}
