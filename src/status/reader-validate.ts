// The reader's validators: the writer's own schemas (schema.ts: StatusDocumentSchema,
// StatusSummarySchema), compiled by ajv at build time (scripts/compile-validators.ts writes
// dist/src/status/status-*-validator.cjs), so `vaictl get` loads neither TypeBox nor ajv's
// compiler. Without a build (tests run src/ with tsx) the published schemas/*.json, rendered
// from the same definitions (test/unit/schemas.test.ts keeps them in step), are compiled here.
// ajv's errors become one message a person can act on: the field's path, what it must be, and
// what the file holds.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

export const READER_SCHEMAS = { StatusDocument: 'status.schema.json', StatusSummary: 'status-summary.schema.json' } as const;
export type ReaderSchema = keyof typeof READER_SCHEMAS;
/** The compiled validators: one per schema that answers yes or no, and the document's that names every wrong field. */
export type ReaderValidator = ReaderSchema | 'StatusDocumentErrors';
const SCHEMA_OF: Record<ReaderValidator, ReaderSchema> = { StatusDocument: 'StatusDocument', StatusDocumentErrors: 'StatusDocument', StatusSummary: 'StatusSummary' };

interface AjvError {
  keyword: string;
  instancePath: string;
  schemaPath: string;
  params: Record<string, unknown>;
  data?: unknown;
  parentSchema?: Record<string, unknown>;
}
type Validate = ((doc: unknown) => boolean) & { errors?: AjvError[] | null };

/**
 * The options each validator is compiled with, at build time and here. A valid document is
 * the common case and must be cheap: the yes/no validators stop at the first error and keep no
 * data (allErrors with verbose took 40–100 ms on a 1,000-service document, the yes/no one a few).
 * Only a document that fails is run again through StatusDocumentErrors, which names every wrong
 * field with its value; a summary that fails is just not used (status.json is read instead).
 */
// unicode: false counts a string's length in UTF-16 units, so the compiled code needs no
// ajv/dist/runtime helper: a copied dist or a vaictl bundle runs it without node_modules.
export const READER_AJV_OPTIONS: Record<ReaderValidator, { allErrors: boolean; strict: false; verbose: boolean; unicode: false }> = {
  StatusDocument: { allErrors: false, strict: false, verbose: false, unicode: false },
  StatusDocumentErrors: { allErrors: true, strict: false, verbose: true, unicode: false },
  StatusSummary: { allErrors: false, strict: false, verbose: false, unicode: false },
};

/**
 * ajv's logger for the reader's validators: ajv 8 calls `unicode` deprecated but still honours
 * it, and it is chosen on purpose (above), so its warning on every compile is dropped; every
 * other message goes to the console as ajv's default logger would send it.
 */
export const READER_AJV_LOGGER = {
  log: (...args: unknown[]): void => console.log(...args),
  warn: (...args: unknown[]): void => {
    if (typeof args[0] === 'string' && args[0].startsWith('DEPRECATED: option unicode.')) return;
    console.warn(...args);
  },
  error: (...args: unknown[]): void => console.error(...args),
};

/** Which schema a validator checks. */
export function schemaOf(kind: ReaderValidator): ReaderSchema {
  return SCHEMA_OF[kind];
}

/** The build's file of one validator, beside this module in dist/src/status/. */
export function validatorFile(kind: ReaderValidator): string {
  const base = READER_SCHEMAS[SCHEMA_OF[kind]].replace('.schema.json', '');
  return kind === 'StatusDocumentErrors' ? `${base}-errors-validator.cjs` : `${base}-validator.cjs`;
}

const compiled: Partial<Record<ReaderValidator, Validate>> = {};

function validator(kind: ReaderValidator): Validate {
  const have = compiled[kind];
  if (have) return have;
  // The bundle of vaictl (scripts/bundle-vaictl.ts) and dist/src/status/ are both one level under dist/src.
  const require = createRequire(import.meta.url);
  let v: Validate | undefined;
  try {
    v = require(`../status/${validatorFile(kind)}`) as Validate;
  } catch {
    v = undefined;
  }
  if (typeof v !== 'function') {
    const { Ajv2020 } = require('ajv/dist/2020.js') as typeof import('ajv/dist/2020.js');
    v = new Ajv2020({ ...READER_AJV_OPTIONS[kind], logger: READER_AJV_LOGGER }).compile(JSON.parse(readFileSync(schemaFile(READER_SCHEMAS[SCHEMA_OF[kind]]), 'utf8')) as object) as unknown as Validate;
  }
  compiled[kind] = v;
  return v;
}

