// Validation of one document against the TypeBox-made JSON Schema with ajv (defaults applied
// in place), and the translation of ajv's errors into messages a person can act on.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { ErrorObject, Options, ValidateFunction } from 'ajv';
import { API_VERSION } from './api-version.js';
import { DNS1123_LABEL } from '../core/service-name.js';
import type { ManifestError } from './types.js';
import { errorAt, type Candidate } from './candidate.js';
import { didYouMean } from './closest-match.js';
import type { FieldPath } from './source-document.js';

const KINDS = ['Service', 'Notifier', 'Maintenance'] as const;
export type Kind = (typeof KINDS)[number];

let validators: Record<Kind, ValidateFunction> | undefined;

/** The schema of each kind (scripts/compile-validators.ts compiles them at build time). */
export async function schemasByKind(): Promise<Record<Kind, object>> {
  const { MaintenanceManifestSchema, NotifierManifestSchema, ServiceManifestSchema } = await import('./schema.js');
  return { Service: ServiceManifestSchema, Notifier: NotifierManifestSchema, Maintenance: MaintenanceManifestSchema };
}

/**
 * Without a build (tests run src/ with tsx): each kind's schema from the published
 * schemas/service.schema.json (its allOf holds one `if kind = K then SCHEMA` per kind; a test keeps
 * the file and schema.ts in step), so this module never loads the schema builder.
 */
function publishedSchemas(): Record<Kind, object> {
  let file: string | undefined;
  for (const rel of ['../../schemas/service.schema.json', '../../../schemas/service.schema.json']) {
    const f = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(f)) file = f;
  }
  if (!file) throw new Error('schemas/service.schema.json is missing: run make schemas');
  const doc = JSON.parse(readFileSync(file, 'utf8')) as { allOf: Array<{ if: { properties: { kind: { const: string } } }; then: object }> };
  const out: Partial<Record<Kind, object>> = {};
  for (const branch of doc.allOf) out[branch.if.properties.kind.const as Kind] = branch.then;
  for (const k of KINDS) if (!out[k]) throw new Error(`schemas/service.schema.json has no schema for kind ${k}: run make schemas`);
  return out as Record<Kind, object>;
}

/** The ajv every validator is compiled with, at build time and (without a build) at run time. */
export function newAjv(code?: Options['code']): import('ajv/dist/2020.js').Ajv2020 {
  const { Ajv2020 } = createRequire(import.meta.url)('ajv/dist/2020.js') as typeof import('ajv/dist/2020.js');
  // strictRequired is off: `then: {required: [...]}` names properties defined beside the `if`.
  return new Ajv2020({ useDefaults: true, allErrors: true, strict: true, strictRequired: false, verbose: true, ...(code ? { code } : {}) });
}

function compiled(): Record<Kind, ValidateFunction> {
  if (!validators) {
    // Compiled by `make build` (scripts/compile-validators.ts); from src/ (tsx) there is none.
    let built: Record<Kind, ValidateFunction> | undefined;
    try {
      built = createRequire(import.meta.url)('./schema-validators.cjs') as Record<Kind, ValidateFunction>;
    } catch {
      built = undefined;
    }
    if (built?.Service && built.Notifier && built.Maintenance) validators = { Service: built.Service, Notifier: built.Notifier, Maintenance: built.Maintenance };
    else {
      const ajv = newAjv();
      const schemas = publishedSchemas();
      validators = { Service: ajv.compile(schemas.Service), Notifier: ajv.compile(schemas.Notifier), Maintenance: ajv.compile(schemas.Maintenance) };
    }
  }
  return validators;
}

function show(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return String(value);
}

const TYPE_WORDS: Record<string, string> = {
  integer: 'an integer',
  number: 'a number',
  string: 'a string',
  boolean: 'true or false',
  object: 'a mapping (key: value)',
  array: 'a list',
  null: 'empty',
};

function typeWord(schema: Record<string, unknown>): string {
  const t = schema.type;
  return typeof t === 'string' ? (TYPE_WORDS[t] ?? t) : 'a value';
}

function range(schema: Record<string, unknown>): string {
  const min = schema.minimum ?? schema.exclusiveMinimum;
  const max = schema.maximum ?? schema.exclusiveMaximum;
  if (min !== undefined && max !== undefined) return ` from ${String(min)} to ${String(max)}`;
  if (min !== undefined) return ` of at least ${String(min)}`;
  if (max !== undefined) return ` of at most ${String(max)}`;
  return '';
}

