// Validates what the status store writes against the published schemas/status.schema.json
// (the file users and editors see, not the TypeBox source), and each service's status on
// every change against the same file's service definition.
import { readFileSync } from 'node:fs';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';

let cached: { doc: ValidateFunction; service: ValidateFunction } | undefined;

function validators() {
  if (!cached) {
    const schema = JSON.parse(readFileSync(new URL('../../schemas/status.schema.json', import.meta.url), 'utf8')) as Record<string, any>;
    const ajv = new Ajv2020({ allErrors: false, strict: false });
    const doc = ajv.compile(schema);
    const service = ajv.compile({ ...schema.properties.services.additionalProperties, $id: 'service-status' });
    cached = { doc, service };
  }
  return cached;
}

function problems(v: ValidateFunction): string {
  return (v.errors ?? []).slice(0, 3).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`).join('; ');
}

/** null when valid, else what is wrong. */
export function documentProblems(text: string): string | null {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    return `not JSON: ${(e as Error).message}`;
  }
  const v = validators().doc;
  return v(doc) ? null : problems(v);
}

export function serviceProblems(status: unknown): string | null {
  const v = validators().service;
  return v(status) ? null : problems(v);
}
