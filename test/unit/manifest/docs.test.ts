// docs/manifests.md documents every field of the schema, and every example in docs/examples
// is valid: a field added to src/manifest/schema.ts without a line in the docs fails here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { HealthCheckSchema, LimitsSchema, NotifierSpecSchema, ServiceSpecSchema } from '../../../src/manifest/schema.js';
import { testdir } from '../../support/testdir.js';
import { describeError, validateTree } from '../../../src/manifest/index.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

test('docs/manifests.md has a table row for every schema field', () => {
  const doc = readFileSync(path.join(ROOT, 'docs/manifests.md'), 'utf8');
  const missing = [ServiceSpecSchema, HealthCheckSchema, LimitsSchema, NotifierSpecSchema]
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

test('docs/manifests.md gives each check field and each limit the schema\'s own words and range', async () => {
  const doc = readFileSync(path.join(ROOT, 'docs/manifests.md'), 'utf8').split('\n');
  const wrong: string[] = [];
  for (const s of [HealthCheckSchema, LimitsSchema]) {
    for (const [field, v] of Object.entries(s.properties) as [string, { description?: string; minimum?: number; maximum?: number }][]) {
      const row = doc.find((l) => l.startsWith(`| \`${field}\` |`) && !l.includes('daemon'));
      const meaning = (v.description ?? '').replace(/\|/g, '\\|');
      if (!row?.endsWith(` | ${meaning} |`)) wrong.push(`${field}: meaning is not the schema's "${v.description}"`);
      if (v.minimum !== undefined && v.maximum !== undefined && !row?.includes(` ${v.minimum}–${v.maximum} |`)) wrong.push(`${field}: range is not ${v.minimum}–${v.maximum}`);
    }
  }
  assert.deepEqual(wrong, []);
});

test('every yaml example in docs/manifests.md is valid (a health_check or spec fragment inside a service)', async () => {
  const text = readFileSync(path.join(ROOT, 'docs/manifests.md'), 'utf8');
  const blocks = [...text.matchAll(/^```yaml\n([\s\S]*?)^```$/gm)].map((m) => m[1]!).filter((b) => !b.startsWith('# .github'));
  const dir = testdir();
  try {
    blocks.forEach((b, i) => {
      const indent = (s: string) => s.replace(/^(?=.)/gm, '  ');
      let doc = b;
      if (b.startsWith('health_check:')) doc = `apiVersion: vai/v1\nkind: Service\nmetadata:\n  name: ex${i}\nspec:\n  restart_cmd: "true"\n${indent(b)}`;
      else if (b.startsWith('spec:')) doc = `apiVersion: vai/v1\nkind: Service\nmetadata:\n  name: ex${i}\n${b}${/^ {2}health_check:/m.test(b) ? '' : '  health_check: { type: tcp, port: 8080 }\n'}`;
      dir.write(`ex${i}/ex.yaml`, doc);
    });
    assert.ok(blocks.length >= 10, `found ${blocks.length} yaml examples`);
    const report = await validateTree([dir.path], { checkPermissions: false });
    // An example may depend on a service another example does not define (api on postgres).
    const errors = report.errors.filter((e) => e.code !== 'VAI_E_UNKNOWN_DEPENDENCY');
    assert.deepEqual(errors.map((e) => `${path.relative(dir.path, e.file)}:${e.line}:${e.column} ${describeError(e)}`), []);
  } finally {
    dir.remove();
  }
});
