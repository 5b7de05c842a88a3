// Cost per check: N healthy loopback services (HTTP or TCP) checked every second; the
// supervisor's own CPU (all threads, from /proc) divided by the checks that reached the
// services in the same time slice, and its RSS. The services are listeners in one port-farm
// process, which counts every request it answers.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { figure, target, type Figure } from '../lib/figure.js';
import { ensureMonit, startMonit } from '../lib/monit.js';
import { startPortFarm } from '../lib/port-farm-client.js';
import { readCpu, readCpuPreciseMs, readMem } from '../lib/proc-stat.js';
import type { ServiceDef } from '../lib/services.js';
import type { Supervisor } from '../lib/supervisor.js';
import { monitSupervisor, vaiSupervisor } from '../lib/supervisors.js';
import { startVaid, waitStatus, writeManifests } from '../lib/vaid.js';

export interface CostCase {
  subject: 'vai' | 'monit';
  kind: 'http' | 'tcp';
  services: number;
  /** http with health_check.keep_alive: true (vai only). */
  keepAlive?: boolean;
  slices: number;
  sliceMs: number;
  /** Both subjects run this long after every service was checked once before the first slice; default 1,500 ms. */
  warmupMs?: number;
  /** More vaid flags (the history scenario runs with and without --history-days 0), and a word for the scenario name. */
  extraArgs?: string[];
  label?: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function runCost(c: CostCase, log: (s: string) => void): Promise<Figure[]> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'vai-bench-'));
  const farm = startPortFarm();
  const keepAlive = c.kind === 'http' && c.keepAlive === true;
  const scenario = `cost ${c.services} ${c.kind}${keepAlive ? ' keep-alive' : ''}${c.label ? ` ${c.label}` : ''}`;
  const notes: string[] = [];
  const perCheck: number[] = [];
  const share: number[] = [];
  const rss: number[] = [];
  let sup: Supervisor | undefined;
  try {
    const ports = await farm.listen(c.kind, c.services);
    const farmPidFile = path.join(dir, 'farm.pid');
    writeFileSync(farmPidFile, String(farm.pid));
    const defs: ServiceDef[] = ports.map((port, i) => ({
      name: `svc-${i}`,
      check: c.kind === 'http' ? { type: 'http', port, keepAlive } : { type: 'tcp', port },
      pidFile: farmPidFile,
      startCmd: 'true',
      // A check that times out (vaid or the machine busy) must not kill the farm all services share.
      stopCmd: 'true',
      usePidFile: false,
      intervalSeconds: 1,
      timeoutSeconds: 1,
      startupDelaySeconds: 2,
    }));
    if (c.subject === 'vai') {
      writeManifests(path.join(dir, 'manifests'), defs, 50);
      const v = await startVaid({ manifestsDir: path.join(dir, 'manifests'), stateDir: path.join(dir, 'state'), ...(c.extraArgs ? { extraArgs: c.extraArgs } : {}) });
      sup = vaiSupervisor(v);
      await waitStatus(v, (s) => Object.values(s.services).filter((x) => x.lastCheck).length >= c.services, {
        timeoutMs: 120_000,
        what: `all ${c.services} services checked once`,
      });
    } else {
      const m = ensureMonit(log);
      if ('error' in m) throw new Error(m.error);
      sup = monitSupervisor(await startMonit(m.bin, path.join(dir, 'monit'), defs, 2));
    }
    const deadline = performance.now() + 120_000;
    while ((await farm.counts()).portsHit < c.services) {
      if (performance.now() > deadline) throw new Error(`not every service was checked within 120 s`);
      await sleep(100);
    }
    // Start-up work (parsing, first connections, the JIT warming, start-up garbage collected)
    // out of the window: vaid's first ~20 s cost more per check than its steady state.
    const warmupMs = c.warmupMs ?? 1500;
    await sleep(warmupMs);
    notes.push(`window from ${(warmupMs / 1000).toFixed(1)} s after every service was checked`);
    const checks0 = await sup.checksReported();
    const tick0 = readCpu(sup.pid);
    let prev = { cpu: readCpuPreciseMs(sup.pid), hits: (await farm.counts()).hits, at: performance.now() };
    const first = prev;
    for (let i = 0; i < c.slices; i++) {
      await sleep(c.sliceMs);
      const now = { cpu: readCpuPreciseMs(sup.pid), hits: (await farm.counts()).hits, at: performance.now() };
      const checks = now.hits - prev.hits;
      if (checks > 0) perCheck.push((now.cpu - prev.cpu) / checks);
      share.push((100 * (now.cpu - prev.cpu)) / (now.at - prev.at));
      rss.push(readMem(sup.pid).rssMb);
      prev = now;
    }
    const tick1 = readCpu(sup.pid);
    const checks1 = await sup.checksReported();
    const hits = prev.hits - first.hits;
    const seconds = (prev.at - first.at) / 1000;
    notes.push(`${hits} checks in ${seconds.toFixed(1)} s (${(hits / seconds / c.services).toFixed(2)} per service per s)`);
    notes.push(`utime+stime ${(tick1.selfMs - tick0.selfMs).toFixed(0)} ms vs schedstat ${(prev.cpu - first.cpu).toFixed(0)} ms`);
    if (checks0 !== undefined && checks1 !== undefined) notes.push(`status counters: ${checks1 - checks0} checks (port farm: ${hits})`);
  } catch (e) {
    notes.push(`failed: ${(e as Error).message.split('\n')[0]}`);
    log(`${c.subject} ${scenario}: ${(e as Error).message}`);
  } finally {
    await sup?.stop();
    farm.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  const key = `${c.kind}${keepAlive ? '-keepalive' : ''}-${c.services}${c.label ? `-${c.label.replace(/\W+/g, '-')}` : ''}`;
  return [
    figure(scenario, c.subject, 'CPU per check', 'ms', perCheck, {
      compareKey: `cpu-${key}`,
      notes,
      ...(c.subject === 'vai' && c.kind === 'http' ? { target: target('median', '<=', 0.1, 'median <= 0.1 ms') } : {}),
    }),
    figure(scenario, c.subject, 'CPU share of one core', '%', share, { compareKey: `share-${key}` }),
    figure(scenario, c.subject, 'RSS', 'MB', rss, { compareKey: `rss-${key}` }),
  ];
}
