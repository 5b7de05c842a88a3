// The web endpoint of a real vaid supervising a real HTTP service: /metrics agrees with
// /api/status, and when the service is killed the event stream and the status page (headless
// Chromium) show it go Healthy -> Recovering -> Healthy, without a reload.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { fetchStatus, watchStatus } from '../../src/web/client.js';
import type { StatusDocument } from '../../src/status/schema.js';
import { testdir, type TestDir } from '../support/testdir.js';
import { freePort } from '../support/vaid.js';
import { waitFor } from '../support/wait.js';
import { HTTP_SERVICE, startGroup, type Started } from '../support/services/processes.js';
import { chromiumMissing, launchChromium } from './web-browser.js';
import { killGroupOf, startVaid, vaidMissing, type RunningVaid } from './web-daemon.js';
import { parsePrometheus } from './web-prometheus.js';

const ARTIFACTS = 'test-artifacts';
const skip = vaidMissing();
let dir: TestDir;
let vaid: RunningVaid;
let service: Started | undefined;
let url: string;
let port: number;
let pidFile: string;


const healthy = async () => {
  try {
    return (await fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(2000) })).ok;
  } catch {
    return false;
  }
};

before(async () => {
  if (skip) return;
  dir = testdir({}, 'vai-web-vaid-');
  port = await freePort();
  pidFile = dir.join('web-demo.pid');
  const start = `${JSON.stringify(process.execPath)} ${JSON.stringify(HTTP_SERVICE)} --port ${port} --pid-file ${JSON.stringify(pidFile)}`;
  // The restart waits 1.5 s before the service listens again, so Recovering lasts long enough
  // to be written to status and seen by a person (and by this test).
  dir.write('manifests/web-demo.yaml', [
    'apiVersion: vai/v1',
    'kind: Service',
    'metadata: { name: web-demo, labels: { host: vps1 } }',
    'spec:',
    // Generous timeout and two failures before acting: on a loaded CI machine a slow answer must
    // not look like a crash, or the restart counts this test checks would be off.
    `  health_check: { type: http, endpoint: "http://127.0.0.1:${port}/health", interval_seconds: 0.5, timeout_seconds: 5, failure_threshold: 2 }`,
    `  restart_cmd: ${JSON.stringify(`(sleep 1.5; exec ${start}) > ${dir.join('web-demo.log')} 2>&1 &`)}`,
    '  startup_delay_seconds: 20',
    '',
  ].join('\n'));
  service = startGroup('bash', ['-c', `exec ${start}`]);
  await waitFor(healthy, { what: 'web-demo listening' });
  vaid = startVaid(['--manifests', dir.join('manifests'), '--state-dir', dir.join('state'), '--listen', '127.0.0.1:0'], { stateDir: dir.join('state') });
  url = await vaid.url();
  await waitFor(async () => (await fetchStatus(url)).services['web-demo']?.phase === 'Healthy', { what: 'web-demo Healthy in vaid', timeoutMs: 60_000 });
});

after(async () => {
  if (skip) return;
  await vaid?.stop();
  await service?.kill();
  if (existsSync(pidFile)) killGroupOf(Number(readFileSync(pidFile, 'utf8')));
  dir.remove();
});

test('/metrics of a running vaid agrees with its /api/status', { skip }, async () => {
  const a = await fetchStatus(url);
  const m = parsePrometheus(await (await fetch(`${url}/metrics`)).text());
  const b = await fetchStatus(url);
  const [sa, sb] = [a.services['web-demo']!, b.services['web-demo']!];
  const service = 'web-demo';
  assert.equal(sa.phase, 'Healthy');
  assert.equal(sb.phase, 'Healthy');
  assert.equal(m.value('vai_service_phase', { service, phase: 'Healthy' }), 1);
  assert.equal(m.value('vai_service_up', { service }), 1);
  const between = (name: string, lo: number, hi: number) => {
    const v = m.value(name, { service });
    assert.ok(v >= lo && v <= hi, `${name} ${v} not within [${lo}, ${hi}]`);
  };
  between('vai_service_checks_total', sa.counters.checks, sb.counters.checks);
  between('vai_service_checks_failed_total', sa.counters.failedChecks, sb.counters.failedChecks);
  between('vai_service_restarts_total', sa.restarts.count, sb.restarts.count);
  assert.ok(sb.counters.checks >= 1);
  const sampled = m.value('vai_service_check_latency_seconds_count', { service });
  assert.ok(sampled >= 1 && sampled <= sb.counters.checks, `latency histogram sampled ${sampled} of ${sb.counters.checks} checks`);
  assert.equal(m.value('vai_manifest_generation'), b.manifests.generation);
  assert.equal(m.value('vai_manifest_errors'), 0);
  assert.ok(m.value('vai_status_writes_total') >= 1, 'daemon metrics are served');
  assert.equal(m.types.get('vai_reconcile_duration_seconds'), 'histogram');
  assert.ok(m.find('vai_queue_depth').length === 1);
  assert.ok(m.value('process_resident_memory_bytes') > 0);
});

