// docs/manifests.md documents every field of the schema, and every example in docs/examples
// is valid: a field added to src/manifest/schema.ts without a line in the docs fails here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { HealthCheckSchema, NotifierSpecSchema, ServiceSpecSchema } from '../../../src/manifest/schema.js';
import { describeError, validateTree } from '../../../src/manifest/index.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

test('docs/manifests.md has a table row for every schema field', () => {
  const doc = readFileSync(path.join(ROOT, 'docs/manifests.md'), 'utf8');
  const missing = [ServiceSpecSchema, HealthCheckSchema, NotifierSpecSchema]
    .flatMap((s) => Object.keys(s.properties))
    .filter((field) => !doc.includes(`| \`${field}\` |`));
  assert.deepEqual(missing, []);
});

test('every example in docs/examples is valid, one of each check type', async () => {
  const report = await validateTree([path.join(ROOT, 'docs/examples')], { checkPermissions: false });
  assert.deepEqual(report.errors.map(describeError), []);
  const text = ['http', 'tcp', 'process', 'custom', 'docker', 'disk', 'file', 'certificate', 'heartbeat', 'system'].filter((t) => {
    const host = 'host-checks.yaml';
    const files = { http: 'http-service.yaml', tcp: 'tcp-service.yaml', process: 'process-service.yaml', custom: 'custom-service.yaml', docker: 'docker-service.json', disk: host, file: host, certificate: host, heartbeat: host, system: host } as const;
    return !readFileSync(path.join(ROOT, 'docs/examples', files[t as keyof typeof files]), 'utf8').match(new RegExp(`type"?: "?${t}`));
  });
  assert.deepEqual(text, [], 'check types without an example');
});
