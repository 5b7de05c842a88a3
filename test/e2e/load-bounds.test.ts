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
import type { StatusDocument } from '../../src/status/schema.js';
import { startsAndRestarts } from '../support/restart-count.js';

const HUNG = Number(process.env.VAI_LOAD_SERVICES ?? 1000);
// A stall detector, not a speed target, counted in rounds of the hung services' own checks
// (each takes interval 1 s + timeout 1 s) rather than in seconds: on a loaded machine both the
// canary and the hung checks slow down together, and only a loop that serves the hung checks
// while starving the canary lets many rounds pass before the canary is recovered. Nominally
// the canary is back within 2 rounds (3 failed checks at 0.2 s, restart, 2 s startup delay).
const STALL_ROUNDS = 10;

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
  const hungChecks = (d: StatusDocument): number => Object.values(d.services).reduce((n, s) => (s.name === 'canary' ? n : n + s.counters.checks), 0);
  const checksBefore = hungChecks(vaid.readStatus()!);
  const broken = Date.now();
  rmSync(up);
  // A start of the canary from before the break (its check can time out in the storm too) must
  // not count: wait for one begun after the marker file went.
  const startedSinceBreak = (s: { restarts: { lastAt: string | null; firstStartAt?: string | null } }) =>
    Math.max(Date.parse(s.restarts.lastAt ?? '') || 0, Date.parse(s.restarts.firstStartAt ?? '') || 0) >= broken - 1000;
  const recovered = await vaid.waitForService('canary', (s) => startsAndRestarts(s) >= 1 && startedSinceBreak(s) && s.phase === 'Healthy', 'the canary recovered during the storm', 120_000);
  const tookMs = Date.now() - broken;
  assert.ok(existsSync(up));
  const doc = vaid.readStatus()!;
  const timingOut = Object.values(doc.services).filter((s) => s.lastCheck?.reason === 'Timeout').length;
  const rss = rssMb(vaid.pid);
  const rounds = (hungChecks(doc) - checksBefore) / HUNG;
  console.log(`load bounds: ${HUNG} hung services (${timingOut} timing out), canary broken -> recovered in ${tookMs} ms (${rounds.toFixed(1)} rounds of the hung checks), vaid RSS ${rssBusy.toFixed(0)} -> ${rss.toFixed(0)} MB, open hung sockets ${sockets.size}`);
  assert.equal(startsAndRestarts(recovered), 1);
  assert.ok(rounds > 0, 'the hung services were checked while the canary was down');
  assert.ok(rounds <= STALL_ROUNDS, `the canary took ${rounds.toFixed(1)} rounds of the hung checks (${tookMs} ms) to be recovered: the loop starves it`);
  assert.ok(rss < 1024, `vaid uses ${rss.toFixed(0)} MB`);
});
