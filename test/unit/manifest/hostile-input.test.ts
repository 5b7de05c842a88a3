// Whatever the bytes, loading a manifest returns errors with positions; it never throws.
// (The large fuzzing campaign lives with the robustness tests; this keeps the contract local.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { loadFileText } from '../../../src/manifest/load-file.js';
import { service } from './helpers.js';

function assertWellFormed(text: string, file: string) {
  const r = loadFileText(text, file);
  for (const e of r.errors) {
    assert.ok(Number.isInteger(e.line) && e.line >= 1, `line ${e.line} for ${JSON.stringify(e)}`);
    assert.ok(Number.isInteger(e.column) && e.column >= 1, `column ${e.column}`);
    assert.ok(e.message.length > 0);
  }
}

test('deeply nested input is an error, not a crash', () => {
  const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
  const r = loadFileText(deep, 'deep.yaml');
  assert.equal(r.errors.length, 1);
  assert.equal(r.errors[0]!.code, 'VAI_E_MANIFEST_SYNTAX');
});

test('random text, random bytes and mutated manifests never throw and every error has a position', () => {
  const base = service('web', { deps: ['db'] });
  fc.assert(
    fc.property(
      fc.oneof(
        fc.string({ maxLength: 400 }),
        fc.uint8Array({ maxLength: 400 }).map((b) => Buffer.from(b).toString('utf8')),
        fc.tuple(fc.nat({ max: base.length }), fc.nat({ max: 40 }), fc.string({ maxLength: 20 })).map(([at, del, ins]) => base.slice(0, at) + ins + base.slice(at + del)),
        fc.jsonValue({ maxDepth: 6 }).map((v) => JSON.stringify({ apiVersion: 'vai/v1', kind: 'Service', metadata: { name: 'x' }, spec: v })),
      ),
      fc.constantFrom('a.yaml', 'a.json', 'system-config.json'),
      (text, file) => assertWellFormed(text, file),
    ),
    { numRuns: 1_500 },
  );
});

test('an alias to an anchor of another document is named as such, not as an alias bomb', () => {
  const text = `${service('a').replace('  health_check:', '  health_check: &hc')}---\n${service('b').replace(/  health_check:\n    type: tcp\n    port: 8080\n/, '  health_check: *hc\n')}`;
  const r = loadFileText(text, 'alias.yaml');
  assert.deepEqual(r.errors.map((e) => `${e.line}:${e.column}: ${e.message}`), ['11:1: alias *hc names no anchor before it in this document (anchors do not carry across ---)']);
});
