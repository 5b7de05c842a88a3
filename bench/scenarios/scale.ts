// Scale: many services at a 10 s interval, each a TCP connect to one loopback listener (the
// cheapest real check). Measures the time from vaid's start until every service has been
// observed, then over a window: CPU share of one core, RSS, status writes per second and the
// time each write takes.
import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { figure, target, type Figure } from '../lib/figure.js';
import { startPortFarm } from '../lib/port-farm-client.js';
import { readCpuPreciseMs, readMem } from '../lib/proc-stat.js';
import type { ServiceDef } from '../lib/services.js';
import { watchStatusWrites } from '../lib/status-writes.js';
import { startVaid, waitStatus, writeManifests, type Vaid } from '../lib/vaid.js';

export interface ScaleCase {
  services: number;
  slices: number;
  sliceMs: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function runScale(c: ScaleCase, log: (s: string) => void): Promise<Figure[]> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'vai-bench-'));
  const farm = startPortFarm();
  const scenario = `scale ${c.services} tcp @10 s`;
  const notes: string[] = [];
  const share: number[] = [];
  const rss: number[] = [];
  const writesPerSecond: number[] = [];
  let writeMs: number[] = [];
  const observedMs: number[] = [];
  let vaid: Vaid | undefined;
  const stateDir = path.join(dir, 'state');
  mkdirSync(stateDir, { recursive: true });
  const writes = watchStatusWrites(stateDir);
  try {
    const [port] = await farm.listen('tcp', 1);
    const defs: ServiceDef[] = Array.from({ length: c.services }, (_, i) => ({
      name: `svc-${i}`,
      check: { type: 'tcp', port: port as number },
      startCmd: 'true',
      usePidFile: false,
      intervalSeconds: 10,
      timeoutSeconds: 1,
      startupDelaySeconds: 2,
    }));
    writeManifests(path.join(dir, 'manifests'), defs, 100);
    const t0 = performance.now();
    vaid = await startVaid({ manifestsDir: path.join(dir, 'manifests'), stateDir });
    await waitStatus(vaid, (s) => Object.values(s.services).filter((x) => x.lastCheck).length >= c.services, {
      timeoutMs: 300_000,
      everyMs: 1000,
      what: `all ${c.services} services observed`,
    });
    observedMs.push(performance.now() - t0);
    let prev = { cpu: readCpuPreciseMs(vaid.pid), writes: writes.writes(), hits: (await farm.counts()).hits, at: performance.now() };
    const first = prev;
    const durationsBefore = writes.durations().length;
    for (let i = 0; i < c.slices; i++) {
      await sleep(c.sliceMs);
      const now = { cpu: readCpuPreciseMs(vaid.pid), writes: writes.writes(), hits: (await farm.counts()).hits, at: performance.now() };
      const secs = (now.at - prev.at) / 1000;
      share.push((100 * (now.cpu - prev.cpu)) / (now.at - prev.at));
      writesPerSecond.push((now.writes - prev.writes) / secs);
      rss.push(readMem(vaid.pid).rssMb);
      prev = now;
    }
    writeMs = writes.durations().slice(durationsBefore);
    const secs = (prev.at - first.at) / 1000;
    notes.push(`${prev.hits - first.hits} checks in ${secs.toFixed(1)} s (expected ${((c.services / 10) * secs).toFixed(0)})`);
    notes.push(`${prev.writes - first.writes} status writes in the window; status.json ${(statSync(path.join(stateDir, 'status.json')).size / 2 ** 20).toFixed(1)} MB`);
    notes.push(`peak RSS ${readMem(vaid.pid).hwmMb.toFixed(0)} MB`);
  } catch (e) {
    notes.push(`failed: ${(e as Error).message.split('\n')[0]}`);
    log(`vai ${scenario}: ${(e as Error).message}`);
  } finally {
    writes.close();
    await vaid?.stop();
    farm.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  const big = c.services >= 10_000;
  return [
    figure(scenario, 'vai', 'start to all observed', 'ms', observedMs, { notes }),
    figure(scenario, 'vai', 'CPU share of one core', '%', share, big ? { target: target('median', '<', 25, 'median < 25 %') } : {}),
    figure(scenario, 'vai', 'RSS', 'MB', rss, big ? { target: target('max', '<', 300, 'max < 300 MB') } : {}),
    figure(scenario, 'vai', 'status writes per second', '/s', writesPerSecond, big ? { target: target('median', '<=', 2, 'median <= 2 /s') } : {}),
    figure(scenario, 'vai', 'time per status write', 'ms', writeMs, big ? { target: target('p95', '<', 50, 'p95 < 50 ms') } : {}),
  ];
}
