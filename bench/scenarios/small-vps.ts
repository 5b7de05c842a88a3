// A small VPS's idle cost (issue 23): vaid and monit side by side, at the same time, watching
// the same healthy services: 50 HTTP listeners of one port-farm process checked every 60 s, and
// 6 real daemons (the C service, one process each) checked every 5 s, half of them with a
// pid_file on vai's side. The figure is the CPU of each supervisor's whole process tree over a
// window of at least 60 s, read from /proc (schedstat of every live thread plus the reaped
// children's utime+stime), and its RSS sampled through the window. In a full run a second
// window follows the first at once ("steady"): the targets are judged on it, since the first
// minute after start still holds the JIT's warm-up and V8 collecting the start-up garbage,
// which a host that runs vaid for months does not pay again. The machine's load average
// at the window's start and end goes into the notes: other work on it counts in neither's CPU.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { figure, target, type Figure } from '../lib/figure.js';
import { ensureMonit, startMonit } from '../lib/monit.js';
import { startPortFarm, type PortFarm } from '../lib/port-farm-client.js';
import { freePort } from '../lib/ports.js';
import { readMem, readThreadCpuMs, readTreeCpuMs } from '../lib/proc-stat.js';
import { httpServiceDef, launchService, readPid, type ServiceDef } from '../lib/services.js';
import type { Supervisor } from '../lib/supervisor.js';
import { monitSupervisor, vaiSupervisor } from '../lib/supervisors.js';
import { startVaid, waitStatus, writeManifests } from '../lib/vaid.js';

export interface SmallVpsCase {
  /** 'farm': HTTP listeners in one port-farm process; 'daemons': one real process per service. */
  kind: 'farm' | 'daemons';
  services: number;
  intervalSeconds: number;
  windowMs: number;
  /** Extra node flags for vaid (V8 flag comparisons). */
  nodeArgs?: string[];
  /** A second window right after the first; the targets are judged on it. */
  steady?: boolean;
  withMonit: boolean;
}