test('after a kill -9 the event stream and the page show Healthy -> Recovering -> Healthy', { skip }, async (t) => {
  const before = (await fetchStatus(url)).services['web-demo']!.restarts.count;
  const browserSkip = chromiumMissing();
  const browser = browserSkip ? undefined : await launchChromium();
  const ac = new AbortController();
  try {
    const page = await browser?.context.newPage();
    if (page) {
      mkdirSync(ARTIFACTS, { recursive: true });
      await page.goto(url);
      await page.locator('tr[data-service="web-demo"] [data-phase="Healthy"]').waitFor({ timeout: 60_000 });
      // Record every phase the row shows, polled in the page (bounded by the page's life).
      await page.evaluate(`window.__phases = []; setInterval(() => {
        const p = document.querySelector('tr[data-service="web-demo"] [data-phase]')?.getAttribute('data-phase');
        if (p && window.__phases[window.__phases.length - 1] !== p) window.__phases.push(p);
      }, 25)`);
    } else {
      t.diagnostic(`page part skipped: ${browserSkip}`);
    }
    const streamed: { phase: string; delayMs: number }[] = [];
    let connected = false;
    const watching = watchStatus(url, undefined, (doc: StatusDocument) => {
      connected = true;
      const s = doc.services['web-demo'];
      if (s && streamed[streamed.length - 1]?.phase !== s.phase) streamed.push({ phase: s.phase, delayMs: Date.now() - Date.parse(doc.writtenAt) });
    }, ac.signal);
    await waitFor(() => connected, { what: 'event stream connected' });

    service!.child.unref();
    await service!.kill();
    service = undefined;

    const recovering = await waitFor(() => streamed.find((e) => e.phase === 'Recovering'), { what: 'Recovering on the event stream', timeoutMs: 60_000 });
    if (page) {
      await page.locator('tr[data-service="web-demo"] [data-phase="Recovering"]').waitFor({ timeout: 30_000 });
      await page.screenshot({ path: `${ARTIFACTS}/web-vaid-recovering.png`, fullPage: true });
    }
    await waitFor(() => streamed.findLast((e) => e.phase === 'Healthy' && streamed.indexOf(e) > streamed.indexOf(recovering)), { what: 'Healthy again on the event stream', timeoutMs: 60_000 });
    assert.ok(await healthy(), 'the service answers again');
    // The stream pushes a status write as it happens (typically a few ms); how fast is the bench's
    // to say (bench/scenarios), not a test's on a shared machine: reported, not asserted.
    t.diagnostic(`Recovering reached the event stream client ${recovering.delayMs} ms after vaid wrote it`);

    if (page) {
      // Polled from the test side: waitForFunction with a string eval()s it in the page once its
      // first look fails, which the page's CSP refuses (history-page.test.ts hit it).
      const phases = await waitFor(
        async () => {
          const p = await page!.evaluate<string[]>('window.__phases');
          const r = p.indexOf('Recovering');
          return r > 0 && p.indexOf('Healthy', r) > r ? p : undefined;
        },
        { what: 'the page to show Recovering, then Healthy', timeoutMs: 60_000 },
      );
      assert.equal(phases[0], 'Healthy', `page phases: ${phases.join(' -> ')}`);
      const restarts = Number((await page.locator('tr[data-service="web-demo"] td[data-restarts]').getAttribute('data-restarts')) ?? 0);
      assert.equal(restarts, before + 1, 'the page shows the one restart');
      await page.screenshot({ path: `${ARTIFACTS}/web-vaid-recovered.png`, fullPage: true });
      await page.locator('tr[data-service="web-demo"]').click();
      await page.locator('#detail #events').waitFor();
      assert.match((await page.locator('#events').textContent()) ?? '', /Recover/);
      await page.screenshot({ path: `${ARTIFACTS}/web-vaid-detail.png`, fullPage: true });
    }
    const after = (await fetchStatus(url)).services['web-demo']!;
    assert.equal(after.restarts.count, before + 1);
    ac.abort();
    await watching;
  } finally {
    ac.abort();
    await browser?.close();
  }
});

test('vaid refuses to listen beyond loopback without a token, and serves with one', { skip }, async () => {
  // A manifest dir of its own: these vaid must not reconcile web-demo next to the main one.
  const none = dir.join('no-manifests');
  mkdirSync(none, { recursive: true });
  const refused = startVaid(['--manifests', none, '--state-dir', dir.join('state-open'), '--listen', '0.0.0.0:0'], { stateDir: dir.join('state-open') });
  await waitFor(() => refused.child.exitCode !== null, { what: 'vaid to exit', timeoutMs: 60_000 });
  assert.equal(refused.child.exitCode, 1);
  assert.match(refused.log(), /refusing to serve on 0\.0\.0\.0:0 without a token.*\[VAI_E_WEB_INSECURE\]/);

  const token = 'vaid-token-0123456789abcdef';
  dir.write('web-token', `${token}\n`);
  const guarded = startVaid(['--manifests', none, '--state-dir', dir.join('state-token'), '--listen', '0.0.0.0:0', '--web-token-file', dir.join('web-token')], { stateDir: dir.join('state-token') });
  try {
    const open = (await guarded.url()).replace('0.0.0.0', '127.0.0.1');
    assert.equal((await fetch(`${open}/api/status`)).status, 401);
    assert.equal((await fetch(`${open}/metrics`, { headers: { Authorization: 'Bearer wrong-token-0123456789' } })).status, 401);
    assert.equal((await fetchStatus(open, token)).apiVersion, 'vai/v1');
    assert.ok(!guarded.log().includes(token), 'the token is never logged');
  } finally {
    await guarded.stop();
  }
});
