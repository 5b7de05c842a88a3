// Measures the manifest loader on generated manifests: `make build && node docs/examples/measure-manifests.mjs`.
// Prints the first load of 1,000 one-service files and of 10,000 services in 100 files, a
// cached reload, and edit -> watcher onChange latency over 21 single-field edits.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadDesiredState, watchDesiredState } from '../../dist/src/manifest/index.js';

const svc = (i) => `apiVersion: vai/v1
kind: Service
metadata:
  name: s${i}
  labels: {host: vps1}
spec:
  health_check: {type: tcp, port: ${1000 + (i % 60000)}, interval_seconds: 10}
  restart_cmd: ./start.sh ${i}
  dependencies: [${i % 10 ? `s${i - 1}` : ''}]
`;

const root = mkdtempSync(path.join(os.tmpdir(), 'vai-measure-'));
try {
  const small = path.join(root, 'm1000');
  const big = path.join(root, 'm10k');
  mkdirSync(small);
  mkdirSync(big);
  for (let i = 0; i < 1000; i++) writeFileSync(path.join(small, `s${i}.yaml`), svc(i));
  for (let f = 0; f < 100; f++) writeFileSync(path.join(big, `f${f}.yaml`), Array.from({ length: 100 }, (_, j) => svc(f * 100 + j)).join('---\n'));
  for (const dir of [small, big]) {
    const t = performance.now();
    const s = await loadDesiredState({ dir });
    console.log(`first load: ${s.services.size} services in ${path.basename(dir)}: ${Math.round(performance.now() - t)} ms`);
  }
  let resolve;
  const w = await watchDesiredState({ dir: small, onChange: (s) => resolve?.(s) });
  const t0 = performance.now();
  await w.reload();
  console.log(`reload of 1,000 unchanged files: ${Math.round(performance.now() - t0)} ms`);
  const lat = [];
  for (let i = 0; i < 21; i++) {
    const p = new Promise((r) => (resolve = r));
    const f = path.join(small, `s${i * 7}.yaml`);
    const t = performance.now();
    writeFileSync(f, readFileSync(f, 'utf8').replace(/interval_seconds: \d+/, `interval_seconds: ${20 + i}`));
    await p;
    lat.push(performance.now() - t);
  }
  await w.close();
  lat.sort((a, b) => a - b);
  console.log(`edit -> onChange over 21 edits: min ${Math.round(lat[0])} ms, p50 ${Math.round(lat[10])} ms, max ${Math.round(lat[20])} ms`);
  console.log(`load average: ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}; cpus: ${os.cpus().length}`);
} finally {
  rmSync(root, { recursive: true, force: true });
}
