// Scale: many services at a 10 s interval, each a TCP connect to one loopback listener (the
// cheapest real check). Measures the time from vaid's start until every service has been
// observed, then over a window: CPU share of one core, RSS, status writes per second and the
// time each write takes, from start to rename and the part of it that held vaid's event loop.
import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { figure, target, type Figure } from '../lib/figure.js';
import { summarize } from '../lib/stats.js';
import { scrape, writeStatsBetween } from '../lib/metrics.js';
import { startPortFarm } from '../lib/port-farm-client.js';
import { freePort } from '../lib/ports.js';
import { readCpuPreciseMs, readMem } from '../lib/proc-stat.js';
import type { ServiceDef } from '../lib/services.js';
import { watchStatusWrites } from '../lib/status-writes.js';
import { readStatus, startVaid, waitStatus, writeManifests, type Vaid } from '../lib/vaid.js';

export interface ScaleCase {
  services: number;
  /** How long to wait for every service to be observed before measuring anyway. */
  observeTimeoutMs: number;
  /** Check interval; the first checks are spread over one interval (jitter). */
  intervalSeconds: number;
  slices: number;
  sliceMs: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function runScale(c: ScaleCase, log: (s: string) => void): Promise<Figure[]> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'vai-bench-'));
  const farm = startPortFarm();
  const scenario = `scale ${c.services} tcp @${c.intervalSeconds} s`;
  const notes: string[] = [];
  const share: number[] = [];
  const rss: number[] = [];
  const writesPerSecond: number[] = [];
  const observedMs: number[] = [];
  const daemonWrite: number[] = [];
  const daemonBlocked: number[] = [];
  /** Whether vaid ran at least 90 % of the checks due: a low CPU share while falling behind is no win. */
  let keptUp = true;
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
      // A check that times out (vaid or the machine busy) must not kill the farm all services share.
      stopCmd: 'true',
      usePidFile: false,
      intervalSeconds: c.intervalSeconds,
      timeoutSeconds: 1,
      startupDelaySeconds: 2,
    }));
    writeManifests(path.join(dir, 'manifests'), defs, 100);
    const metricsPort = await freePort();
    const t0 = performance.now();
    vaid = await startVaid({ manifestsDir: path.join(dir, 'manifests'), stateDir, extraArgs: ['--listen', `127.0.0.1:${metricsPort}`] });
    try {
      await waitStatus(vaid, (s) => Object.values(s.services).filter((x) => x.lastCheck).length >= c.services, {
        timeoutMs: c.observeTimeoutMs,
        everyMs: 1000,
        what: `all ${c.services} services observed`,
      });
      observedMs.push(performance.now() - t0);
    } catch (e) {
      // Still measure what it costs while it falls behind: that is the finding.
      const s = readStatus(stateDir);
      const seen = s ? Object.values(s.services).filter((x) => x.lastCheck).length : 0;
      notes.push(`not all observed: ${seen} of ${c.services} after ${(c.observeTimeoutMs / 1000).toFixed(0)} s${s ? '' : ' (no status.json written yet)'}; ${readCpuPreciseMs(vaid.pid).toFixed(0)} ms CPU so far`);
      log(`vai ${scenario}: ${(e as Error).message.split('\n')[0]}`);
    }
    // Before the window: at 10,000 services rendering /metrics costs vaid ~1 s of CPU, which fell
    // into the first slice and made it the max (51-73 % against 19-43 % for the others).
    const m0 = await scrape(metricsPort).catch(() => undefined);
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
    const seen = writes.durations().slice(durationsBefore);
    if (seen.length) notes.push(`temp file to rename, seen by fs.watch: median ${summarize(seen).median.toFixed(1)} ms over ${seen.length} writes`);
    const m1 = await scrape(metricsPort).catch(() => undefined);
    const ws = m0 && m1 ? writeStatsBetween(m0, m1) : undefined;
    const wb = m0 && m1 ? writeStatsBetween(m0, m1, 'vai_status_write_blocking_seconds') : undefined;
    if (ws) {
      daemonWrite.push(ws.meanMs);
      notes.push(`vaid's own metric: ${ws.writes} writes, mean ${ws.meanMs.toFixed(1)} ms from start to rename (copy and fsync on the thread pool), p95 <= ${ws.p95UpperMs} ms`);
    } else notes.push('vaid /metrics gave no status write durations');
    if (wb) {
      daemonBlocked.push(wb.meanMs);
      notes.push(`of which the event loop was held: mean ${wb.meanMs.toFixed(1)} ms, p95 <= ${wb.p95UpperMs} ms`);
    }
    const secs = (prev.at - first.at) / 1000;
    const due = (c.services / c.intervalSeconds) * secs;
    notes.push(`${prev.hits - first.hits} checks in ${secs.toFixed(1)} s (expected ${due.toFixed(0)})`);
    keptUp = prev.hits - first.hits >= 0.9 * due;
    let size = 'not written';
    try {
      size = `${(statSync(path.join(stateDir, 'status.json')).size / 2 ** 20).toFixed(1)} MB`;
    } catch {
      // no status file yet: said as is
    }
    notes.push(`${prev.writes - first.writes} status writes in the window; status.json ${size}`);
    // zero writes because there is no status at all is not "at most 2 a second"
    if (size === 'not written') writesPerSecond.length = 0;
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
  const big = c.services >= 10_000 && c.intervalSeconds === 10;
  const cpu = figure(scenario, 'vai', 'CPU share of one core', '%', share, big ? { target: target('median', '<', 25, 'median < 25 %') } : {});
  if (!keptUp && cpu.met) {
    cpu.met = false;
    cpu.notes = ['vaid ran fewer than 90 % of the checks due in the window, so its CPU share does not meet the target'];
  }
  return [
    figure(scenario, 'vai', 'start to all observed', 'ms', observedMs, { notes }),
    cpu,
    figure(scenario, 'vai', 'RSS', 'MB', rss, big ? { target: target('max', '<', 300, 'max < 300 MB') } : {}),
    figure(scenario, 'vai', 'status writes per second', '/s', writesPerSecond, big ? { target: target('median', '<=', 2, 'median <= 2 /s') } : {}),
    figure(scenario, 'vai', 'status write, vaid metric mean', 'ms', daemonWrite, big ? { target: target('max', '<', 50, '< 50 ms') } : {}),
    figure(scenario, 'vai', 'status write, event loop held, mean', 'ms', daemonBlocked, big ? { target: target('max', '<', 50, '< 50 ms') } : {}),
  ];
}
