import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { renderSchemas } from '../../src/schemas.js';

test('schemas/*.json are in step with their TypeBox source (run `make schemas` after a change)', () => {
  for (const [file, text] of Object.entries(renderSchemas())) {
    assert.equal(readFileSync(new URL(`../../schemas/${file}`, import.meta.url), 'utf8'), text, `schemas/${file} is stale`);
  }
});
