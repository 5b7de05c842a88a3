// The seed's system-config.json: it loads unchanged with the seed's meaning, and converts to
// native manifests that validate.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { testdir } from '../../support/testdir.js';
import { convertLegacy, describeError, loadDesiredState, validatePaths } from '../../../src/manifest/index.js';

const EXAMPLE = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../../docs/examples/system-config.json');

test("the seed's example system-config.json loads with the seed's meaning", async () => {
  const d = testdir({ 'system-config.json': readFileSync(EXAMPLE, 'utf8') });
  try {
    const s = await loadDesiredState({ dir: d.path });
    assert.deepEqual(s.errors, []);
    const minio = s.services.get('minio')!;
    assert.equal(minio.format, 'legacy');
    assert.equal(minio.spec.container, 'services-container', 'container: services means services-container');
    assert.equal(minio.spec.enabled, true);
    assert.equal(minio.spec.type, 'daemon');
    assert.equal(minio.spec.health_check.type, 'http');
    assert.equal(minio.spec.health_check.endpoint, 'http://localhost:9000/minio/health/live');
    assert.equal(minio.spec.health_check.interval_seconds, 60);
    assert.equal(minio.spec.health_check.timeout_seconds, 5);
    assert.equal(minio.spec.startup_delay_seconds, 5, "the seed's sleep 5");
    assert.equal(minio.spec.max_failures, 3, "the seed's MAX_FAILURES");
    assert.equal(minio.spec.failure_window_seconds, 300, "the seed's FAILURE_WINDOW");
    assert.equal(minio.spec.notify_on_fail, 'alerts');
    assert.match(minio.spec.restart_cmd!, /&$/);
    assert.deepEqual(minio.source, { file: d.join('system-config.json'), line: 3, column: 5 });
  } finally {
    d.remove();
  }
});

test('legacy: a service without "enabled": true is disabled, as the seed skipped it', async () => {
  const d = testdir({
    'config.json': JSON.stringify({
      settings: { unrelated: true },
      services: {
        a: { health_check: { type: 'process', process_name: 'a' }, restart_cmd: 'a' },
        b: { enabled: true, description: 'B service', health_check: { type: 'custom', command: 'true' }, restart_cmd: 'b', dependencies: ['a'] },
      },
    }, null, 2),
  });
  try {
    const s = await loadDesiredState({ dir: d.path });
    assert.deepEqual(s.errors, []);
    assert.equal(s.services.get('a')!.spec.enabled, false);
    assert.equal(s.services.get('a')!.spec.container, undefined, 'no container: runs on the host');
    assert.equal(s.services.get('b')!.annotations.description, 'B service');
  } finally {
    d.remove();
  }
});

test('legacy errors point into the legacy file with its own field paths', async () => {
  const d = testdir({
    'system-config.json': '{\n  "services": {\n    "Bad_Name": {"enabled": true, "health_check": {"type": "tcp", "port": 1}, "restart_cmd": "x"},\n    "ok": {"enabled": true, "helthcheck": {}, "restart_cmd": "x"}\n  }\n}\n',
  });
  try {
    const errors = await validatePaths([d.path]);
    assert.deepEqual(errors.map((e) => `${e.line}:${e.column}: ${describeError(e)}`), [
      '3:5: services.Bad_Name: must be a DNS-1123 label (lower-case letters, digits and "-", starting and ending with a letter or digit), got "Bad_Name"',
      '4:5: services.ok: missing required field "health_check"',
      '4:29: services.ok.helthcheck: unknown field "helthcheck"; did you mean "health_check"?',
    ]);
  } finally {
    d.remove();
  }
});

test('convert: the seed example becomes native YAML with the modeline, and the output validates', async () => {
  const out = convertLegacy(readFileSync(EXAMPLE, 'utf8'), EXAMPLE);
  assert.deepEqual(out.errors, []);
  assert.equal(out.documents.length, 1);
  // The link is the repository's schema, as the docs write it, not a website that does not exist.
  const link = /^# yaml-language-server: \$schema=(\S+)\n/.exec(out.yaml)?.[1];
  assert.equal(link, '../schemas/service.schema.json');
  assert.ok(existsSync(new URL(`../../../manifests/${link}`, import.meta.url)), `${link} from manifests/ is the shipped schema`);
  assert.match(out.yaml, /\n {2}container: services-container\n/);
  assert.doesNotMatch(out.yaml, /startup_delay_seconds/, 'defaults are not spelled out');
  const d = testdir({ 'services.yaml': out.yaml });
  try {
    const s = await loadDesiredState({ dir: d.path });
    assert.deepEqual(s.errors, []);
    const converted = s.services.get('minio')!;
    const legacy = (await loadDesiredState({ dir: path.dirname(EXAMPLE) })).services.get('minio')!;
    assert.deepEqual(converted.spec, legacy.spec, 'the converted service means exactly what the legacy one did');
    assert.equal(converted.format, 'native');
  } finally {
    d.remove();
  }
});

test('convert reports problems with positions instead of printing half a result', () => {
  const out = convertLegacy('{"services": {"a": {"enabled": true, "health_check": {"type": "tcp", "port": 1}, "restart_cmd": "x", "dependencies": ["zz"]}}}', 'x.json');
  assert.deepEqual(out.errors.map(describeError), ['services.a.dependencies: unknown service "zz"']);
  const notLegacy = convertLegacy('{"apiVersion": "vai/v1"}', 'x.json');
  assert.deepEqual(notLegacy.errors.map((e) => `${e.line}:${e.column}: ${e.message}`), ['1:1: a legacy system-config.json needs a "services" mapping of name -> service']);
});
