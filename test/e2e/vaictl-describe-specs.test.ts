// Where describe and get -o wide find a service's spec: the manifest file the status names as its
// source, mapped into --manifests when that names a checkout elsewhere, and the whole dir when
// the file no longer defines the service.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { testdir } from '../support/testdir.js';
import { FIXTURE_MANIFESTS, writeStateDir } from '../fixtures/status/state-dir.js';
import { vaictl } from '../fixtures/status/run-vaictl.js';

const dir = testdir();
// A stand-in for a running vaid: a live process whose command line names vaid.
const fake = spawn(process.execPath, ['-e', 'setInterval(() => {}, 60000)', 'fake-vaid'], { stdio: 'ignore' });
test.after(() => {
  fake.kill('SIGKILL');
  dir.remove();
});

function copyManifests(rel: string): string {
  const to = dir.join(rel);
  cpSync(FIXTURE_MANIFESTS, to, { recursive: true });
  return to;
}

function edit(file: string, from: string, to: string): void {
  const text = readFileSync(file, 'utf8');
  assert.ok(text.includes(from), `${file} holds "${from}"`);
  writeFileSync(file, text.replace(from, to));
}

test('--manifests naming another checkout shows the spec from that checkout, file by file', async () => {
  const state = dir.join('checkout-state');
  writeStateDir(state, { lockPid: fake.pid! });
  const checkout = copyManifests('checkout');
  edit(`${checkout}/app.yaml`, 'restart_cmd: systemctl restart api', 'restart_cmd: systemctl restart api-from-checkout');
  const here = await vaictl(['describe', 'api', '--state-dir', state]);
  assert.equal(here.code, 0, here.stderr);
  assert.match(here.stdout, /^Restart Command: +systemctl restart api$/m);
  const there = await vaictl(['describe', 'api', '--state-dir', state, '--manifests', checkout]);
  assert.equal(there.code, 0, there.stderr);
  assert.match(there.stdout, /^Restart Command: +systemctl restart api-from-checkout$/m);
  const wide = await vaictl(['get', 'api', 'worker', '-o', 'wide', '--state-dir', state, '--manifests', checkout]);
  assert.equal(wide.code, 0, wide.stderr);
  assert.match(wide.stdout, /^api +.* http:\/\/127\.0\.0\.1:8080\/healthz +<none> +redis,postgres /m);
  assert.match(wide.stdout, /^worker +.* process worker\.py +<none> +api /m);
});

test('a service moved to another file since vaid last loaded is still described: the whole dir is read', async () => {
  const manifests = copyManifests('moved');
  const state = dir.join('moved-state');
  writeStateDir(state, { lockPid: fake.pid!, manifests });
  const app = readFileSync(`${manifests}/app.yaml`, 'utf8');
  const [api, worker] = app.split(/^---\n/m);
  writeFileSync(`${manifests}/app.yaml`, worker!);
  writeFileSync(`${manifests}/api-alone.yaml`, api!.replace('systemctl restart api', 'systemctl restart api-moved'));
  const r = await vaictl(['describe', 'api', '--state-dir', state]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^Restart Command: +systemctl restart api-moved$/m);
  assert.match(r.stdout, /^Source: +.*\/moved\/app\.yaml:\d+$/m, 'Source is where the status says vaid found it');
});

test('a file that no longer parses shows <unknown> spec fields, as before, and the status sections still', async () => {
  const manifests = copyManifests('broken');
  const state = dir.join('broken-state');
  writeStateDir(state, { lockPid: fake.pid!, manifests });
  writeFileSync(`${manifests}/storage.yaml`, 'apiVersion: vai/v1\nkind: Service\nmetadata: [unclosed\n');
  const r = await vaictl(['describe', 'minio', '--state-dir', state]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^Restart Command: +<unknown>$/m);
  assert.match(r.stdout, /^Phase: +Healthy /m);
});
