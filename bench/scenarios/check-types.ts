// CPU per check of each check type: N services of one type checked every second by a real vaid,
// its own CPU (all threads, schedstat) divided by the checks it counted in status in the same
// window. http is the reference row (a loopback server in this process); the others need no
// service: disk (statfs of the state dir), file (a small file), certificate (a TLS server with a
// self-signed certificate made by openssl), heartbeat (a beat file), system (/proc). `limits` is
// the http row with spec.limits on top: the process is the owner of the loopback listener (this
// bench process), its tree read from /proc after each passing check.
// Alone: node dist/bench/scenarios/check-types.js [SERVICES=200] [WINDOW_MS=10000] [types,...]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import http from 'node:http';
import tls from 'node:tls';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { figure, type Figure } from '../lib/figure.js';
import { readCpuPreciseMs } from '../lib/proc-stat.js';
import { readStatus, startVaid, waitStatus } from '../lib/vaid.js';

export const CHECK_TYPES_BENCHED = ['http', 'limits', 'disk', 'file', 'certificate', 'heartbeat', 'system'] as const;
type Benched = (typeof CHECK_TYPES_BENCHED)[number];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function checks(stateDir: string): number {
  const doc = readStatus(stateDir);
  return doc ? Object.values(doc.services).reduce((n, s) => n + s.counters.checks, 0) : 0;
}

export async function runCheckTypes(opts: { services: number; windowMs: number; types?: readonly Benched[] }, log: (s: string) => void): Promise<Figure[]> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'vai-bench-types-'));
  const figs: Figure[] = [];
  const httpServer = http.createServer((_q, r) => r.end('ok'));
  await new Promise<void>((r) => httpServer.listen(0, '127.0.0.1', r));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'k.pem', '-out', 'c.pem', '-days', '30', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost'], { cwd: dir, stdio: 'pipe' });
  const tlsServer = tls.createServer({ key: readFileSync(path.join(dir, 'k.pem')), cert: readFileSync(path.join(dir, 'c.pem')) }, (c) => c.end());
  tlsServer.on('tlsClientError', () => undefined);
  await new Promise<void>((r) => tlsServer.listen(0, '127.0.0.1', r));
  writeFileSync(path.join(dir, 'data.txt'), 'x'.repeat(1000));
  const httpPort = (httpServer.address() as AddressInfo).port;
  const tlsPort = (tlsServer.address() as AddressInfo).port;
  const checkFor: Record<Benched, string> = {
    http: `{ type: http, endpoint: "http://127.0.0.1:${httpPort}/health" }`,
    limits: `{ type: http, endpoint: "http://127.0.0.1:${httpPort}/health" }`,
    disk: `{ type: disk, path: "${dir}", min_free_mb: 1 }`,
    file: `{ type: file, path: "${dir}/data.txt", max_age_seconds: 86400, min_size_bytes: 1 }`,
    certificate: `{ type: certificate, endpoint: "https://localhost:${tlsPort}/", ca_file: "${dir}/c.pem" }`,
    heartbeat: `{ type: heartbeat, period_seconds: 86400 }`,
    system: `{ type: system, max_load_per_core: 1000 }`,
  };
  try {
    for (const type of opts.types ?? CHECK_TYPES_BENCHED) {
      const base = path.join(dir, type);
      const manifests = path.join(base, 'manifests');
      const stateDir = path.join(base, 'state');
      mkdirSync(manifests, { recursive: true });
      const docs: string[] = [];
      for (let i = 0; i < opts.services; i++) {
        const hc = checkFor[type].replace(/^\{ /, '{ interval_seconds: 1, timeout_seconds: 2, ');
        const limits = type === 'limits' ? '  limits: { memory_mb: 1000000, cpu_percent: 100000 }\n' : '';
        docs.push(`apiVersion: vai/v1\nkind: Service\nmetadata: { name: ${type}-${i} }\nspec:\n  health_check: ${hc}\n  restart_cmd: "true"\n${limits}`);
        if (type === 'heartbeat') {
          mkdirSync(path.join(stateDir, 'heartbeats'), { recursive: true });
          writeFileSync(path.join(stateDir, 'heartbeats', `${type}-${i}.json`), JSON.stringify({ at: new Date().toISOString(), fail: false, message: '' }));
        }
      }
      writeFileSync(path.join(manifests, 'all.yaml'), docs.join('---\n'));
      const v = await startVaid({ manifestsDir: manifests, stateDir });
      try {
        // limits: also measured, else the row would time an http check that skips the /proc read.
        await waitStatus(v, (s) => Object.values(s.services).filter((x) => x.lastCheck?.health === 'healthy' && (type !== 'limits' || x.lastCheck.usage)).length >= opts.services, {
          timeoutMs: 120_000,
          what: `all ${opts.services} ${type} services healthy${type === 'limits' ? ' with their usage measured' : ''}`,
        });
        await sleep(2000);
        const c0 = checks(stateDir);
        const t0 = readCpuPreciseMs(v.pid);
        await sleep(opts.windowMs);
        const t1 = readCpuPreciseMs(v.pid);
        const c1 = checks(stateDir);
        const per = (t1 - t0) / Math.max(1, c1 - c0);
        log(`check type ${type}: ${opts.services} services, ${c1 - c0} checks in ${opts.windowMs} ms, CPU ${(t1 - t0).toFixed(0)} ms = ${per.toFixed(3)} ms per check (load ${os.loadavg().map((l) => l.toFixed(2)).join(' ')})`);
        figs.push(figure(`check type ${type} ${opts.services}`, 'vai', 'CPU per check', 'ms', [per], { compareKey: `cpu-type-${type}-${opts.services}` }));
      } finally {
        await v.stop();
      }
    }
  } finally {
    httpServer.close();
    tlsServer.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return figs;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const services = Number(process.argv[2] ?? 200);
  const windowMs = Number(process.argv[3] ?? 10_000);
  const types = process.argv[4] ? (process.argv[4].split(',') as Benched[]) : undefined;
  await runCheckTypes({ services, windowMs, ...(types ? { types } : {}) }, (s) => process.stdout.write(`${s}\n`));
}
