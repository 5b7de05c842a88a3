#!/usr/bin/env node
// Measures what docs/reconcile.md reports: time from kill -9 of the demo's demo-db to its
// /health answering 200 again, seen from outside by a 10 ms poller, under a real vaid.
// Run after a build:  node manifests/demo/measure-recovery.mjs [rounds=20]
// It starts its own vaid (temp state dir), stops it and the demo services at the end.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const rounds = Number(process.argv[2] ?? 20);
const stateDir = mkdtempSync(path.join(os.tmpdir(), 'vai-measure-'));
const pidFile = '/tmp/vai-demo/demo-db.pid';
const url = 'http://127.0.0.1:7301/health';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function up() {
  try {
    const r = await fetch(url, { signal: AbortSignal.timeout(500) });
    await r.arrayBuffer();
    return r.status === 200;
  } catch {
    return false;
  }
}
function status() {
  try {
    return JSON.parse(readFileSync(path.join(stateDir, 'status.json'), 'utf8'));
  } catch {
    return null;
  }
}
async function until(pred, what, ms = 60_000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await pred()) return;
    await sleep(10);
  }
  throw new Error(`timed out waiting for ${what}`);
}

const vaid = spawn(process.execPath, [path.join(root, 'dist/src/cli/vaid.js'), '--manifests', path.join(root, 'manifests'), '--state-dir', stateDir, '--log-level', 'warn'], { stdio: 'inherit' });
const samples = [];
try {
  await until(() => ['demo-db', 'demo-api', 'demo-web'].every((n) => status()?.services?.[n]?.phase === 'Healthy'), 'the demo to be healthy');
  for (let i = 0; i < rounds; i++) {
    const before = status().services['demo-db'].restarts.count;
    const pid = Number(readFileSync(pidFile, 'utf8'));
    process.kill(pid, 'SIGKILL');
    const t0 = performance.now();
    await until(async () => !(await up()) || true, 'kill');
    await until(up, 'demo-db to answer again');
    samples.push(performance.now() - t0);
    await until(() => status()?.services?.['demo-db']?.phase === 'Healthy' && status().services['demo-db'].restarts.count === before + 1, 'status Healthy');
    await until(() => status()?.services?.['demo-api']?.phase === 'Healthy', 'demo-api healthy');
  }
} finally {
  vaid.kill('SIGTERM');
  await new Promise((r) => vaid.on('exit', r));
  spawn('bash', [path.join(root, 'manifests/demo/stop-all.sh')], { stdio: 'ignore' });
  rmSync(stateDir, { recursive: true, force: true });
}
const sorted = [...samples].sort((a, b) => a - b);
const q = (p) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
const median = sorted.length % 2 ? sorted[(sorted.length - 1) / 2] : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
console.log(`kill -9 demo-db -> /health 200 again, ${samples.length} rounds, ${os.cpus().length} cores, load ${os.loadavg()[0].toFixed(1)}`);
console.log(`min ${sorted[0].toFixed(0)} ms, median ${median.toFixed(0)} ms, p95 ${q(0.95).toFixed(0)} ms, max ${sorted.at(-1).toFixed(0)} ms`);
console.log(`samples: ${samples.map((s) => s.toFixed(0)).join(' ')}`);
