// Writes schemas/*.json from the TypeBox definitions, the single source of truth.
// `make schemas` runs it; test/unit/schemas.test.ts fails when the files are out of step.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { renderSchemas } from '../src/schemas.js';

// Run from the repository root (the Makefile does).
const root = path.resolve(process.argv[2] ?? '.');
for (const [file, text] of Object.entries(renderSchemas())) {
  writeFileSync(path.join(root, 'schemas', file), text);
}
