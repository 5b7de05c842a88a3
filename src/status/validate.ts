// Validation of status documents against the published schema (schemas/status.schema.json is
// rendered from the same TypeBox definition). Used when reloading after a restart and by tests.
import { Ajv2020 } from 'ajv/dist/2020.js';
import { StatusDocumentSchema, type StatusDocument } from './schema.js';

let compiled: ((doc: unknown) => boolean) & { errors?: unknown } | undefined;

function validator() {
  if (!compiled) {
    const ajv = new Ajv2020({ allErrors: true, strict: false });
    compiled = ajv.compile(StatusDocumentSchema);
  }
  return compiled;
}

/** Returns null when doc is a valid status document, else the schema problems in one line. */
export function statusDocumentProblems(doc: unknown): string | null {
  const v = validator();
  if (v(doc)) return null;
  const errs = (v.errors ?? []) as Array<{ instancePath: string; message?: string }>;
  return errs.slice(0, 5).map((e) => `${e.instancePath || '/'} ${e.message ?? 'is invalid'}`).join('; ');
}

export function isStatusDocument(doc: unknown): doc is StatusDocument {
  return statusDocumentProblems(doc) === null;
}
