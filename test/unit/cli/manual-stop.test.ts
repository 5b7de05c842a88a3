import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { DNS1123_LABEL } from '../../../src/manifest/schema.js';
import { resolvePaths } from '../../../src/cli/paths.js';
import { assertServiceName, removeMarker, SERVICE_NAME, writeMarker, writeRestartRequest } from '../../../src/cli/manual-stop.js';
import { testdir } from '../../support/testdir.js';

test('the name rule is the manifest schema one (kept apart only to keep TypeBox out of vaictl)', () => {
  assert.equal(SERVICE_NAME.source, DNS1123_LABEL);
});

test('names that could leave the marker dir or are not DNS-1123 labels are refused', () => {
  for (const bad of ['../etc/passwd', 'a/b', '.hidden', 'Minio', '-a', 'a-', '', 'a'.repeat(64), 'a b', 'a\nb']) {
    assert.throws(() => assertServiceName(bad), /is not a service name/, JSON.stringify(bad));
  }
  for (const ok of ['minio', 'a', 'demo-db', 'x1', 'a'.repeat(63)]) assert.doesNotThrow(() => assertServiceName(ok));
});

test('stop creates the marker dir (0755) and the marker once; start removes it once', (t) => {
  const dir = testdir();
  t.after(() => dir.remove());
  const paths = resolvePaths({ 'state-dir': dir.join('state'), 'marker-dir': dir.join('markers') }, {}, dir.path);
  assert.equal(writeMarker(paths, 'minio'), true);
  assert.equal(statSync(dir.join('markers')).mode & 0o777, 0o755);
  assert.deepEqual(readdirSync(dir.join('markers')), ['minio.stopped']);
  assert.equal(writeMarker(paths, 'minio'), false, 'already stopped');
  assert.equal(removeMarker(paths, 'minio'), true);
  assert.equal(removeMarker(paths, 'minio'), false, 'was not stopped');
  assert.deepEqual(readdirSync(dir.join('markers')), []);
});

test('restart leaves requests/NAME.restart with {"requestedAt": ISO} and no temp file', (t) => {
  const dir = testdir();
  t.after(() => dir.remove());
  const paths = resolvePaths({ 'state-dir': dir.join('state') }, {}, dir.path);
  const at = new Date('2026-11-27T21:00:00.000Z');
  const file = writeRestartRequest(paths, 'redis', at);
  assert.deepEqual(JSON.parse(readFileSync(file, 'utf8')), { requestedAt: '2026-11-27T21:00:00.000Z' });
  assert.deepEqual(readdirSync(dir.join('state/requests')), ['redis.restart']);
});
