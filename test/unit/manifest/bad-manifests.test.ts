// One fixture per kind of bad manifest, each with the exact line a person sees from
// `vaictl validate`: file:line:col: message [CODE].
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeError, validatePaths, type ManifestError } from '../../../src/manifest/index.js';

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/manifests/bad');

function lines(errors: ManifestError[]): string[] {
  return errors.map((e) => `${path.relative(FIXTURES, e.file)}:${e.line}:${e.column}: ${describeError(e)} [${e.code}]`);
}

const CASES: [string, string[]][] = [
  ['syntax-error.yaml', ['syntax-error.yaml:10:1: Missing closing "quote [VAI_E_MANIFEST_SYNTAX]']],
  ['syntax-error.json', ['syntax-error.json:9:1: Flow map must end with a } [VAI_E_MANIFEST_SYNTAX]']],
  ['duplicate-key.yaml', ['duplicate-key.yaml:9:5: duplicate key "port": a key may appear once per mapping [VAI_E_MANIFEST_SYNTAX]']],
  ['bad-port.yaml', ['bad-port.yaml:8:11: spec.health_check.port: must be an integer from 1 to 65535, got "80a" [VAI_E_MANIFEST_SCHEMA]']],
  ['bad-port.json', ['bad-port.json:6:46: spec.health_check.port: must be an integer from 1 to 65535, got 70000 [VAI_E_MANIFEST_SCHEMA]']],
  [
    'unknown-field.yaml',
    [
      'unknown-field.yaml:5:1: spec: missing required field "health_check" [VAI_E_MANIFEST_SCHEMA]',
      'unknown-field.yaml:6:3: spec.helth_check: unknown field "helth_check"; did you mean "health_check"? [VAI_E_MANIFEST_SCHEMA]',
    ],
  ],
  [
    'bad-name.yaml',
    ['bad-name.yaml:4:9: metadata.name: must be a DNS-1123 label (lower-case letters, digits and "-", starting and ending with a letter or digit), got "My_Service" [VAI_E_MANIFEST_SCHEMA]'],
  ],
  ['wrong-type.yaml', ['wrong-type.yaml:6:12: spec.enabled: must be true or false, got "yes" [VAI_E_MANIFEST_SCHEMA]']],
  ['out-of-range.yaml', ['out-of-range.yaml:9:22: spec.health_check.timeout_seconds: must be a number from 0.01 to 604800, got -1 [VAI_E_MANIFEST_SCHEMA]']],
  ['missing-endpoint.yaml', ['missing-endpoint.yaml:6:3: spec.health_check: missing required field "endpoint" when type is http [VAI_E_MANIFEST_SCHEMA]']],
  [
    'bad-check-type.yaml',
    ['bad-check-type.yaml:7:11: spec.health_check.type: must be one of http, tcp, process, custom, docker, disk, file, certificate, heartbeat, system, got "htp"; did you mean "http"? [VAI_E_MANIFEST_SCHEMA]'],
  ],
  ['wrong-kind.yaml', ['wrong-kind.yaml:2:7: kind: must be one of Service, Notifier, Maintenance, got "Servce"; did you mean "Service"? [VAI_E_MANIFEST_KIND]']],
  ['wrong-api-version.yaml', ['wrong-api-version.yaml:1:13: apiVersion: must be "vai/v1", got "v1" [VAI_E_MANIFEST_KIND]']],
  ['not-a-mapping.yaml', ['not-a-mapping.yaml:1:1: a manifest must be a mapping with apiVersion, kind, metadata and spec, got a list [VAI_E_MANIFEST_SCHEMA]']],
  [
    'restart-container-without-container.yaml',
    ['restart-container-without-container.yaml:9:3: spec.restart_container: true needs spec.container (the container to restart) [VAI_E_SPEC_RULE]'],
  ],
  [
    'docker-check-without-container.yaml',
    ['docker-check-without-container.yaml:7:11: spec.health_check.type: a docker check needs spec.container (the container to inspect) [VAI_E_SPEC_RULE]'],
  ],
  ['keep-alive-on-tcp.yaml', ['keep-alive-on-tcp.yaml:9:5: spec.health_check.keep_alive: only an http check uses keep_alive (this check is tcp) [VAI_E_SPEC_RULE]']],
  ['bad-endpoint.yaml', ['bad-endpoint.yaml:8:15: spec.health_check.endpoint: must be an http:// or https:// URL, got "ftp://127.0.0.1/" [VAI_E_SPEC_RULE]']],
  ['self-dependency.yaml', ['self-dependency.yaml:10:22: spec.dependencies[1]: service "web" cannot depend on itself [VAI_E_DEP_CYCLE]']],
  [
    'billion-laughs.yaml',
    ['billion-laughs.yaml:1:1: too many alias expansions (more than 100): refused as a resource exhaustion attack [VAI_E_MANIFEST_SYNTAX]'],
  ],
  [
    'legacy',
    ['legacy/system-config.json:9:17: services.minio.health_check.port: must be an integer from 1 to 65535, got "9000x" [VAI_E_MANIFEST_SCHEMA]'],
  ],
  [
    'unknown-dependency',
    ['unknown-dependency/api.yaml:9:7: spec.dependencies[0]: unknown service "postgress"; did you mean "postgres"? [VAI_E_UNKNOWN_DEPENDENCY]'],
  ],
  [
    'cycle',
    [
      'cycle/a.yaml:8:18: spec.dependencies[0]: dependency cycle: a -> b -> c -> a [VAI_E_DEP_CYCLE]',
      'cycle/b.yaml:8:18: spec.dependencies[0]: dependency cycle: a -> b -> c -> a [VAI_E_DEP_CYCLE]',
      'cycle/c.yaml:8:18: spec.dependencies[0]: dependency cycle: a -> b -> c -> a [VAI_E_DEP_CYCLE]',
    ],
  ],
  ['duplicate-name', ['duplicate-name/b.yaml:4:9: metadata.name: service "web" is defined twice: here and at a.yaml:4:3 [VAI_E_DUPLICATE_NAME]']],
];

for (const [fixture, expected] of CASES) {
  test(`bad manifest ${fixture}: ${expected[0]!.replace(/^[^ ]+ /, '').slice(0, 70)}`, async () => {
    const errors = await validatePaths([path.join(FIXTURES, fixture)]);
    assert.deepEqual(lines(errors), expected);
  });
}

test('every bad fixture is covered by a case above', async () => {
  const { readdirSync } = await import('node:fs');
  const covered = new Set(CASES.map(([f]) => f));
  assert.deepEqual(readdirSync(FIXTURES).filter((f) => !covered.has(f)), []);
});
