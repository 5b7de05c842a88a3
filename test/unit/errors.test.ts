import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ERRORS } from '../../src/errors.js';
import { renderErrorsDoc } from '../../scripts/errors-doc.js';

test('docs/errors.md lists every error code with its fix (run `npx tsx scripts/errors-doc.ts --write`)', () => {
  const doc = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');
  assert.equal(doc, renderErrorsDoc(), 'docs/errors.md is stale');
  for (const [code, e] of Object.entries(ERRORS)) {
    assert.ok(e.summary.length > 0 && e.fix.length > 0, `${code} needs a summary and a fix`);
  }
});
