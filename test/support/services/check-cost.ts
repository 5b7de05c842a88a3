// Measures the CPU that vai's process spends per health check of each type, against real
// services on 127.0.0.1 (and, with --docker-host, inside a container of a real engine).
// usage: node --import tsx test/support/services/check-cost.ts [--n 2000] [--docker-host unix:///…]
// Prints one JSON line per check type; docs/executors.md quotes the figures.
import http from 'node:http';
import { readFileSync, readdirSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { LocalExecutor } from '../../../src/executor/local-executor.js';
import { DockerExecutor } from '../../../src/executor/docker-executor.js';
import type { Executor, ServiceTarget } from '../../../src/executor/types.js';
import type { HealthCheck } from '../../../src/manifest/schema.js';
import { healthCheck, serviceSpec } from '../service-spec.js';
import { testdir } from '../testdir.js';
import { startGroup, startHttpService } from './processes.js';
import Docker from 'dockerode';
import { runContainer, testEngine, type TestEngine } from '../docker.js';

const args = process.argv.slice(2);
const arg = (k: string) => (args.indexOf(k) >= 0 ? args[args.indexOf(k) + 1] : undefined);
const N = Number(arg('--n') ?? 2000);
const dir = testdir();

function t(h: Partial<HealthCheck> & Pick<HealthCheck, 'type'>, container?: string): ServiceTarget {
  return {
    name: 'bench', workingDir: dir.path, defaultLogPath: dir.join('bench.log'),
    spec: serviceSpec({ container, health_check: healthCheck(h) }),
  };
}

/** utime+stime of a process in ms, children reaped by it included when `children`. */
function procCpuMs(pid: number | 'self', children = false): number {
  const s = readFileSync(`/proc/${pid}/stat`, 'latin1');
  const f = s.slice(s.lastIndexOf(')') + 2).split(' ').map(Number);
  const ticks = f[11]! + f[12]! + (children ? f[13]! + f[14]! : 0);
  return (ticks * 1000) / 100;
}

interface Row {
  check: string;
  n: number;
  cpuMsPerCheck: number;
  childCpuMsPerCheck: number;
  engineCpuMsPerCheck?: number;
  wallMsPerCheck: number;
}

async function measure(name: string, n: number, width: number, once: () => Promise<unknown>, extraPid?: number): Promise<Row> {
  for (let i = 0; i < Math.min(50, n); i++) await once();
  const extra0 = extraPid ? procCpuMs(extraPid) : 0;
  const kids0 = procCpuMs('self', true) - procCpuMs('self');
  const cpu0 = process.cpuUsage();
  const wall0 = performance.now();
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (next++ < n) await once();
  }));
  const cpu = process.cpuUsage(cpu0);
  const wall = performance.now() - wall0;
  const kids = procCpuMs('self', true) - procCpuMs('self') - kids0;
  return {
    check: name,
    n,
    cpuMsPerCheck: +((cpu.user + cpu.system) / 1000 / n).toFixed(4),
    childCpuMsPerCheck: +(kids / n).toFixed(3),
    ...(extraPid ? { engineCpuMsPerCheck: +((procCpuMs(extraPid) - extra0) / n).toFixed(3) } : {}),
    wallMsPerCheck: +(wall / n).toFixed(3),
  };
}

// Other load on a shared machine only ever adds CPU time: of interleaved rounds, the cheapest
// round is the closest to the true cost.
async function cheapest(rounds: number, runs: Array<() => Promise<Row>>): Promise<void> {
  const best: Row[] = [];
  for (let r = 0; r < rounds; r++) {
    for (const [i, run] of runs.entries()) {
      const row = await run();
      if (!best[i] || row.cpuMsPerCheck < best[i]!.cpuMsPerCheck) best[i] = row;
    }
  }
  for (const row of best) console.log(JSON.stringify({ ...row, rounds }));
}

const svc = await startHttpService(dir.path);
const ex: Executor = new LocalExecutor();
try {
  const agent = new http.Agent({ keepAlive: false });
  const nproc = readdirSync('/proc').filter((e) => /^\d+$/.test(e)).length;
  const m = `vai-cost-${process.pid}`;
  const p = startGroup('bash', ['-c', `exec -a ${m} sleep 1000`]);
  await cheapest(3, [
    () => measure('http (vai, raw socket)', N, 10, () => ex.check(t({ type: 'http', endpoint: svc.url() }))),
    () => measure('http (vai, body_contains)', N, 10, () => ex.check(t({ type: 'http', endpoint: svc.url(), body_contains: 'ok' }))),
    () => measure('http (node http.get, for comparison)', N, 10, () => new Promise<void>((resolve) => {
      http.get(svc.url(), { agent }, (res) => res.resume().on('end', () => resolve())).on('error', () => resolve());
    })),
    () => measure('tcp', N, 10, () => ex.check(t({ type: 'tcp', host: '127.0.0.1', port: svc.port }))),
    () => measure(`process (${nproc} processes in /proc)`, Math.min(N, 1000), 1, () => ex.check(t({ type: 'process', process_name: `^${m}` }))),
  ]);
  await p.kill();
  await cheapest(1, [() => measure('custom (bash -c true)', Math.min(N, 300), 4, () => ex.check(t({ type: 'custom', command: 'true' })))]);
} finally {
  await svc.kill();
}

const dockerHost = arg('--docker-host');
if (dockerHost || args.includes('--docker')) {
  const got = dockerHost ? null : await testEngine();
  const host = dockerHost ?? (got && 'engine' in got ? got.engine.host : undefined);
  if (!host) {
    console.log(JSON.stringify({ check: 'docker', skipped: got && 'skip' in got ? got.skip : 'no engine' }));
  } else {
    const engine: TestEngine =
      got && 'engine' in got
        ? got.engine
        : { host, image: process.env.VAI_TEST_DOCKER_IMAGE ?? 'vai-test-busybox:latest', docker: new Docker({ socketPath: host.replace('unix://', '') }), stop: async () => {} };
    const name = `vai-cost-${process.pid}`;
    const c = await runContainer(engine, name, 'mkdir -p /www; echo ok > /www/index.html; exec httpd -f -p 8080 -h /www');
    const dockerd = Number(readFileSync(`${host.replace('unix://', '').replace(/docker\.sock$/, 'dockerd.pid')}`, 'utf8'));
    const dex = new DockerExecutor(host);
    const n = Math.min(N, 100);
    try {
      await cheapest(1, [
        () => measure('docker exec http', n, 1, () => dex.check(t({ type: 'http', endpoint: 'http://127.0.0.1:8080/index.html' }, name)), dockerd),
        () => measure('docker exec tcp', n, 1, () => dex.check(t({ type: 'tcp', port: 8080 }, name)), dockerd),
        () => measure('docker (container state)', n * 5, 1, () => dex.check(t({ type: 'docker' }, name)), dockerd),
      ]);
      await dex.close();
    } finally {
      await c.remove({ force: true });
      await engine.stop();
    }
  }
}
dir.remove();
