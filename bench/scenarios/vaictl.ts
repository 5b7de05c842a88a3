// Every vaictl read command at 1,000 services (issue 23): one vaid checks 1,000 healthy HTTP
// listeners of one port-farm process (20 services per manifest file), and each command runs as a
// real subprocess against its state and manifests dirs, the way a person types it. Each run's
// wall time and its CPU time (the child's utime+stime, read as the growth of this process's
// reaped-children CPU in /proc/self/stat) are recorded: wall time moves with the machine's load,
// CPU time much less. vaid's RSS at 1,000 services is sampled between the runs. Before vaid
// starts, history.db gets a day of history (seedHistory) so that `history` prints real rows.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { figure, target, type Figure } from '../lib/figure.js';
import { startPortFarm } from '../lib/port-farm-client.js';
import { readMem } from '../lib/proc-stat.js';
import type { ServiceDef } from '../lib/services.js';
import { emptyDelta, type EventRecord, type IncidentRecord, type RollupDelta } from '../../src/history/batch.js';
import { HistoryWriter } from '../../src/history/writer.js';
import { startVaid, VAICTL, waitStatus, writeManifests, type Vaid } from '../lib/vaid.js';

export interface VaictlCase {
  services: number;
  intervalSeconds: number;
  runs: number;
}

/** The commands measured, as typed after `vaictl`; NAME is a service of the run. */
export const VAICTL_COMMANDS: ReadonlyArray<{ label: string; args: string[] }> = [
  { label: 'get', args: ['get'] },
  { label: 'get -o wide', args: ['get', '-o', 'wide'] },
  { label: 'describe', args: ['describe', 'NAME'] },
  { label: 'events', args: ['events'] },
  { label: 'logs', args: ['logs', 'NAME'] },
  { label: 'plan', args: ['plan'] },
  { label: 'validate', args: ['validate'] },
  { label: 'alerts', args: ['alerts'] },
  { label: 'history', args: ['history'] },
];

const HOUR = 3_600_000;

/**
 * The last 24 h of `names` as vaid's recorder would have left it after a quiet day: one row per
 * service and hour (60 checks @60 s, latencies 1.5-4 ms), and an incident for every fifth
 * service, closed by recovery after 0.8 s, with its CheckFailed and Recovered events: 200
 * incidents in the `history` window. Written through the real writer (src/history/writer.ts).
 */
export function seedHistory(file: string, names: readonly string[], nowMs: number): void {
  const w = new HistoryWriter({ file, nowMs: nowMs - 24 * HOUR });
  let seq = 0;
  for (let h = 24; h >= 1; h--) {
    const hourStart = Math.floor((nowMs - h * HOUR) / HOUR) * HOUR;
    const rollups: RollupDelta[] = names.map((n, i) => {
      const d = emptyDelta(n, Math.floor(hourStart / 1000));
      const lat = 1.5 + (i % 7) * 0.4;
      d.checks = 60;
      d.latencySumUs = Math.round(60 * lat * 1000);
      d.latencyMaxUs = Math.round(lat * 3000);
      d.hist[1] = 57;
      d.hist[2] = 3;
      d.observedMs = HOUR;
      return d;
    });
    const incidents: IncidentRecord[] = [];
    const events: EventRecord[] = [];
    names.forEach((n, i) => {
      if (i % 5 !== 0 || (i / 5) % 24 !== h - 1) return;
      const opened = hourStart + ((i * 7919) % HOUR);
      incidents.push({ service: n, seq: 1, openedMs: opened, closedMs: opened + 800, closedBy: 'recovery', trigger: `connect ECONNREFUSED 127.0.0.1:${10000 + i} (GET http://127.0.0.1:${10000 + i}/), 1 consecutive failure`, cause: null, attempts: 1, restarts: 1, alerts: [] });
      events.push({ service: n, type: 'Warning', reason: 'CheckFailed', message: `connect ECONNREFUSED 127.0.0.1:${10000 + i}`, count: 1, firstMs: opened, lastMs: opened });
      events.push({ service: n, type: 'Normal', reason: 'Recovered', message: 'healthy again after attempt 1', count: 1, firstMs: opened + 800, lastMs: opened + 800 });
    });
    w.apply({ seq: ++seq, nowMs: hourStart + HOUR, rollups, incidents, events, generations: [], droppedMinutes: 0 });
  }
  w.close();
}

/** utime+stime of this process's reaped children, in ms. */
function childrenCpuMs(): number {
  const raw = readFileSync('/proc/self/stat', 'utf8');
  const f = raw.slice(raw.lastIndexOf(')') + 2).split(' ');
  // cutime, cstime: stat(5) fields 16 and 17, in clock ticks (100 per second on Linux).
  return (Number(f[13]) + Number(f[14])) * 10;
}

