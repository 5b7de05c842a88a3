// The notice kind (a certificate within warn_days) beside the failure notices: it is always
// news (its id names the certificate, so the notifier's idempotence sends it once), and it never
// changes what a failure or resolve notice is decided by.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { changesTold, decideNotice, isFailureKind } from '../../../src/notify/truth.js';
import { formatAlert } from '../../../src/notify/format.js';
import { alertmanagerAlerts } from '../../../src/notify/sinks/alertmanager.js';
import type { ServiceSpec } from '../../../src/manifest/schema.js';

const base = { lastOfKindAt: undefined, incidentOpen: false, cooldownSeconds: 900, now: 10_000 };

test('a notice goes out whatever was told before, and is not a failure the person must hear resolved', () => {
  assert.deepEqual(decideNotice({ ...base, kind: 'notice', told: { kind: 'recovery-failed', at: 1 } }), { send: true });
  assert.equal(isFailureKind('notice'), false);
  assert.equal(changesTold('notice'), false);
  assert.equal(changesTold('recovery-failed'), true);
  // Had a notice counted as "told", this recovered would be sent for a failure never announced.
  assert.equal(decideNotice({ ...base, kind: 'recovered', told: undefined }).send, false);
});

test('a notice reads as a warning: its own title, priority 3, no Manual intervention; Alertmanager severity warning', () => {
  const spec = { health_check: { type: 'certificate', port: 8443, host: '127.0.0.1' }, restart_cmd: 'systemctl restart web' } as unknown as ServiceSpec;
  const n = formatAlert(
    { id: 'web:notice:CertificateExpiring:2026-12-04T00:00:00.000Z', kind: 'notice', service: 'web', spec, at: '2026-12-02T00:00:00.000Z', message: 'certificate of 127.0.0.1:8443 expires in 2 days', attempt: 0, dependents: [], cause: { reason: 'CertificateExpiring', message: 'certificate of 127.0.0.1:8443 expires in 2 days', evidence: [] } },
    'vps1',
  );
  assert.equal(n.title, 'web Certificate Expiring on vps1');
  assert.equal(n.priority, 3);
  assert.match(n.message, /^Status: Healthy, with a warning \(certificate of 127\.0\.0\.1:8443 expires in 2 days\)$/m);
  assert.match(n.message, /^Cause: CertificateExpiring: /m);
  assert.doesNotMatch(n.message, /Manual intervention|Failed/);
  const [a] = alertmanagerAlerts(n, Date.parse('2026-12-02T00:00:00Z'), 60) as { labels: Record<string, string> }[];
  assert.equal(a!.labels.severity, 'warning');
  assert.equal(a!.labels.alertname, 'VaiWarning');
});
