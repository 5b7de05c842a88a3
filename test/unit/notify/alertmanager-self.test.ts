// The inhibit rule docs/alerts.md gives for vai's own failures, against a real Alertmanager
// (Debian's prometheus-alertmanager) on 127.0.0.1: while VaiSelf condition="observe" fires for
// a host (its Docker engine is gone), that host's VaiRecoveryFailed alerts are inhibited; an
// alert of another host is not.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createNotifier } from '../../../src/notify/index.js';
import type { Alert } from '../../../src/notify/types.js';
import { alertmanagerMissing, startAlertmanager, type AmAlert } from '../../support/alertmanager.js';
import { testdir } from '../../support/testdir.js';
import { waitFor } from '../../support/wait.js';
import { alert, cleanup, minioSpec, notifierTarget } from './fixtures.js';

const CONFIG = `
route:
  receiver: blackhole
  group_wait: 1s
  group_interval: 1s
receivers:
  - name: blackhole
inhibit_rules:
  - source_matchers: ['alertname="VaiSelf"', 'condition="observe"']
    target_matchers: ['alertname=~"VaiRecoveryFailed|VaiCrashLoop"']
    equal: [host]
`;

const missing = alertmanagerMissing();
if (missing && process.env.CI === 'true') throw new Error(`under CI the Alertmanager tests cannot be skipped: ${missing}`);

const find = (alerts: AmAlert[], service: string, alertname: string) => alerts.find((a) => a.labels.service === service && a.labels.alertname === alertname);

test('alertmanager: VaiSelf condition="observe" inhibits the same host\'s service alerts, not another host\'s', { skip: missing ?? false, timeout: 120_000 }, async (t) => {
  const dir = testdir();
  const am = await startAlertmanager(CONFIG);
  cleanup(t, async () => {
    await am.stop();
    dir.remove();
  });
  const n = await createNotifier({ outboxDir: dir.join('outbox'), env: {}, retry: { initialMs: 50, maxMs: 200 }, hostname: 'vps1' });
  cleanup(t, () => n.close());
  n.setTargets(new Map([notifierTarget('fleet', { type: 'alertmanager', urls: [am.url], resend_seconds: 5 })]));
  const spec = minioSpec({ notify_on_fail: 'fleet' });
  const self: Alert = {
    id: 'vaid:self:observe:1',
    kind: 'self',
    service: 'vaid',
    spec,
    at: new Date().toISOString(),
    message: 'cannot observe 2 services: minio (docker: connect ENOENT /run/docker.sock), api (…)',
    attempt: 0,
    dependents: [],
    labels: { condition: 'observe', host: 'vps1' },
    self: { condition: 'observe', title: 'cannot observe services', since: new Date().toISOString() },
  };
  await n.submit(self);
  await n.submit({ ...alert('minio', 'recovery-failed', 1), spec });
  await n.submit({ ...alert('api', 'recovery-failed', 1), spec, labels: { host: 'vps2' } });
  const all = await waitFor(async () => {
    const xs = await am.alerts();
    const minio = find(xs, 'minio', 'VaiRecoveryFailed');
    return find(xs, 'vaid', 'VaiSelf') && minio && minio.status.inhibitedBy.length > 0 && find(xs, 'api', 'VaiRecoveryFailed') ? xs : null;
  }, { what: 'the self alert firing and minio inhibited', timeoutMs: 60_000 });
  const selfAlert = find(all, 'vaid', 'VaiSelf')!;
  assert.equal(selfAlert.labels.condition, 'observe');
  assert.equal(selfAlert.labels.host, 'vps1');
  assert.equal(selfAlert.status.state, 'active');
  assert.equal(find(all, 'minio', 'VaiRecoveryFailed')!.status.state, 'suppressed');
  assert.equal(find(all, 'api', 'VaiRecoveryFailed')!.status.state, 'active', 'another host is not inhibited');
});
