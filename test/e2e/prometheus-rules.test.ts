// deploy/prometheus/vai-rules.yml for real (issue 21): promtool checks it and runs its unit
// tests, and Debian's Prometheus, started on loopback, scrapes a real vaid and fires
// VaiServiceCrashLoopBackOff for a service whose recoveries keep failing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { testdir } from '../support/testdir.js';
import { freePort, ROOT, startVaid } from '../support/vaid.js';
import { waitFor } from '../support/wait.js';

const RULES = path.join(ROOT, 'deploy/prometheus/vai-rules.yml');
const has = (tool: string) => spawnSync(tool, ['--version']).status === 0;
const CI = process.env.CI === 'true';
const skipNo = (tool: string) => (!has(tool) && !CI ? `${tool} is not installed (apt-get install prometheus)` : false);

test('promtool check rules accepts vai-rules.yml', { skip: skipNo('promtool') }, () => {
  const r = spawnSync('promtool', ['check', 'rules', RULES], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /SUCCESS: \d+ rules found/);
});

test('promtool test rules: every alert fires on its series and stays quiet otherwise', { skip: skipNo('promtool') }, () => {
  const r = spawnSync('promtool', ['test', 'rules', path.join(ROOT, 'deploy/prometheus/vai-rules.test.yml')], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /SUCCESS/);
  // Each alert of the file is exercised by the unit tests.
  const rules = [...readFileSync(RULES, 'utf8').matchAll(/- alert: (\w+)/g)].map((m) => m[1]!);
  assert.ok(rules.length >= 6);
  const tests = readFileSync(path.join(ROOT, 'deploy/prometheus/vai-rules.test.yml'), 'utf8');
  for (const a of rules) assert.match(tests, new RegExp(`alertname: ${a}\\n`), `${a} has no promtool test`);
});

test('a real Prometheus scraping a real vaid fires VaiServiceCrashLoopBackOff for a crash-looping service', { skip: skipNo('prometheus') }, async () => {
  const dir = testdir({}, 'vai-prom-');
  const vaidPort = await freePort();
  const promPort = await freePort();
  const deadPort = await freePort();
  dir.write(
    'manifests/minio.yaml',
    [
      'apiVersion: vai/v1',
      'kind: Service',
      'metadata: { name: minio }',
      'spec:',
      `  health_check: { type: http, endpoint: "http://127.0.0.1:${deadPort}/health", interval_seconds: 0.2, timeout_seconds: 1 }`,
      '  restart_cmd: "true"',
      '  startup_delay_seconds: 0.3',
      '  max_failures: 2',
      '  failure_window_seconds: 300',
      '',
    ].join('\n'),
  );
  dir.write(
    'prometheus.yml',
    [
      'global: { scrape_interval: 1s, evaluation_interval: 1s }',
      `rule_files: ["${RULES}"]`,
      'scrape_configs:',
      '  - job_name: vai',
      `    static_configs: [{ targets: ["127.0.0.1:${vaidPort}"] }]`,
      '',
    ].join('\n'),
  );
  const vaid = await startVaid({ manifests: dir.join('manifests'), stateDir: dir.join('state'), args: ['--listen', `127.0.0.1:${vaidPort}`] });
  const prom = spawn('prometheus', [`--config.file=${dir.join('prometheus.yml')}`, `--storage.tsdb.path=${dir.join('tsdb')}`, `--web.listen-address=127.0.0.1:${promPort}`], { stdio: ['ignore', 'ignore', 'pipe'], detached: true });
  let promLog = '';
  prom.stderr!.on('data', (d: Buffer) => (promLog = (promLog + d.toString()).slice(-4000)));
  const promExited = new Promise((r) => prom.once('exit', r));
  try {
    await vaid.waitForService('minio', (s) => s.phase === 'CrashLoopBackOff', 'minio in CrashLoopBackOff', 90_000);
    const alert = await waitFor(
      async () => {
        const res = await fetch(`http://127.0.0.1:${promPort}/api/v1/alerts`).catch(() => null);
        if (!res?.ok) return null;
        const body = (await res.json()) as { data: { alerts: Array<{ labels: Record<string, string>; state: string; annotations: Record<string, string> }> } };
        return body.data.alerts.find((a) => a.labels.alertname === 'VaiServiceCrashLoopBackOff' && a.state === 'firing');
      },
      { timeoutMs: 120_000, intervalMs: 500, what: `VaiServiceCrashLoopBackOff firing (prometheus log: ${promLog})` },
    );
    assert.equal(alert.labels.service, 'minio');
    assert.equal(alert.labels.instance, `127.0.0.1:${vaidPort}`);
    assert.equal(alert.annotations.summary, `minio on 127.0.0.1:${vaidPort} is in CrashLoopBackOff`);
    // The recording rules evaluate against the real series too: their group runs on its own
    // interval, so the first evaluation may come after the alert's (a clean CI run saw none yet).
    const ratio = await waitFor(
      async () => {
        const q = (await (await fetch(`http://127.0.0.1:${promPort}/api/v1/query?query=${encodeURIComponent('vai:host_services_up:ratio')}`)).json()) as { data: { result: Array<{ value: [number, string] }> } };
        return q.data.result[0]?.value[1];
      },
      { timeoutMs: 120_000, intervalMs: 500, what: 'vai:host_services_up:ratio recorded' },
    );
    assert.equal(ratio, '0');
  } finally {
    try {
      process.kill(-prom.pid!, 'SIGTERM');
    } catch {
      // already gone
    }
    await promExited;
    await vaid.stop();
    dir.remove();
  }
});