export function timeVaictl(args: string[], env: NodeJS.ProcessEnv): Promise<{ ms: number; cpuMs: number; code: number | null; out: string }> {
  return new Promise((resolve) => {
    const cpu0 = childrenCpuMs();
    const t0 = performance.now();
    const child = spawn(process.execPath, [VAICTL, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1', ...env } });
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      out += d.toString();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ ms: performance.now() - t0, cpuMs: childrenCpuMs() - cpu0, code, out });
    });
  });
}

export async function runVaictl(c: VaictlCase, log: (s: string) => void): Promise<Figure[]> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'vai-bench-'));
  const farm = startPortFarm();
  const stateDir = path.join(dir, 'state');
  const manifests = path.join(dir, 'manifests');
  const wall = new Map<string, number[]>(VAICTL_COMMANDS.map((x) => [x.label, []]));
  const cpu = new Map<string, number[]>(VAICTL_COMMANDS.map((x) => [x.label, []]));
  const notes = new Map<string, string[]>(VAICTL_COMMANDS.map((x) => [x.label, []]));
  const rss: number[] = [];
  const loads: string[] = [];
  let vaid: Vaid | undefined;
  try {
    const ports = await farm.listen('http', c.services);
    const defs: ServiceDef[] = ports.map((port, i) => ({
      name: `svc-${i}`,
      check: { type: 'http', port },
      startCmd: 'true',
      // A check that times out (vaid or the machine busy) must not kill the farm all services share.
      stopCmd: 'true',
      usePidFile: false,
      intervalSeconds: c.intervalSeconds,
      timeoutSeconds: 5,
      startupDelaySeconds: 5,
    }));
    writeManifests(manifests, defs, 20);
    mkdirSync(stateDir, { recursive: true });
    seedHistory(path.join(stateDir, 'history.db'), defs.map((d) => d.name), Date.now());
    vaid = await startVaid({ manifestsDir: manifests, stateDir });
    const v = vaid;
    await waitStatus(v, (s) => Object.values(s.services).filter((x) => x.lastCheck).length >= c.services, {
      timeoutMs: 180_000,
      everyMs: 250,
      what: `all ${c.services} services observed`,
    });
    const env = { VAI_STATE_DIR: stateDir, VAI_MANIFESTS: manifests };
    for (let i = 0; i < c.runs; i++) {
      loads.push(os.loadavg()[0]!.toFixed(2));
      const name = `svc-${Math.floor(Math.random() * c.services)}`;
      for (const cmd of VAICTL_COMMANDS) {
        const r = await timeVaictl(cmd.args.map((a) => (a === 'NAME' ? name : a)), env);
        // logs of a service without log_path and no command run yet: exit 1 (nothing to read) is its honest answer.
        if (r.code !== 0 && !(cmd.label === 'logs' && r.code === 1)) throw new Error(`vaictl ${cmd.label} exited ${r.code}: ${r.out.slice(0, 300)}`);
        wall.get(cmd.label)!.push(r.ms);
        cpu.get(cmd.label)!.push(r.cpuMs);
        // The first round also fills vaictl's parse cache (~/.cache/vai/parsed): its time is the cold one.
        if (i === 0) notes.get(cmd.label)!.push(`printed ${r.out.trimEnd().split('\n').length} lines (exit ${r.code}), first run ${r.ms.toFixed(0)} ms`);
      }
      rss.push(readMem(v.pid).rssMb);
    }
    const floor = await timeVaictl(['--version'], {});
    notes.get('get')!.push(`vaictl --version (Node start-up floor): ${floor.ms.toFixed(0)} ms, ${floor.cpuMs} ms CPU; load (1 min) per round ${loads.join(' ')}`);
  } catch (e) {
    notes.get('get')!.push(`failed: ${(e as Error).message.split('\n')[0]}`);
    log(`vaictl ${c.services}: ${(e as Error).message}`);
  } finally {
    await vaid?.stop();
    farm.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  const scenario = `vaictl (${c.services} svc)`;
  const figs: Figure[] = [];
  for (const cmd of VAICTL_COMMANDS) {
    figs.push(
      figure(scenario, 'vai', `${cmd.label} wall time`, 'ms', wall.get(cmd.label)!, {
        notes: notes.get(cmd.label)!,
        target: target('median', '<=', 250, 'median <= 250 ms'),
      }),
      figure(scenario, 'vai', `${cmd.label} CPU time`, 'ms', cpu.get(cmd.label)!),
    );
  }
  figs.push(figure(`vaid ${c.services} http @${c.intervalSeconds}s`, 'vai', 'RSS', 'MB', rss, { target: target('max', '<=', 100, 'max <= 100 MB') }));
  return figs;
}
