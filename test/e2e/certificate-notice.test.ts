// A certificate within warn_days, end to end: a real TLS server on 127.0.0.1 with an openssl-made
// certificate that expires in 2 days, a real vaid and the ntfy test server. The person gets one
// notice (no restart), not one per check; a vaid killed -9 and started again does not send it
// twice; a renewed certificate ends the warning quietly; a new short certificate is news again.
import os from 'node:os';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import tls from 'node:tls';
import type { AddressInfo } from 'node:net';
import { startNtfyServer } from '../support/ntfy-server.js';
import { makeCerts } from '../support/certs.js';
import { testdir } from '../support/testdir.js';
import { startVaid } from '../support/vaid.js';
import { waitFor } from '../support/wait.js';

// Alert titles name the host (vaid's hostname: no manifest here sets a host label).
const HOST = os.hostname();

test('a certificate expiring in 2 days: one notice through ntfy, none after a restart, quiet once renewed', { timeout: 240_000 }, async (t) => {
  const dir = testdir({}, 'vai-cert-notice-');
  const certs = makeCerts(dir);
  certs.ca();
  certs.leaf('short', 'web.test', 2);
  certs.leaf('renewed', 'web.test', 90);
  const ctx = (name: string) => ({ key: readFileSync(dir.join(`${name}.key`)), cert: readFileSync(dir.join(`${name}.pem`)) });
  const server = tls.createServer(ctx('short'), (s) => s.end());
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const ntfy = await startNtfyServer();
  t.after(async () => {
    await ntfy.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    dir.remove();
  });
  dir.write(
    'manifests/web.yaml',
    `apiVersion: vai/v1
kind: Service
metadata: { name: web }
spec:
  health_check:
    type: certificate
    host: 127.0.0.1
    port: ${port}
    ca_file: ${dir.join('ca.pem')}
    warn_days: 14
    fail_days: 1
    interval_seconds: 0.3
  restart_cmd: "echo restart >> ${dir.join('restarts.log')}"
  notify_on_fail: alerts
`,
  );
  dir.write('manifests/alerts.yaml', `apiVersion: vai/v1\nkind: Notifier\nmetadata: { name: alerts }\nspec:\n  type: ntfy\n  server: ${ntfy.url}\n  topic: certs\n`);
  const opts = { manifests: dir.join('manifests'), stateDir: dir.join('state') };
  const notices = () => ntfy.messages.filter((m) => m.topic === 'certs');

  const first = await startVaid(opts);
  t.after(() => first.kill9());
  await waitFor(() => notices().length >= 1, { timeoutMs: 60_000, what: 'the notice at ntfy' });
  const m = notices()[0]!;
  assert.equal(m.title, `web Certificate Expiring on ${HOST}`);
  assert.equal(m.priority, 3);
  assert.match(m.message, /^Status: Healthy, with a warning \(certificate of 127\.0\.0\.1:\d+ \(subject web\.test, O=Test Org\) expires in [12] days, at \d{4}-/m);
  assert.match(m.message, /^Cause: CertificateExpiring: /m);
  assert.match(m.message, /^Recovery attempt: none/m);
  // Many more checks, each with the warning: still one notice.
  const checks = first.readStatus()!.services.web!.counters.checks;
  const s1 = await first.waitForService('web', (s) => s.counters.checks >= checks + 10, 'ten more checks', 60_000);
  await first.waitForStatus((d) => d.alerts.outboxSize === 0, 'an empty outbox', 30_000);
  assert.equal(notices().length, 1, 'one notice, not one per check');
  assert.equal(s1.phase, 'Healthy');
  assert.match(s1.notice?.key ?? '', /^CertificateExpiring:\d{4}-/);
  assert.ok(s1.events.some((e) => e.type === 'Warning' && e.reason === 'CheckWarning' && /expires in [12] days/.test(e.message)), 'a Warning event');
  assert.ok(!existsSync(dir.join('restarts.log')), 'no restart for a warning');
  await first.kill9();

  const second = await startVaid(opts);
  t.after(() => second.stop());
  const startedAt = Date.now();
  await second.waitForService('web', (s) => s.lastCheck !== null && Date.parse(s.lastCheck.at) > startedAt + 2_000, 'checks by the restarted vaid', 60_000);
  await second.waitForStatus((d) => d.alerts.outboxSize === 0, 'an empty outbox', 30_000);
  assert.equal(notices().length, 1, 'no second notice after vaid was killed and started again');

  server.setSecureContext(ctx('renewed'));
  const renewed = await second.waitForService('web', (s) => s.notice === null, 'the warning cleared by the renewal', 60_000);
  assert.ok(renewed.events.some((e) => e.reason === 'CheckWarningCleared' && /89 days left/.test(e.message)), renewed.events.map((e) => e.reason).join(', '));
  const after = renewed.counters.checks;
  await second.waitForService('web', (s) => s.counters.checks >= after + 5, 'checks of the renewed certificate', 60_000);
  assert.equal(notices().length, 1, 'the renewal sends nothing');

  // Another short certificate (a new expiry) is a new notice.
  certs.leaf('short2', 'web.test', 3);
  server.setSecureContext(ctx('short2'));
  await waitFor(() => notices().length >= 2, { timeoutMs: 60_000, what: 'a notice for the new short certificate' });
  assert.match(notices()[1]!.message, /expires in [23] days/);
  assert.ok(!existsSync(dir.join('restarts.log')), 'never a restart');
  await second.stop();
});
