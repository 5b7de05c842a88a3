import { test } from 'node:test';
import assert from 'node:assert/strict';
import { READER_AJV_LOGGER, schemaProblems } from '../../../src/status/reader-validate.js';
import { demoStatus } from '../../fixtures/status/synthetic.js';

// Run from src/ (no build), the reader compiles its validators with ajv at first use: ajv 8
// printed "DEPRECATED: option unicode" to stderr at every compile (in vaictl's output, in every
// build and test log) for an option chosen on purpose.
test('compiling the reader validators prints nothing, and a real ajv warning still gets through', (t) => {
  const warned: unknown[][] = [];
  const warn = console.warn;
  console.warn = (...args: unknown[]) => void warned.push(args);
  t.after(() => {
    console.warn = warn;
  });
  const doc = demoStatus(Date.now());
  assert.equal(schemaProblems('StatusDocument', doc), null, 'the demo document is valid');
  const bad = { ...doc, services: { x: { name: 7 } } };
  assert.ok(schemaProblems('StatusDocument', bad)?.length, 'a damaged document is still named');
  assert.ok(schemaProblems('StatusSummary', { bogus: true })?.length, 'a damaged summary is refused');
  assert.deepEqual(warned, []);

  READER_AJV_LOGGER.warn('something ajv really means');
  assert.deepEqual(warned, [['something ajv really means']]);
});
