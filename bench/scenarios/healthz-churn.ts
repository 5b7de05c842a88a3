// /healthz under churn (issue 16, finding 12): many services flapping together. Their tcp check
// connects to one loopback listener that the bench opens and closes every `flapMs`: while it is
// closed every service fails, is restarted (restart_cmd `true`) and verified, all at once; while
// it is open they all recover. Status writes, events and conditions follow each wave. A watchdog probes /healthz meanwhile; the figure is the time each probe takes to be
// answered, sequential GETs spaced `everyMs` apart, each given up after `probeTimeoutMs`.
import http from 'node:http';
import net from 'node:net';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { figure, target, type Figure } from '../lib/figure.js';
import { freePort } from '../lib/ports.js';
import { readCpuPreciseMs } from '../lib/proc-stat.js';
import type { ServiceDef } from '../lib/services.js';
import { readStatus, startVaid, waitStatus, writeManifests, type Vaid } from '../lib/vaid.js';

export interface HealthzChurnCase {
  services: number;
  intervalSeconds: number;
  /** The listener is open for this long, then closed for as long. */
  flapMs: number;
  /** How long the probes run once every service has been restarted at least once. */
  windowMs: number;
  everyMs: number;
  probeTimeoutMs: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One GET: its time to the end of the body in ms, or the timeout when it did not come. */
function probe(port: number, timeoutMs: number): Promise<{ ms: number; status: number; body: string }> {
  const t0 = performance.now();
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/healthz?verbose', agent: false, timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ ms: performance.now() - t0, status: res.statusCode ?? 0, body }));
    });
    const fail = () => {
      req.destroy();
      resolve({ ms: Math.max(timeoutMs, performance.now() - t0), status: 0, body: '' });
    };
    req.on('timeout', fail);
    req.on('error', fail);
  });
}

export async function runHealthzChurn(c: HealthzChurnCase, log: (s: string) => void): Promise<Figure[]> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'vai-bench-'));
  const scenario = `healthz under churn, ${c.services} tcp flapping every ${c.flapMs / 1000} s @${c.intervalSeconds} s`;
  const notes: string[] = [];
  const latency: number[] = [];
  let vaid: Vaid | undefined;
  let listener: net.Server | undefined;
  let flapper: NodeJS.Timeout | undefined;
  const stateDir = path.join(dir, 'state');
  mkdirSync(stateDir, { recursive: true });
  try {
    const flapPort = await freePort();
    const open = () =>
      new Promise<void>((resolve) => {
        listener = net.createServer((sock) => sock.destroy());
        listener.on('error', () => resolve());
        listener.listen(flapPort, '127.0.0.1', () => resolve());
      });
    const close = () =>
      new Promise<void>((resolve) => {
        const l = listener;
        listener = undefined;
        if (!l) return resolve();
        l.close(() => resolve());
      });
    let flips = 0;
    flapper = setInterval(() => void (listener ? close() : open()).then(() => flips++), c.flapMs);
    const defs: ServiceDef[] = Array.from({ length: c.services }, (_, i) => ({
      name: `svc-${i}`,
      check: { type: 'tcp', port: flapPort },
      startCmd: 'true',
      // A check that times out (vaid or the machine busy) must not kill the farm all services share.
      stopCmd: 'true',
      usePidFile: false,
      intervalSeconds: c.intervalSeconds,
      timeoutSeconds: 1,
      startupDelaySeconds: 1,
    }));
    writeManifests(path.join(dir, 'manifests'), defs, 100);
    const port = await freePort();
    vaid = await startVaid({ manifestsDir: path.join(dir, 'manifests'), stateDir, extraArgs: ['--listen', `127.0.0.1:${port}`] });
    const v = vaid;
    await waitStatus(v, (s) => Object.values(s.services).filter((x) => x.restarts.count + (x.restarts.starts ?? 0) > 0).length >= c.services, {
      timeoutMs: 300_000,
      everyMs: 1000,
      what: `all ${c.services} services restarted at least once`,
    });
    const restarts = () => Object.values(readStatus(stateDir)?.services ?? {}).reduce((n, x) => n + x.restarts.count + (x.restarts.starts ?? 0), 0);
    const r0 = restarts();
    const cpu0 = readCpuPreciseMs(v.pid);
    const flips0 = flips;
    const t0 = performance.now();
    const statuses = new Map<number, number>();
    let late = 0;
    while (performance.now() - t0 < c.windowMs) {
      const p = await probe(port, c.probeTimeoutMs);
      latency.push(p.ms);
      statuses.set(p.status, (statuses.get(p.status) ?? 0) + 1);
      if (p.ms > 1000) late++;
      await sleep(c.everyMs);
    }
    const secs = (performance.now() - t0) / 1000;
    const cpu = (100 * (readCpuPreciseMs(v.pid) - cpu0)) / (secs * 1000);
    notes.push(
      `${latency.length} probes in ${secs.toFixed(0)} s, ${late} over 1 s; answers ${[...statuses].map(([s, n]) => `${s === 0 ? 'none' : s} x${n}`).join(', ')}`,
      `${restarts() - r0} restarts in the window, ${flips - flips0} flips of the listener; vaid at ${cpu.toFixed(0)} % of one core`,
    );
  } catch (e) {
    notes.push(`failed: ${(e as Error).message.split('\n')[0]}`);
    log(`vai ${scenario}: ${(e as Error).message}`);
  } finally {
    clearInterval(flapper);
    listener?.close();
    await vaid?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  return [figure(scenario, 'vai', '/healthz answer', 'ms', latency, { target: target('max', '<', 1000, 'max < 1 s'), notes })];
}
