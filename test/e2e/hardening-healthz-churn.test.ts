// Issue 16, finding 12: /healthz under churn. 1,000 services whose tcp check always fails (a
// loopback port nobody listens on) and whose restart_cmd succeeds keep vaid restarting, verifying
// and writing status the whole time. /healthz must keep answering, with the right content: vaid
// itself is healthy (its loop finishes reconciles, status.json is written, the manifests read),
// whatever its services do. How fast it answers is a bench figure (bench/scenarios/healthz-churn.ts,
// docs/performance.md), not asserted here: the deadlines are generous.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { readFileSync } from 'node:fs';
import { testdir } from '../support/testdir.js';
import { freePort, startVaid } from '../support/vaid.js';
import { waitFor } from '../support/wait.js';
import { startsAndRestarts } from '../support/restart-count.js';
import type { StatusDocument } from '../../src/status/schema.js';

const SERVICES = 1000;

function get(port: number, path: string, timeoutMs = 90_000): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path, agent: false, timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${path}: no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
  });
}

test('with 1000 failing services restarted over and over, /healthz answers that vaid is healthy', { timeout: 600_000 }, async (t) => {
  const dir = testdir({}, 'vai-healthz-churn-');
  const closed = await freePort();
  const docs: string[] = [];
  for (let i = 0; i < SERVICES; i++) {
    docs.push(
      [
        'apiVersion: vai/v1',
        'kind: Service',
        `metadata: { name: svc-${i} }`,
        'spec:',
        `  health_check: { type: tcp, host: 127.0.0.1, port: ${closed}, interval_seconds: 1, timeout_seconds: 1 }`,
        '  restart_cmd: "true"',
        '  startup_delay_seconds: 1',
        '  max_failures: 1000',
      ].join('\n'),
    );
  }
  dir.write('manifests/churn.yaml', `${docs.join('\n---\n')}\n`);
  const port = await freePort();
  const vaid = await startVaid({ manifests: dir.join('manifests'), stateDir: dir.join('state'), args: ['--listen', `127.0.0.1:${port}`, '--log-level', 'warn'] });
  // node:test runs after-hooks first in, first out: vaid stops before its dirs go.
  t.after(() => vaid.stop());
  t.after(() => dir.remove());
  const restarts = (): number => {
    try {
      const doc = JSON.parse(readFileSync(dir.join('state', 'status.json'), 'utf8')) as StatusDocument;
      return Object.values(doc.services).reduce((n, s) => n + startsAndRestarts(s), 0);
    } catch {
      return 0;
    }
  };
  // Busy: most services have been restarted at least once, and restarts go on.
  await waitFor(() => restarts() >= SERVICES / 2, { what: `${SERVICES / 2} restarts`, timeoutMs: 300_000, intervalMs: 1000 });
  const before = restarts();
  for (let i = 0; i < 10; i++) {
    const verbose = await get(port, '/healthz?verbose');
    assert.equal(verbose.status, 200, verbose.body);
    assert.equal(verbose.body, '[+]reconcile-loop ok\n[+]status-write ok\n[+]manifests ok\n[+]notifiers ok\n[+]self ok\n[+]history ok\nhealthz check passed\n');
    const plain = await get(port, '/healthz');
    assert.deepEqual(plain, { status: 200, body: 'ok\n' });
    const one = await get(port, '/healthz/reconcile-loop');
    assert.deepEqual(one, { status: 200, body: 'ok\n' });
  }
  await waitFor(() => restarts() > before + SERVICES / 2, { what: 'restarts going on while /healthz was asked', timeoutMs: 300_000, intervalMs: 1000 });
});
