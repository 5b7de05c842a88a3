// Measures what /healthz costs a real vaid (not a test; numbers for docs/operations.md):
//   npx tsc -p tsconfig.build.json && npx tsx test/e2e/web-healthz-measure.ts [SERVICES] [REQUESTS]
// vaid supervises SERVICES tcp services (one loopback listener; interval 1 h, so that once all
// are checked vaid is idle and the CPU it spends is the requests'). Its CPU time is
// read from /proc/PID/stat around REQUESTS sequential GETs of /healthz?verbose, and around as
// many GETs of a path that is 404, which pay the same HTTP cost without the checks.
import { readFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import { testdir } from '../support/testdir.js';
import { waitFor } from '../support/wait.js';
import { startVaid } from './web-daemon.js';

const n = Number(process.argv[2] ?? 1000);
const requests = Number(process.argv[3] ?? 500);
const dir = testdir({}, 'vai-healthz-measure-');
const listener = net.createServer((s) => s.destroy());
await new Promise<void>((r) => listener.listen(0, '127.0.0.1', r));
const port = (listener.address() as net.AddressInfo).port;
for (let i = 0; i < n; i += 100) {
  const docs = [];
  for (let j = i; j < Math.min(n, i + 100); j++) {
    docs.push(`apiVersion: vai/v1\nkind: Service\nmetadata: { name: svc-${j} }\nspec:\n  health_check: { type: tcp, host: 127.0.0.1, port: ${port}, interval_seconds: 3600 }\n  restart_cmd: "true"\n`);
  }
  dir.write(`manifests/group-${i}.yaml`, docs.join('---\n'));
}
const vaid = startVaid(['--manifests', dir.join('manifests'), '--state-dir', dir.join('state'), '--listen', '127.0.0.1:0'], { stateDir: dir.join('state') });
try {
  const url = await vaid.url();
  await waitFor(() => {
    const s = vaid.status();
    return s && Object.keys(s.services).length === n && Object.values(s.services).every((x) => x.lastCheck !== null);
  }, { what: `all ${n} services checked`, timeoutMs: 300_000, intervalMs: 500 });
  const cpuMs = () => {
    const st = readFileSync(`/proc/${vaid.pid}/stat`, 'latin1');
    const f = st.slice(st.lastIndexOf(')') + 2).split(' ').map(Number);
    return ((f[11]! + f[12]!) * 1000) / 100;
  };
  const run = async (path: string) => {
    const c0 = cpuMs();
    const t0 = performance.now();
    let last = '';
    for (let i = 0; i < requests; i++) last = await (await fetch(`${url}${path}`)).text();
    return { cpuMs: cpuMs() - c0, wallMs: performance.now() - t0, last };
  };
  const health = await run('/healthz?verbose');
  const notFound = await run('/not-a-route');
  process.stdout.write(`${JSON.stringify({
    services: n,
    requests,
    healthzCpuMsPerRequest: Number((health.cpuMs / requests).toFixed(3)),
    notFoundCpuMsPerRequest: Number((notFound.cpuMs / requests).toFixed(3)),
    healthzWallMsPerRequest: Number((health.wallMs / requests).toFixed(2)),
    answer: health.last.trim().split('\n'),
    load: os.loadavg().map((l) => Number(l.toFixed(1))),
  })}\n`);
} finally {
  await vaid.stop();
  await new Promise((r) => listener.close(r));
  dir.remove();
}
