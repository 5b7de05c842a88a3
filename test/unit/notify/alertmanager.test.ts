// The alertmanager sink against a real Alertmanager (Debian's prometheus-alertmanager) on
// 127.0.0.1: an alert fires with vai's labels and annotations, is re-sent while firing, is
// inhibited by a crash loop through an inhibit rule, muted by an Alertmanager silence, and
// resolved by the recovery. The second URL of the HA pair refuses connections all along.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createNotifier } from '../../../src/notify/index.js';
import { alertmanagerMissing, startAlertmanager, type AmAlert } from '../../support/alertmanager.js';
import { testdir } from '../../support/testdir.js';
import { freePort } from '../../support/vaid.js';
import { waitFor } from '../../support/wait.js';
import { alert, notifierTarget, cleanup } from './fixtures.js';

const CONFIG = `
route:
  receiver: blackhole
  group_wait: 1s
  group_interval: 1s
receivers:
  - name: blackhole
inhibit_rules:
  - source_matchers: ['alertname="VaiCrashLoop"']
    target_matchers: ['alertname="VaiRecoveryFailed"']
    equal: [service]
`;

const missing = alertmanagerMissing();
if (missing && process.env.CI === 'true') throw new Error(`under CI the Alertmanager tests cannot be skipped: ${missing}`);

const find = (alerts: AmAlert[], service: string, alertname: string) => alerts.find((a) => a.labels.service === service && a.labels.alertname === alertname);

test('alertmanager: fires with labels, is re-sent while firing, inhibited, silenced, resolved', { skip: missing ?? false, timeout: 120_000 }, async (t) => {
  const dir = testdir();
  const am = await startAlertmanager(CONFIG);
  cleanup(t, async () => {
    await am.stop();
    dir.remove();
  });
  const dead = `http://127.0.0.1:${await freePort()}`;
  const n = await createNotifier({ outboxDir: dir.join('outbox'), env: {}, retry: { initialMs: 50, maxMs: 200 }, hostname: 'this-machine' });
  cleanup(t, () => n.close());
  n.setTargets(new Map([notifierTarget('fleet', { type: 'alertmanager', urls: [am.url, dead], resend_seconds: 1 })]));
  const labels = { host: 'vps1', tier: 'db', 'app.kubernetes.io/name': 'minio' };
  const spec = { notify_on_fail: 'fleet' };
  const withSpec = (a: ReturnType<typeof alert>) => ({ ...a, spec: { ...a.spec, ...spec }, labels });

  await n.submit(withSpec(alert('minio', 'recovery-failed', 1)));
  const firing = await waitFor(async () => find(await am.alerts(), 'minio', 'VaiRecoveryFailed'), { what: 'VaiRecoveryFailed firing', timeoutMs: 30_000 });
  assert.equal(firing.status.state, 'active');
  assert.deepEqual(
    { ...firing.labels },
    { alertname: 'VaiRecoveryFailed', service: 'minio', host: 'vps1', severity: 'critical', tier: 'db', app_kubernetes_io_name: 'minio' },
  );
  assert.equal(firing.annotations.summary, 'minio Recovery Failed on vps1');
  assert.match(firing.annotations.description!, /^Service: minio\nStatus: Failed health check/);
  assert.match(firing.annotations.description!, /^Host: vps1$/m);
  const record = n.snapshot().recent.find((r) => r.id === 'minio:recovery-failed:1');
  assert.equal(record?.state, 'delivered');

  // Re-sent while firing: still active after its first endsAt (4 resend intervals) has passed.
  const firstEnds = Date.parse(firing.endsAt);
  const later = await waitFor(async () => {
    const a = find(await am.alerts(), 'minio', 'VaiRecoveryFailed');
    return a && Date.now() > firstEnds + 1000 && Date.parse(a.endsAt) > firstEnds ? a : null;
  }, { what: 'the firing alert re-sent past its first endsAt', timeoutMs: 30_000 });
  assert.equal(later.status.state, 'active');

  // The inhibit rule: a crash loop of the same service inhibits its VaiRecoveryFailed.
  await n.submit(withSpec(alert('minio', 'crash-loop', 1)));
  const inhibited = await waitFor(async () => {
    const all = await am.alerts();
    const rf = find(all, 'minio', 'VaiRecoveryFailed');
    return find(all, 'minio', 'VaiCrashLoop') && rf && rf.status.inhibitedBy.length > 0 ? all : null;
  }, { what: 'VaiRecoveryFailed inhibited by VaiCrashLoop', timeoutMs: 30_000 });
  assert.equal(find(inhibited, 'minio', 'VaiCrashLoop')!.status.state, 'active');
  assert.equal(find(inhibited, 'minio', 'VaiRecoveryFailed')!.status.state, 'suppressed');

  // An Alertmanager silence mutes another service's alert.
  const silenceId = await am.silence({ service: 'api' }, 30, 'maintenance of api');
  await n.submit({ ...withSpec(alert('api', 'recovery-failed', 1)), labels: { host: 'vps1' } });
  const silenced = await waitFor(async () => {
    const a = find(await am.alerts(), 'api', 'VaiRecoveryFailed');
    return a && a.status.silencedBy.length > 0 ? a : null;
  }, { what: 'the api alert silenced', timeoutMs: 30_000 });
  assert.deepEqual(silenced.status.silencedBy, [silenceId]);
  assert.equal(silenced.status.state, 'suppressed');

  // Recovered: both of minio's alerts resolve (Alertmanager lists only unresolved alerts).
  await n.submit(withSpec(alert('minio', 'recovered', 1)));
  await waitFor(async () => {
    const all = await am.alerts();
    return !find(all, 'minio', 'VaiRecoveryFailed') && !find(all, 'minio', 'VaiCrashLoop');
  }, { what: 'minio resolved', timeoutMs: 30_000 });
  // And they stay resolved: api's open incident is re-sent twice more meanwhile (its updatedAt
  // moves), minio's closed one is not re-sent at all.
  const apiAt = Date.parse(silenced.updatedAt);
  let seen = apiAt;
  let moves = 0;
  await waitFor(async () => {
    const a = find(await am.alerts(), 'api', 'VaiRecoveryFailed');
    const at = a ? Date.parse(a.updatedAt) : seen;
    if (at > seen) {
      moves++;
      seen = at;
    }
    return moves >= 2;
  }, { what: 'two re-sends of the open api alert', timeoutMs: 30_000 });
  const after = await am.alerts();
  assert.equal(find(after, 'minio', 'VaiRecoveryFailed'), undefined);
  assert.ok(find(after, 'api', 'VaiRecoveryFailed'), 'api still firing (silenced)');
});
