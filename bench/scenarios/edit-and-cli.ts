// Manifest edit -> applied, and vaictl latency, on one vaid with many services (one file per
// service). An edit changes one spec field of one file; the figure is the time until status.json
// shows that service at its new generation, observed. Then `vaictl get`, `vaictl describe` and
// `vaictl get -o wide` run as real subprocesses against the same state dir.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { figure, target, type Figure } from '../lib/figure.js';
import { startPortFarm } from '../lib/port-farm-client.js';
import type { ServiceDef } from '../lib/services.js';
import { watchStatusWrites, type WriteWatcher } from '../lib/status-writes.js';
import { readStatus, startVaid, VAICTL, waitStatus, writeManifests, type Vaid } from '../lib/vaid.js';

export interface EditCase {
  services: number;
  /** Check interval; the first checks are spread over one interval (jitter). */
  intervalSeconds: number;
  edits: number;
  cliRuns: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * When status.json first showed the edit applied: the earliest write event between the last
 * read that did not show it and the read that did (or that read's start when the event has not
 * surfaced yet), so the cost of parsing a large status file is not counted.
 */
async function waitApplied(vaid: Vaid, name: string, oldGen: number, editAt: number, writes: WriteWatcher): Promise<number> {
  const deadline = performance.now() + 60_000;
  let prevRead = editAt;
  for (;;) {
    const readAt = performance.now();
    const svc = readStatus(vaid.stateDir)?.services[name];
    if (svc && svc.generation > oldGen && svc.observedGeneration >= svc.generation) {
      const seen = writes.times().filter((t) => t > prevRead && t <= readAt);
      return seen.length ? Math.min(...seen) : readAt;
    }
    if (performance.now() > deadline) throw new Error(`${name} not applied within 60 s (generation ${svc?.generation}, observed ${svc?.observedGeneration})`);
    prevRead = readAt;
    await sleep(5);
  }
}

function timeCommand(args: string[]): Promise<{ ms: number; code: number | null; out: string }> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [VAICTL, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
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
      resolve({ ms: performance.now() - t0, code, out });
    });
  });
}

export async function runEditAndCli(c: EditCase, log: (s: string) => void): Promise<Figure[]> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'vai-bench-'));
  const farm = startPortFarm();
  const stateDir = path.join(dir, 'state');
  mkdirSync(stateDir, { recursive: true });
  const writes = watchStatusWrites(stateDir);
  const editNotes: string[] = [];
  const cliNotes: string[] = [];
  const applied: number[] = [];
  const getMs: number[] = [];
  const describeMs: number[] = [];
  const wideMs: number[] = [];
  let vaid: Vaid | undefined;
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
    const manifests = path.join(dir, 'manifests');
    const files = writeManifests(manifests, defs, 1);
    vaid = await startVaid({ manifestsDir: manifests, stateDir });
    const v = vaid;
    await waitStatus(v, (s) => Object.values(s.services).filter((x) => x.lastCheck).length >= c.services, {
      timeoutMs: 180_000,
      everyMs: 250,
      what: `all ${c.services} services observed`,
    });
    for (let i = 0; i < c.edits; i++) {
      const k = Math.floor(Math.random() * files.length);
      const file = files[k] as string;
      const name = `svc-${k}`;
      const oldGen = readStatus(v.stateDir)?.services[name]?.generation ?? 0;
      const text = readFileSync(file, 'utf8');
      const next = text.includes('timeout_seconds: 1\n') ? text.replace('timeout_seconds: 1\n', 'timeout_seconds: 2\n') : text.replace('timeout_seconds: 2\n', 'timeout_seconds: 1\n');
      const t0 = performance.now();
      writeFileSync(file, next);
      const at = await waitApplied(v, name, oldGen, t0, writes);
      applied.push(Math.max(0, at - t0));
      await sleep(100 + Math.random() * 300);
    }
    for (let i = 0; i < c.cliRuns; i++) {
      const g = await timeCommand(['get', '--state-dir', stateDir, '--manifests', manifests]);
      if (g.code !== 0) throw new Error(`vaictl get exited ${g.code}: ${g.out.slice(0, 300)}`);
      getMs.push(g.ms);
      if (i === 0) cliNotes.push(`get printed ${g.out.trimEnd().split('\n').length} lines`);
      const d = await timeCommand(['describe', `svc-${i % c.services}`, '--state-dir', stateDir, '--manifests', manifests]);
      if (d.code !== 0) throw new Error(`vaictl describe exited ${d.code}: ${d.out.slice(0, 300)}`);
      describeMs.push(d.ms);
      const w = await timeCommand(['get', '-o', 'wide', '--state-dir', stateDir, '--manifests', manifests]);
      if (w.code !== 0) throw new Error(`vaictl get -o wide exited ${w.code}: ${w.out.slice(0, 300)}`);
      wideMs.push(w.ms);
    }
    const plain = await timeCommand(['--version']);
    cliNotes.push(`vaictl --version (Node start-up floor): ${plain.ms.toFixed(0)} ms`);
  } catch (e) {
    (applied.length < c.edits ? editNotes : cliNotes).push(`failed: ${(e as Error).message.split('\n')[0]}`);
    log(`vai edit/cli ${c.services}: ${(e as Error).message}`);
  } finally {
    writes.close();
    await vaid?.stop();
    farm.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  const big = c.services >= 1000;
  return [
    figure(`edit -> applied (${c.services} svc)`, 'vai', 'time to new generation', 'ms', applied, {
      notes: editNotes,
      ...(big ? { target: target('p99', '<', 300, 'p99 < 300 ms') } : {}),
    }),
    figure(`vaictl (${c.services} svc)`, 'vai', 'get wall time', 'ms', getMs, {
      notes: cliNotes,
      ...(big ? { target: target('median', '<', 200, 'median < 200 ms') } : {}),
    }),
    figure(`vaictl (${c.services} svc)`, 'vai', 'describe wall time', 'ms', describeMs),
    figure(`vaictl (${c.services} svc)`, 'vai', 'get -o wide wall time', 'ms', wideMs),
  ];
}