interface WindowResult {
  /** % of one core over the window. */
  share: number;
  rss: number[];
  notes: string[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const load = () => os.loadavg().map((x) => x.toFixed(2)).join(' ');

/** CPU of each supervisor's process tree and its RSS over one window of windowMs. */
async function measure(sups: Supervisor[], windowMs: number): Promise<Map<'vai' | 'monit', WindowResult>> {
  const results = new Map<'vai' | 'monit', WindowResult>();
  const loadBefore = load();
  const t0 = performance.now();
  const cpu0 = new Map(sups.map((s) => [s.kind, readTreeCpuMs(s.pid)]));
  const threads0 = new Map(sups.map((s) => [s.kind, readThreadCpuMs(s.pid)]));
  for (const s of sups) results.set(s.kind, { share: 0, rss: [], notes: [] });
  while (performance.now() - t0 < windowMs) {
    await sleep(Math.min(5000, Math.max(0, windowMs - (performance.now() - t0))));
    for (const s of sups) results.get(s.kind)!.rss.push(readMem(s.pid).rssMb);
  }
  const seconds = (performance.now() - t0) / 1000;
  for (const s of sups) {
    const r = results.get(s.kind)!;
    const cpuMs = readTreeCpuMs(s.pid) - (cpu0.get(s.kind) ?? 0);
    r.notes.push(`${(cpuMs / 1000).toFixed(3)} CPU-s in ${seconds.toFixed(1)} s, load ${loadBefore} -> ${load()}`);
    // Where it went, by thread: the event loop (its own name), V8's workers, libuv's pool.
    const t0s = threads0.get(s.kind) ?? new Map<string, number>();
    const byThread = [...readThreadCpuMs(s.pid)].map(([k, v]) => [k, v - (t0s.get(k) ?? 0)] as const).filter(([, v]) => v >= 1).sort((a, b) => b[1] - a[1]);
    r.notes.push(`threads: ${byThread.map(([k, v]) => `${k} ${v.toFixed(0)} ms`).join(', ')}`);
    r.share = (100 * cpuMs) / (seconds * 1000);
  }
  return results;
}

async function farmDefs(farm: PortFarm, dir: string, c: SmallVpsCase): Promise<ServiceDef[]> {
  const ports = await farm.listen('http', c.services);
  const farmPidFile = path.join(dir, 'farm.pid');
  writeFileSync(farmPidFile, String(farm.pid));
  return ports.map((port, i) => ({
    name: `svc-${i}`,
    check: { type: 'http', port },
    pidFile: farmPidFile,
    startCmd: 'true',
    // A check that times out (vaid or the machine busy) must not kill the farm all services share.
    stopCmd: 'true',
    usePidFile: false,
    intervalSeconds: c.intervalSeconds,
    timeoutSeconds: 5,
    startupDelaySeconds: 5,
  }));
}

async function daemonDefs(dir: string, c: SmallVpsCase): Promise<ServiceDef[]> {
  const defs: ServiceDef[] = [];
  for (let i = 0; i < c.services; i++) {
    const d = httpServiceDef(`svc-${i}`, await freePort(), dir, i % 2 === 0);
    defs.push({ ...d, intervalSeconds: c.intervalSeconds, timeoutSeconds: 5, startupDelaySeconds: 5 });
    await launchService(d);
  }
  return defs;
}

export async function runSmallVps(c: SmallVpsCase, log: (s: string) => void): Promise<Figure[]> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'vai-bench-'));
  const farm = c.kind === 'farm' ? startPortFarm() : undefined;
  const scenario = `small-vps ${c.services} http @${c.intervalSeconds}s${c.kind === 'daemons' ? ' (own processes)' : ''}${c.nodeArgs?.length ? ` ${c.nodeArgs.join(' ')}` : ''}`;
  const sups: Supervisor[] = [];
  const windows: Array<{ label: string; results: Map<'vai' | 'monit', WindowResult> }> = [];
  let defs: ServiceDef[] = [];
  const notes: string[] = [];
  try {
    defs = farm ? await farmDefs(farm, dir, c) : await daemonDefs(dir, c);
    writeManifests(path.join(dir, 'manifests'), defs, 50);
    const v = await startVaid({ manifestsDir: path.join(dir, 'manifests'), stateDir: path.join(dir, 'state'), ...(c.nodeArgs ? { nodeArgs: c.nodeArgs } : {}) });
    sups.push(vaiSupervisor(v));
    if (c.withMonit) {
      const m = ensureMonit(log);
      if ('error' in m) notes.push(`monit side skipped: ${m.error}`);
      else sups.push(monitSupervisor(await startMonit(m.bin, path.join(dir, 'monit'), defs, 5, c.intervalSeconds)));
    }
    await waitStatus(v, (s) => Object.values(s.services).filter((x) => x.lastCheck?.health === 'healthy').length >= c.services, {
      timeoutMs: 120_000,
      what: `all ${c.services} services healthy`,
    });
    // Start-up (manifest load, first checks, listener lookups) stays out of the window.
    await sleep(5000);
    windows.push({ label: 'first minute', results: await measure(sups, c.windowMs) });
    // Right after it, the same length again: what a host that runs for months pays (the JIT
    // warmed, start-up garbage collected by V8's memory reducer).
    if (c.steady) windows.push({ label: 'steady', results: await measure(sups, c.windowMs) });
  } catch (e) {
    notes.push(`failed: ${(e as Error).message.split('\n')[0]}`);
    log(`${scenario}: ${(e as Error).message}`);
  } finally {
    for (const s of sups) await s.stop();
    farm?.stop();
    for (const d of farm ? [] : defs) {
      const pid = d.pidFile ? readPid(d.pidFile) : undefined;
      if (pid) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    }
    rmSync(dir, { recursive: true, force: true });
  }
  const key = `${c.kind}-${c.services}-${c.intervalSeconds}${c.nodeArgs?.length ? c.nodeArgs.join('') : ''}`;
  const shareTarget = c.services >= 50 ? 0.3 : 0.5;
  const out: Figure[] = [];
  if (windows.length === 0) windows.push({ label: 'first minute', results: new Map() });
  const judged = windows[windows.length - 1]!;
  for (const w of windows) {
    const name = windows.length > 1 ? `${scenario}, ${w.label}` : scenario;
    const suffix = w.label === 'steady' ? '-steady' : '';
    for (const who of ['vai', 'monit'] as const) {
      const r = w.results.get(who);
      if (!r && who === 'monit') continue;
      const vai = who === 'vai';
      const judge = vai && w === judged;
      out.push(
        figure(name, who, 'CPU of one core, process tree', '%', r ? [r.share] : [], {
          compareKey: `vps-cpu-${key}${suffix}`,
          notes: [...(r?.notes ?? []), ...notes],
          ...(judge ? { target: target('value', '<=', shareTarget, `<= ${shareTarget} %`) } : {}),
        }),
        figure(name, who, 'RSS', 'MB', r?.rss ?? [], {
          compareKey: `vps-rss-${key}${suffix}`,
          ...(judge && c.services >= 50 ? { target: target('max', '<=', 50, 'max <= 50 MB') } : {}),
        }),
      );
    }
  }
  return out;
}
