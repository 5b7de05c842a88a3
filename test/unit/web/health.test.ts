import { test } from 'node:test';
import assert from 'node:assert/strict';
import { healthQuery, healthReport, type HealthCheck } from '../../../src/web/health.js';
import { createDaemonHealth, loopProblem, MIN_STALL_MS, STALL_INTERVALS, type LoopFacts } from '../../../src/web/daemon-health.js';

const ok = (name: string): HealthCheck => ({ name, check: () => null });
const failing = (name: string, why: string): HealthCheck => ({ name, check: () => why });
const query = (url: string) => {
  const u = new URL(url, 'http://x');
  return healthQuery(u.pathname, u.searchParams);
};

test('all checks pass: 200 "ok", and ?verbose lists each one as kube-apiserver does', () => {
  const checks = [ok('reconcile-loop'), ok('status-write')];
  assert.deepEqual(healthReport(checks, query('/healthz')), { status: 200, body: 'ok\n' });
  assert.deepEqual(healthReport(checks, query('/healthz?verbose')), {
    status: 200,
    body: '[+]reconcile-loop ok\n[+]status-write ok\nhealthz check passed\n',
  });
});

test('one check fails: 503 with every check listed and the reason of the failing one', () => {
  const checks = [ok('reconcile-loop'), failing('status-write', 'EACCES: permission denied'), ok('manifests')];
  assert.deepEqual(healthReport(checks, query('/healthz')), {
    status: 503,
    body: '[+]reconcile-loop ok\n[-]status-write failed: EACCES: permission denied\n[+]manifests ok\nhealthz check failed\n',
  });
});

test('?exclude leaves a check out; /healthz/NAME runs only that check; an unknown name is 404', () => {
  const checks = [ok('reconcile-loop'), failing('manifests', 'cannot read the manifest directory: ENOENT')];
  assert.equal(healthReport(checks, query('/healthz?exclude=manifests')).status, 200);
  assert.equal(healthReport(checks, query('/healthz?exclude=manifests&verbose')).body, '[+]reconcile-loop ok\n[+]manifests excluded: ok\nhealthz check passed\n');
  assert.deepEqual(healthReport(checks, query('/healthz/reconcile-loop')), { status: 200, body: 'ok\n' });
  assert.deepEqual(healthReport(checks, query('/healthz/manifests')), { status: 503, body: '[-]manifests failed: cannot read the manifest directory: ENOENT\n' });
  const none = healthReport(checks, query('/healthz/etcd'));
  assert.equal(none.status, 404);
  assert.match(none.body, /no health check named "etcd"; there are: reconcile-loop, manifests/);
});

test('a check that throws fails with its message; reasons stay on one line and are redacted', () => {
  const checks: HealthCheck[] = [
    { name: 'boom', check: () => { throw new Error('store gone'); } },
    failing('multi', 'first line\n  second line'),
    failing('url', 'GET http://user:hunter2@127.0.0.1/x?token=abc failed'),
  ];
  const r = healthReport(checks, query('/healthz'));
  assert.equal(r.status, 503);
  assert.match(r.body, /^\[-\]boom failed: the check threw: store gone$/m);
  assert.match(r.body, /^\[-\]multi failed: first line second line$/m);
  assert.doesNotMatch(r.body, /hunter2|abc/);
});

const limits = { stallIntervals: STALL_INTERVALS, minStallMs: MIN_STALL_MS };
const facts = (f: Partial<LoopFacts>): LoopFacts => ({ waiting: 0, earliestDueAt: null, shortestIntervalMs: 1_000, ...f });
const T = 1_000_000_000;

test('reconcile loop, one row per situation', () => {
  const rows: Array<[string, LoopFacts, number, RegExp | null]> = [
    ['idle, nothing due: quiet for an hour is fine', facts({}), 3_600_000, null],
    ['nothing scheduled and no services: fine', facts({ shortestIntervalMs: null }), 3_600_000, null],
    ['services wait for a worker, last reconcile 20 s ago: within the 30 s floor', facts({ waiting: 5 }), 20_000, null],
    ['services wait for a worker, none finished for 31 s: stuck', facts({ waiting: 5 }), 31_000, /^5 services wait for a free worker and no reconcile finished for 31s \(limit 30s: the floor of 30s\)$/],
    ['60 s interval: the limit is 3 × 60 s', facts({ waiting: 1, shortestIntervalMs: 60_000 }), 150_000, null],
    ['60 s interval, quiet for 181 s: stuck', facts({ waiting: 1, shortestIntervalMs: 60_000 }), 181_000, /^1 service wait.* for 181s \(limit 180s: 3 × the shortest interval 60s\)$/],
    ['a scheduled reconcile 40 s overdue and none finished for 40 s: its timer was lost', facts({ earliestDueAt: T - 40_000 }), 40_000, /^a reconcile due 40s ago has not started and no reconcile finished for 40s/],
    ['a reconcile due in the future: fine', facts({ earliestDueAt: T + 5_000 }), 40_000, null],
  ];
  for (const [name, f, quietMs, want] of rows) {
    const got = loopProblem(f, T - quietMs, T, limits);
    if (want === null) assert.equal(got, null, name);
    else assert.match(got ?? '', want, name);
  }
});

test('daemon health: a failed status write fails until the next write succeeds; a finished reconcile resets the stall clock', () => {
  let now = T;
  let loop = facts({ waiting: 3 });
  const h = createDaemonHealth({ now: () => now, loop: () => loop });
  const byName = (n: string) => h.checks.find((c) => c.name === n)!;
  assert.deepEqual(h.checks.map((c) => c.name), ['reconcile-loop', 'status-write', 'manifests']);
  assert.equal(byName('status-write').check(), null);
  h.statusWriteFailed(new Error("EPERM: operation not permitted, open '/var/lib/vai/.status.json.1.tmp'"));
  now += 1_000;
  h.statusWriteFailed(new Error("EPERM: operation not permitted, open '/var/lib/vai/.status.json.2.tmp'"));
  assert.equal(byName('status-write').check(), `status.json cannot be written since ${new Date(T).toISOString()} (2 failed attempts): EPERM: operation not permitted, open '/var/lib/vai/.status.json.2.tmp'`);
  h.statusWritten();
  assert.equal(byName('status-write').check(), null);

  now = T + 31_000;
  assert.match(byName('reconcile-loop').check() ?? '', /^3 services wait/);
  h.reconciled();
  assert.equal(byName('reconcile-loop').check(), null);
  loop = facts({});
  now += 3_600_000;
  assert.equal(byName('reconcile-loop').check(), null, 'idle is not stuck');

  h.manifestsRead('/etc/vai/manifests: cannot read the manifest directory: ENOENT');
  assert.match(byName('manifests').check() ?? '', /ENOENT/);
  h.manifestsRead(null);
  assert.equal(byName('manifests').check(), null);
});
