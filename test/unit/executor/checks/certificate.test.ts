// The certificate check against real TLS servers on 127.0.0.1 whose certificates openssl makes in
// the test: one from a private CA (trusted through ca_file, refused without it), one that expires
// in 2 days, one that expired (made with faketime in the past), one for another name.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import tls from 'node:tls';
import type { AddressInfo } from 'node:net';
import { LocalExecutor } from '../../../../src/executor/local-executor.js';
import type { HealthCheck } from '../../../../src/manifest/schema.js';
import { healthCheck, target } from '../target.js';
import { testdir } from '../../../support/testdir.js';
import { makeCerts } from '../../../support/certs.js';

const dir = testdir();
const exec = new LocalExecutor();
const servers: tls.Server[] = [];

const certs = makeCerts(dir);

async function serve(name: string): Promise<number> {
  const s = tls.createServer({ key: readFileSync(dir.join(`${name}.key`)), cert: readFileSync(dir.join(`${name}.pem`)) }, (c) => c.end());
  s.on('tlsClientError', () => undefined);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  servers.push(s);
  return (s.address() as AddressInfo).port;
}

const ports: Record<string, number> = {};
before(async () => {
  certs.ca();
  certs.leaf('good', 'svc.test', 365);
  certs.leaf('soon', 'svc.test', 2);
  certs.leaf('expired', 'svc.test', 1, '10 days ago');
  certs.leaf('other', 'other.test', 365);
  for (const n of ['good', 'soon', 'expired', 'other']) ports[n] = await serve(n);
});
after(async () => {
  for (const s of servers) await new Promise((r) => s.close(r));
  await exec.close();
  dir.remove();
});

const check = (hc: Partial<HealthCheck>) => exec.check(target('web', { health_check: healthCheck({ type: 'certificate', ...hc }), restart_cmd: 'true' }, dir.path));

test('a certificate from a private CA is trusted through ca_file, with issuer, subject, expiry and days left', async () => {
  const r = await check({ endpoint: `https://127.0.0.1:${ports.good}/`, server_name: 'svc.test', ca_file: 'ca.pem' });
  assert.equal(r.health, 'healthy', r.message);
  assert.equal(r.warning, undefined);
  assert.match(r.message, new RegExp(`^certificate of 127\\.0\\.0\\.1:${ports.good}: subject svc\\.test, O=Test Org, issuer Test Private CA, O=Test Org, expires \\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z, 36[45] days left$`));
});

test('without ca_file the private CA is not trusted: CertificateInvalid, unhealthy', async () => {
  const r = await check({ host: '127.0.0.1', port: ports.good, server_name: 'svc.test' });
  assert.equal(r.health, 'unhealthy');
  assert.equal(r.reason, 'CertificateInvalid');
  assert.match(r.message, /not trusted: (UNABLE_TO_GET_ISSUER_CERT_LOCALLY|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE)/);
});

test('2 days left: healthy with a warning under warn_days; unhealthy CertificateExpiring under fail_days', async () => {
  const warn = await check({ endpoint: `https://127.0.0.1:${ports.soon}/`, server_name: 'svc.test', ca_file: 'ca.pem', warn_days: 14, fail_days: 1 });
  assert.equal(warn.health, 'healthy', warn.message);
  assert.match(warn.message, /, 1 days left$|, 2 days left$/);
  assert.match(warn.warning ?? '', new RegExp(`^certificate of 127\\.0\\.0\\.1:${ports.soon} \\(subject [^)]+\\) expires in [12] days, at \\d{4}-\\S+ \\(warn_days 14\\)$`));
  assert.match(warn.warningKey ?? '', /^CertificateExpiring:\d{4}-\d\d-\d\dT/);
  const fail = await check({ endpoint: `https://127.0.0.1:${ports.soon}/`, server_name: 'svc.test', ca_file: 'ca.pem', warn_days: 14, fail_days: 7 });
  assert.equal(fail.health, 'unhealthy');
  assert.equal(fail.reason, 'CertificateExpiring');
  assert.match(fail.message, /[12] days left \(fail_days 7\)$/);
});

test('an expired certificate is CertificateExpired, saying how long ago', async () => {
  const r = await check({ endpoint: `https://127.0.0.1:${ports.expired}/`, server_name: 'svc.test', ca_file: 'ca.pem' });
  assert.equal(r.health, 'unhealthy');
  assert.equal(r.reason, 'CertificateExpired');
  assert.match(r.message, /expired 9 days ago$/);
});

test('a certificate for another name is CertificateInvalid', async () => {
  const r = await check({ endpoint: `https://127.0.0.1:${ports.other}/`, server_name: 'svc.test', ca_file: 'ca.pem' });
  assert.equal(r.reason, 'CertificateInvalid');
  assert.match(r.message, /svc\.test/);
});

test('nothing listening: ConnectFailed, unhealthy', async () => {
  const s = tls.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  const r = await check({ host: '127.0.0.1', port });
  assert.deepEqual([r.health, r.reason], ['unhealthy', 'ConnectFailed']);
  assert.match(r.message, /ECONNREFUSED/);
});
