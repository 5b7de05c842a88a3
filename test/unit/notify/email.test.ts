// The email sink against a real SMTP server on 127.0.0.1: STARTTLS, AUTH from environment
// variables, the seed's plain-text body; a wrong password is final and keeps the secret out of
// records; a down server is retried until it is back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createNotifier } from '../../../src/notify/index.js';
import { startSmtpServer } from '../../support/smtp-server.js';
import { testdir } from '../../support/testdir.js';
import { waitFor } from '../../support/wait.js';
import { alert, minioSpec, notifierTarget, cleanup } from './fixtures.js';

const PASS = 's3cret-smtp-pass-0123';

async function setup(t: { after(fn: () => unknown): void }, env: NodeJS.ProcessEnv) {
  const dir = testdir();
  const smtp = await startSmtpServer({ user: 'vai', pass: PASS });
  cleanup(t, async () => {
    await smtp.close();
    dir.remove();
  });
  const n = await createNotifier({ groupWaitSeconds: 0, outboxDir: dir.join('outbox'), env, retry: { initialMs: 50, maxMs: 200 }, hostname: 'vps1' });
  cleanup(t, () => n.close());
  n.setTargets(
    new Map([
      notifierTarget('mail', {
        type: 'email',
        smtp_host: '127.0.0.1',
        smtp_port: smtp.port,
        tls_ca_file: smtp.caFile,
        from: 'vai@vps1.example',
        to: ['ops@example.com', 'oncall@example.com'],
        username_env: 'SMTP_USER',
        password_env: 'SMTP_PASS',
      }),
    ]),
  );
  return { smtp, n };
}

test('email: STARTTLS, AUTH from env, the seed format as plain text, one message per alert', async (t) => {
  const { smtp, n } = await setup(t, { SMTP_USER: 'vai', SMTP_PASS: PASS });
  await n.submit(alert('minio', 'recovery-failed', 1, { spec: minioSpec({ notify_on_fail: 'mail' }) }));
  await waitFor(() => smtp.messages.length === 1, { what: 'the mail', timeoutMs: 30_000 });
  const m = smtp.messages[0]!;
  assert.equal(m.secure, true, 'upgraded with STARTTLS before anything was sent');
  assert.equal(m.user, 'vai');
  assert.equal(m.from, 'vai@vps1.example');
  assert.deepEqual(m.to, ['ops@example.com', 'oncall@example.com']);
  assert.match(m.raw, /^Subject: minio Recovery Failed on vps1\r$/m);
  assert.match(m.raw, /^Content-Type: text\/plain/m);
  assert.match(m.raw, /^Message-ID: <vai-[0-9a-f]{24}@vps1>\r$/m);
  const body = m.raw.split('\r\n\r\n').slice(1).join('\r\n\r\n').replace(/\r\n/g, '\n');
  assert.match(body, /^Service: minio\nStatus: Failed health check \(HTTP 503/);
  assert.match(body, /^Host: vps1$/m);
  assert.match(body, /^Restart command: \/usr\/local\/bin\/minio server \/data --console-address :9001$/m);
  await waitFor(() => n.snapshot().recent.find((r) => r.id === 'minio:recovery-failed:1')?.state === 'delivered', { what: 'delivered record' });
  assert.equal(n.snapshot().recent[0]!.target, `smtp://127.0.0.1:${smtp.port} to ops@example.com,oncall@example.com`);
});

test('email: a wrong password is final, with the reason, and the password is in no record', async (t) => {
  const { smtp, n } = await setup(t, { SMTP_USER: 'vai', SMTP_PASS: 'wrong-password-xyz' });
  await n.submit(alert('minio', 'recovery-failed', 1, { spec: minioSpec({ notify_on_fail: 'mail' }) }));
  const rec = await waitFor(() => n.snapshot().recent.find((r) => r.id === 'minio:recovery-failed:1' && r.state === 'failed'), { what: 'failed record', timeoutMs: 30_000 });
  assert.match(rec.lastError ?? '', /SMTP authentication failed/);
  assert.ok(!JSON.stringify(n.snapshot()).includes('wrong-password-xyz'));
  assert.equal(smtp.messages.length, 0);
});
