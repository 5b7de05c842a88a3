// Every vaictl read command at 1,000 services (issue 23): one vaid checks 1,000 healthy HTTP
// listeners of one port-farm process (20 services per manifest file), and each command runs as a
// real subprocess against its state and manifests dirs, the way a person types it. Each run's
// wall time and its CPU time (the child's utime+stime, read as the growth of this process's
// reaped-children CPU in /proc/self/stat) are recorded: wall time moves with the machine's load,
// CPU time much less. vaid's RSS at 1,000 services is sampled between the runs.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { figure, target, type Figure } from '../lib/figure.js';
import { startPortFarm } from '../lib/port-farm-client.js';
import { readMem } from '../lib/proc-stat.js';
import type { ServiceDef } from '../lib/services.js';
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
];

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
      usePidFile: false,
      intervalSeconds: c.intervalSeconds,
      timeoutSeconds: 5,
      startupDelaySeconds: 5,
    }));
    writeManifests(manifests, defs, 20);
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
        if (i === 0) notes.get(cmd.label)!.push(`printed ${r.out.trimEnd().split('\n').length} lines (exit ${r.code})`);
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
