// Validation of status documents against the writer's schema, through the reader's validators
// (reader-validate.ts: compiled at build time, so neither vaid's reload after a restart nor a
// test loads TypeBox or ajv's compiler for it). Used when reloading after a restart and by tests.
import type { StatusDocument } from './schema.js';
import { describeValue, schemaProblems } from './reader-validate.js';

/** Returns null when doc is a valid status document, else the schema problems in one line. */
export function statusDocumentProblems(doc: unknown): string | null {
  const problems = schemaProblems('StatusDocument', doc);
  if (!problems) return null;
  return problems.map((p) => `${p.path || '/'}: must be ${p.expected}, is ${describeValue(p.got)}`).join('; ');
}

export function isStatusDocument(doc: unknown): doc is StatusDocument {
  return statusDocumentProblems(doc) === null;
}
