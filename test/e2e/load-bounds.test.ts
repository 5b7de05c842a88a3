// Resource bounds under load, with the real vaid: 1,000 services whose HTTP checks all hang
// until their timeout (a server that accepts and never answers) must not stall the loop for a
// healthy service next to them: when that one breaks, it is noticed and recovered promptly,
// and vaid's memory stays bounded. The figures are printed for docs/reliability.md.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { testdir } from '../support/testdir.js';
import { freePort, startVaid } from '../support/vaid.js';

const HUNG = Number(process.env.VAI_LOAD_SERVICES ?? 1000);
// A stall detector, not a speed target: the canary checks every 0.2 s, so this is 75 intervals.
const STALL_MS = 15_000;

function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

test(`${HUNG} services whose checks all time out at once do not stall the loop for the others`, { timeout: 900_000 }, async (t) => {
  const dir = testdir({}, 'vai-load-');
  const sockets = new Set<net.Socket>();
  const hang = net.createServer((s) => {
    sockets.add(s);
    s.on('error', () => undefined);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => hang.listen(0, '127.0.0.1', r));
  const port = (hang.address() as net.AddressInfo).port;
  const deadNtfy = await freePort();
  t.after(async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((r) => hang.close(() => r()));
    dir.remove();
  });
  const docs: string[] = [];
  for (let i = 0; i < HUNG; i++) {
    docs.push(
      [
        'apiVersion: vai/v1',
        'kind: Service',
        `metadata: { name: hung-${i} }`,
        'spec:',
        `  health_check: { type: http, endpoint: "http://127.0.0.1:${port}/health", interval_seconds: 1, timeout_seconds: 1, failure_threshold: 100 }`,
        '  restart_cmd: "true"',
      ].join('\n'),
    );
  }
  dir.write('manifests/hung.yaml', `${docs.join('\n---\n')}\n`);
  const up = dir.join('canary.up');
  dir.write(
    'manifests/canary.yaml',
    ['apiVersion: vai/v1', 'kind: Service', 'metadata: { name: canary }', 'spec:', `  health_check: { type: custom, command: "test -f ${up}", interval_seconds: 0.2, timeout_seconds: 2 }`, `  restart_cmd: "touch ${up}"`, '  startup_delay_seconds: 2', ''].join('\n'),
  );
  writeFileSync(up, '');
  const vaid = await startVaid({ manifests: dir.join('manifests'), stateDir: dir.join('state'), env: { VAI_NTFY_URL: `http://127.0.0.1:${deadNtfy}` } });
  t.after(() => vaid.kill9());
  await vaid.waitForStatus(
    (d) => d.services.canary?.phase === 'Healthy' && Object.values(d.services).filter((s) => s.lastCheck?.reason === 'Timeout').length >= HUNG * 0.9,
    `the canary healthy and ${HUNG * 0.9} services timing out`,
    180_000,
  );
  const rssBusy = rssMb(vaid.pid);
  const broken = Date.now();
  rmSync(up);
  const recovered = await vaid.waitForService('canary', (s) => s.restarts.count >= 1 && s.phase === 'Healthy', 'the canary recovered during the storm', 120_000);
  const tookMs = Date.now() - broken;
  assert.ok(existsSync(up));
  const doc = vaid.readStatus()!;
  const timingOut = Object.values(doc.services).filter((s) => s.lastCheck?.reason === 'Timeout').length;
  const rss = rssMb(vaid.pid);
  console.log(`load bounds: ${HUNG} hung services (${timingOut} timing out), canary broken -> recovered in ${tookMs} ms, vaid RSS ${rssBusy.toFixed(0)} -> ${rss.toFixed(0)} MB, open hung sockets ${sockets.size}`);
  assert.equal(recovered.restarts.count, 1);
  assert.ok(tookMs < STALL_MS, `the canary took ${tookMs} ms to be recovered while ${timingOut} checks timed out: the loop stalls`);
  assert.ok(rss < 1024, `vaid uses ${rss.toFixed(0)} MB`);
});
