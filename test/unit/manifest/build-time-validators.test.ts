// The validators `make build` compiles with ajv at build time (scripts/compile-validators.ts,
// dist/src/manifest/schema-validators.cjs) say exactly what the ones compiled at run time say:
// every bad fixture, through the built `vaictl validate`, gives the lines validatePaths gives
// from src/ (where no build-time file exists, so ajv compiles the schemas itself).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeError, validatePaths } from '../../../src/manifest/index.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const FIXTURES = path.join(ROOT, 'test/fixtures/manifests/bad');
const BUILT = path.join(ROOT, 'dist/src/manifest/schema-validators.cjs');

test('make build wrote the build-time validators', () => {
  assert.ok(existsSync(BUILT), `${BUILT} is missing: run make build`);
});

test('build-time validators report what run-time ones do, for every bad fixture', async () => {
  const files = readdirSync(FIXTURES).map((f) => path.join(FIXTURES, f));
  const expected = (await validatePaths(files)).map((e) => `${path.relative(ROOT, e.file)}:${e.line}:${e.column}: ${describeError(e)} [${e.code}]`);
  assert.ok(expected.length >= files.length, 'every fixture gives an error');
  const r = spawnSync(process.execPath, [path.join(ROOT, 'dist/src/cli/vaictl.js'), 'validate', ...files], { encoding: 'utf8', cwd: ROOT });
  const got = `${r.stdout}${r.stderr}`.split('\n').filter((l) => / \[VAI_E_\w+\]$/.test(l));
  assert.deepEqual(got.sort(), expected.sort());
});
