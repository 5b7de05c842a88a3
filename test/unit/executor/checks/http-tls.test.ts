// The http check over https with a private CA (ca_file), without verification
// (insecure_skip_verify), with a client certificate (cert_file/key_file, a server that demands
// one), headers from vaid's environment (header_env), and the certificate's expiry on success.
// Real https servers on 127.0.0.1 with openssl-made certificates.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import https from 'node:https';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { LocalExecutor } from '../../../../src/executor/local-executor.js';
import type { HealthCheck } from '../../../../src/manifest/schema.js';
import { checkWarnings } from '../../../../src/cli/printers/check-words.js';
import { healthCheck, target } from '../target.js';
import { serviceSpec } from '../../../support/service-spec.js';
import { testdir } from '../../../support/testdir.js';
import { makeCerts } from '../../../support/certs.js';

const dir = testdir();
const exec = new LocalExecutor();
const servers: https.Server[] = [];
let plain = 0;
let mutual = 0;
const seen: { auth?: string | undefined; client?: string | undefined }[] = [];

async function serve(opts: https.ServerOptions): Promise<number> {
  const s = https.createServer(opts, (req, res) => {
    const peer = (req.socket as TLSSocket).getPeerCertificate();
    seen.push({ auth: req.headers.authorization, client: String(peer?.subject?.CN ?? '') });
    res.end('ok');
  });
  s.on('tlsClientError', () => undefined);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  servers.push(s);
  return (s.address() as AddressInfo).port;
}

before(async () => {
  const c = makeCerts(dir);
  c.ca();
  c.leaf('srv', 'localhost', 30);
  c.client('cli', 'health-checker');
  const key = readFileSync(dir.join('srv.key'));
  const cert = readFileSync(dir.join('srv.pem'));
  plain = await serve({ key, cert });
  mutual = await serve({ key, cert, ca: readFileSync(dir.join('ca.pem')), requestCert: true, rejectUnauthorized: true });
});
after(async () => {
  for (const s of servers) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
  await exec.close();
  dir.remove();
});

const check = (hc: Partial<HealthCheck>) => exec.check(target('api', { health_check: healthCheck({ type: 'http', ...hc }), restart_cmd: 'true' }, dir.path));

test('a private CA is refused by default and trusted through ca_file; success names the expiry', async () => {
  const refused = await check({ endpoint: `https://localhost:${plain}/health` });
  assert.equal(refused.health, 'unhealthy');
  assert.match(refused.message, /self-signed certificate in certificate chain|unable to (get|verify)/i);
  const ok = await check({ endpoint: `https://localhost:${plain}/health`, ca_file: 'ca.pem' });
  assert.equal(ok.health, 'healthy', ok.message);
  assert.match(ok.message, new RegExp(`^HTTP 200 from https://localhost:${plain}/health after [\\d.]+ m?s, certificate expires \\d{4}-\\d\\d-\\d\\d \\((29|30) days left\\)$`));
});

test('insecure_skip_verify accepts the certificate, and describe warns about it', async () => {
  const ok = await check({ endpoint: `https://localhost:${plain}/`, insecure_skip_verify: true });
  assert.equal(ok.health, 'healthy', ok.message);
  const spec = serviceSpec({ health_check: healthCheck({ type: 'http', endpoint: 'https://x/', insecure_skip_verify: true }) });
  assert.match(checkWarnings(spec).join(), /certificate is not verified/);
  assert.deepEqual(checkWarnings(serviceSpec({ health_check: healthCheck({ type: 'http', endpoint: 'https://x/' }) })), []);
});

test('a server that demands a client certificate: refused without one, healthy with cert_file/key_file', async () => {
  const without = await check({ endpoint: `https://localhost:${mutual}/`, ca_file: 'ca.pem' });
  assert.equal(without.health, 'unhealthy', without.message);
  seen.length = 0;
  const withCert = await check({ endpoint: `https://localhost:${mutual}/`, ca_file: 'ca.pem', cert_file: 'cli.pem', key_file: 'cli.key' });
  assert.equal(withCert.health, 'healthy', withCert.message);
  assert.equal(seen.at(-1)?.client, 'health-checker');
});

test('header_env sends the header from vaid\'s environment, and its value is in no message', async () => {
  process.env.VAI_TEST_HEALTH_TOKEN = 'Bearer s3cret-health-token';
  seen.length = 0;
  const r = await check({ endpoint: `https://localhost:${plain}/`, ca_file: 'ca.pem', header_env: { Authorization: 'VAI_TEST_HEALTH_TOKEN' } });
  assert.equal(r.health, 'healthy', r.message);
  assert.equal(seen.at(-1)?.auth, 'Bearer s3cret-health-token');
  assert.doesNotMatch(JSON.stringify(r), /s3cret/);
  const unset = await check({ endpoint: `https://localhost:${plain}/`, ca_file: 'ca.pem', header_env: { Authorization: 'VAI_TEST_NOT_SET' } });
  assert.equal(unset.health, 'unknown');
  assert.match(unset.message, /VAI_TEST_NOT_SET \(for Authorization\) is not set/);
  delete process.env.VAI_TEST_HEALTH_TOKEN;
});
