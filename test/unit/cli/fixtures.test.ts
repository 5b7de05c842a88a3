import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { StatusDocumentSchema } from '../../../src/status/schema.js';
import { syntheticStatus } from '../../fixtures/status/synthetic.js';

const validate = new Ajv2020({ allErrors: true, strict: false }).compile(StatusDocumentSchema);
const load = (name: string): unknown => JSON.parse(readFileSync(new URL(`../../fixtures/status/${name}`, import.meta.url), 'utf8'));

for (const name of ['demo.json', 'empty.json', 'future-format.json']) {
  test(`fixture ${name} is a valid status document, so tests read what vaid writes`, () => {
    assert.ok(validate(load(name)), JSON.stringify(validate.errors, null, 2));
  });
}

test('the synthetic 1,000-service document is valid too', () => {
  assert.ok(validate(syntheticStatus(1000, Date.parse('2026-11-27T21:00:00Z'))), JSON.stringify(validate.errors?.slice(0, 3), null, 2));
});