function pointerToPath(pointer: string): (string | number)[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

function literals(schema: unknown): unknown[] | undefined {
  const s = schema as { anyOf?: { const?: unknown }[]; enum?: unknown[] };
  if (Array.isArray(s.enum)) return s.enum;
  if (Array.isArray(s.anyOf) && s.anyOf.every((b) => b && 'const' in b)) return s.anyOf.map((b) => b.const);
  return undefined;
}

function translate(c: Candidate, e: ErrorObject): ManifestError | undefined {
  const path = pointerToPath(e.instancePath);
  const parent = (e.parentSchema ?? {}) as Record<string, unknown>;
  const data = e.data;
  const err = (p: FieldPath, at: 'key' | 'value', msg: string) => errorAt(c, p, at, 'VAI_E_MANIFEST_SCHEMA', msg);
  switch (e.keyword) {
    case 'if':
      return undefined;
    case 'additionalProperties': {
      const prop = String((e.params as { additionalProperty: string }).additionalProperty);
      const known = Object.keys((parent.properties ?? {}) as object);
      const list = known.length <= 20 ? ` (known fields: ${known.join(', ')})` : '';
      const hint = didYouMean(prop, known);
      return err([...path, prop], 'key', `unknown field "${prop}"${hint || list}`);
    }
    case 'required': {
      const prop = String((e.params as { missingProperty: string }).missingProperty);
      const d = data as Record<string, unknown> | undefined;
      const when = /\/then\/required$/.test(e.schemaPath) && d && typeof d.type === 'string' ? ` when type is ${d.type}` : '';
      return err(path, 'key', `missing required field "${prop}"${when}`);
    }
    case 'type':
      return err(path, 'value', `must be ${typeWord(parent)}${range(parent)}, got ${show(data)}`);
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return err(path, 'value', `must be ${typeWord(parent)}${range(parent)}, got ${show(data)}`);
    case 'pattern':
      if (parent.pattern === DNS1123_LABEL) {
        return err(path, 'value', `must be a DNS-1123 label (lower-case letters, digits and "-", starting and ending with a letter or digit), got ${show(data)}`);
      }
      return err(path, 'value', `must match /${String(parent.pattern)}/, got ${show(data)}`);
    case 'minLength':
      return err(path, 'value', parent.minLength === 1 ? 'must not be empty' : `must be at least ${String(parent.minLength)} characters long`);
    case 'maxLength':
      return err(path, 'value', `must be at most ${String(parent.maxLength)} characters long, got ${String((data as string).length)}`);
    case 'minItems':
      return err(path, 'value', `must list at least ${String(parent.minItems)} item(s)`);
    case 'maxItems':
      return err(path, 'value', `must list at most ${String(parent.maxItems)} items, got ${String((data as unknown[]).length)}`);
    case 'uniqueItems': {
      const j = (e.params as { j: number }).j;
      return err([...path, j], 'value', `lists ${show((data as unknown[])[j])} twice`);
    }
    case 'const':
      return err(path, 'value', `must be ${JSON.stringify(e.schema)}, got ${show(data)}`);
    case 'anyOf':
    case 'enum': {
      const options = literals(parent) ?? literals(e.schema) ?? literals({ enum: e.schema });
      if (options) {
        const hint = typeof data === 'string' ? didYouMean(data, options.map(String)) : '';
        return err(path, 'value', `must be one of ${options.map(String).join(', ')}, got ${show(data)}${hint}`);
      }
      return err(path, 'value', e.message ?? 'is not valid');
    }
    default:
      return err(path, 'value', e.message ?? 'is not valid');
  }
}

/** Errors of a branch of an anyOf of literals are said once, by the anyOf. */
function dropBranchErrors(errors: ErrorObject[]): ErrorObject[] {
  const unions = errors.filter((e) => e.keyword === 'anyOf').map((e) => e.schemaPath);
  return errors.filter((e) => e.keyword === 'anyOf' || !unions.some((u) => e.schemaPath.startsWith(`${u}/`)));
}

function checkEnvelope(c: Candidate): ManifestError[] {
  const d = c.data;
  const out: ManifestError[] = [];
  const kindErr = (p: FieldPath, at: 'key' | 'value', msg: string) => errorAt(c, p, at, 'VAI_E_MANIFEST_KIND', msg);
  if (!('apiVersion' in d)) out.push(kindErr([], 'value', `missing required field "apiVersion" (expected apiVersion: ${API_VERSION})`));
  else if (d.apiVersion !== API_VERSION) out.push(kindErr(['apiVersion'], 'value', `must be "${API_VERSION}", got ${show(d.apiVersion)}`));
  if (!('kind' in d)) out.push(kindErr([], 'value', `missing required field "kind" (expected one of ${KINDS.join(', ')})`));
  else if (!KINDS.includes(d.kind as Kind)) {
    const hint = typeof d.kind === 'string' ? didYouMean(d.kind, KINDS) : '';
    out.push(kindErr(['kind'], 'value', `must be one of ${KINDS.join(', ')}, got ${show(d.kind)}${hint}`));
  }
  return out;
}

/**
 * Validates the candidate in place (defaults filled in). Returns its kind when valid.
 */
export function validateCandidate(c: Candidate): { kind?: Kind; errors: ManifestError[] } {
  if (c.data === null || typeof c.data !== 'object' || Array.isArray(c.data)) {
    return {
      errors: [errorAt(c, [], 'value', 'VAI_E_MANIFEST_SCHEMA', `a manifest must be a mapping with apiVersion, kind, metadata and spec, got ${show(c.data)}`)],
    };
  }
  const envelope = checkEnvelope(c);
  if (envelope.length > 0) return { errors: envelope };
  const kind = c.data.kind as Kind;
  const validate = compiled()[kind];
  if (validate(c.data)) return { kind, errors: [] };
  const seen = new Set<string>();
  const errors: ManifestError[] = [];
  for (const e of dropBranchErrors(validate.errors ?? [])) {
    const m = translate(c, e);
    if (!m || seen.has(m.message)) continue;
    seen.add(m.message);
    errors.push(m);
  }
  return { errors };
}