/** schemas/NAME from src/status/ (tsx) or dist/src/status/ and dist/src/cli/ (a build). */
function schemaFile(name: string): string {
  for (const rel of ['../../schemas/', '../../../schemas/']) {
    const file = fileURLToPath(new URL(rel + name, import.meta.url));
    if (existsSync(file)) return file;
  }
  throw new Error(`the published schema ${name} is missing: run make schemas`);
}

export interface Problem {
  /** Dotted path of the field, e.g. services.redis.counters.checks; '' for the document. */
  path: string;
  expected: string;
  got: unknown;
}

/** Null when doc matches the schema, else the wrong fields (one per field, at most `max`). */
export function schemaProblems(kind: ReaderSchema, doc: unknown, max = 5): Problem[] | null {
  if (validator(kind)(doc)) return null;
  // The yes/no validator found a problem: the document's errors validator names every one.
  const detail = kind === 'StatusDocument' ? validator('StatusDocumentErrors') : validator(kind);
  if (kind === 'StatusDocument' && detail(doc)) return null;
  return problemsOf(detail.errors ?? [], max);
}

function problemsOf(errors: readonly AjvError[], max: number): Problem[] {
  // A union's branches each fail; the union says it once, by what it allows.
  const unions = errors.filter((e) => e.keyword === 'anyOf').map((e) => `${e.schemaPath}/`);
  const own = errors.filter((e) => !unions.some((u) => e.schemaPath.startsWith(u)));
  const missingFields = new Map<string, string[]>();
  for (const e of own) if (e.keyword === 'required') missingFields.set(e.instancePath, [...(missingFields.get(e.instancePath) ?? []), String(e.params.missingProperty)]);
  const out: Problem[] = [];
  const seen = new Set<string>();
  for (const e of own) {
    const p = problemOf(e, missingFields);
    if (seen.has(p.path)) continue;
    seen.add(p.path);
    out.push(p);
    if (out.length === max) break;
  }
  return out;
}

function problemOf(e: AjvError, missingFields: ReadonlyMap<string, string[]>): Problem {
  const at = e.instancePath.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~')).filter((s) => s !== '');
  const schema = e.parentSchema ?? {};
  if (e.keyword === 'required') {
    // Said once for the object, with every field it lacks (ajv reports each apart).
    const missing = missingFields.get(e.instancePath) ?? [String(e.params.missingProperty)];
    return { path: at.join('.'), expected: `an object with ${missing.join(', ')}`, got: e.data };
  }
  if (e.keyword === 'additionalProperties') {
    const prop = String(e.params.additionalProperty);
    return { path: [...at, prop].join('.'), expected: `no such field (known: ${Object.keys((schema.properties ?? {}) as object).join(', ')})`, got: (e.data as Record<string, unknown> | undefined)?.[prop] };
  }
  if (e.keyword === 'maxItems') return { path: at.join('.'), expected: `at most ${String(schema.maxItems)} items`, got: e.data };
  if (e.keyword === 'maxLength') return { path: at.join('.'), expected: `at most ${String(schema.maxLength)} characters`, got: e.data };
  return { path: at.join('.'), expected: expectedOf(schema), got: e.data };
}

const TYPE_WORDS: Record<string, string> = { string: 'a string', object: 'an object', array: 'an array', boolean: 'true or false', null: 'null' };

/** What a schema allows, in words: "an integer >= 0", "Running, Stopped or Disabled", "a string or null". */
export function expectedOf(schema: Record<string, unknown>): string {
  if ('const' in schema) return JSON.stringify(schema.const);
  const branches = (schema.anyOf ?? schema.oneOf) as Array<Record<string, unknown>> | undefined;
  if (branches) {
    const words = [...new Set(branches.map(expectedOf))];
    return words.length === 1 ? words[0]! : `${words.slice(0, -1).join(', ')} or ${words.at(-1)!}`;
  }
  const t = schema.type;
  if (t === 'integer' || t === 'number') {
    const min = schema.minimum;
    return `${t === 'integer' ? 'an integer' : 'a number'}${min !== undefined ? ` >= ${String(min)}` : ''}`;
  }
  if (t === 'string' && typeof schema.pattern === 'string') return `a string matching /${schema.pattern}/`;
  return typeof t === 'string' ? (TYPE_WORDS[t] ?? t) : 'a value';
}

/** A value as a message shows it: short JSON, "nothing" when absent. */
export function describeValue(v: unknown): string {
  if (v === undefined) return 'nothing';
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 40 ? `${s.slice(0, 37)}...` : s;
}
