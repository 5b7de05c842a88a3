// One manifest file from text to definitions: parse, pick native or legacy, validate each
// document against the schema, then the per-document rules. A file either yields all its
// definitions or errors; the caller decides what a failing file means.
import path from 'node:path';
import type { MaintenanceManifest, MaintenanceSpec, NotifierManifest, NotifierSpec, ServiceManifest, ServiceSpec } from './schema.js';
import type { ManifestError, SourcePosition } from './types.js';
import { nativeCandidate, type Candidate } from './candidate.js';
import { parseSource, type ParseSource } from './source-document.js';
import { isLegacyDocument, legacyCandidates } from './legacy-config.js';
import { validateCandidate } from './schema-validator.js';
import { checkServiceRules, checkServiceWarnings } from './spec-rules.js';
import { checkPathSafety } from './path-safety.js';
import { checkNotifierRules } from './notifier-rules.js';
import { checkMaintenanceRules } from './maintenance-rules.js';

interface DefinitionBase {
  name: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  source: SourcePosition;
  format: 'native' | 'legacy';
  /** The candidate it came from, to place errors on its fields. */
  candidate: Candidate;
}

export interface ServiceDefinition extends DefinitionBase {
  kind: 'Service';
  spec: ServiceSpec;
}

export interface NotifierDefinition extends DefinitionBase {
  kind: 'Notifier';
  spec: NotifierSpec;
}

export interface MaintenanceDefinition extends DefinitionBase {
  kind: 'Maintenance';
  spec: MaintenanceSpec;
}

export type Definition = ServiceDefinition | NotifierDefinition | MaintenanceDefinition;

export interface FileResult {
  file: string;
  definitions: Definition[];
  errors: ManifestError[];
  /** Problems that do not stop the file from loading (VAI_W_ codes): `vaictl validate` prints them. */
  warnings?: ManifestError[];
}

function definitionOf(c: Candidate, kind: Definition['kind']): Definition {
  const m = c.data as unknown as ServiceManifest | NotifierManifest | MaintenanceManifest;
  const pos = c.source.keyAt(c.toSource(['metadata', 'name']));
  // One literal, not a spread of a shared base: V8 gave each spread copy a map of its own.
  return {
    name: m.metadata.name,
    labels: m.metadata.labels,
    annotations: m.metadata.annotations,
    source: { file: c.source.file, line: pos.line, column: pos.column },
    format: c.format,
    candidate: c,
    kind,
    spec: m.spec,
  } as Definition;
}

/** Candidates of a file's text: native documents, or the entries of a legacy file. */
export function candidatesOf(text: string, file: string, parse: ParseSource = parseSource): { candidates: Candidate[]; errors: ManifestError[] } {
  const isJson = path.extname(file) === '.json';
  const parsed = parse(text, file, { single: isJson });
  const candidates: Candidate[] = [];
  const errors = [...parsed.errors];
  for (const doc of parsed.documents) {
    if (isLegacyDocument(file, doc.data)) {
      const legacy = legacyCandidates(doc);
      candidates.push(...legacy.candidates);
      errors.push(...legacy.errors);
    } else {
      candidates.push(nativeCandidate(doc));
    }
  }
  return { candidates, errors };
}

/** `parse` is vaictl's door for its parse cache; vaid always parses. */
export function loadFileText(text: string, file: string, parse?: ParseSource): FileResult {
  try {
    return loadParsed(text, file, parse);
  } catch (e) {
    // The parser recurses; a document nested thousands of levels deep overflows the stack.
    const why = e instanceof RangeError ? 'nested too deeply to parse' : `cannot be parsed: ${e instanceof Error ? e.message : String(e)}`;
    return { file, definitions: [], errors: [{ code: 'VAI_E_MANIFEST_SYNTAX', file, line: 1, column: 1, path: '', message: `the file is ${why}` }] };
  }
}

function loadParsed(text: string, file: string, parse?: ParseSource): FileResult {
  const { candidates, errors } = candidatesOf(text, file, parse);
  const definitions: Definition[] = [];
  const warnings: ManifestError[] = [];
  for (const c of candidates) {
    const v = validateCandidate(c);
    errors.push(...v.errors);
    if (!v.kind) continue;
    if (v.kind === 'Service') {
      const ruleErrors = checkServiceRules(c.data as unknown as ServiceManifest, c);
      errors.push(...ruleErrors);
      if (ruleErrors.length > 0) continue;
      warnings.push(...checkServiceWarnings(c.data as unknown as ServiceManifest, c), ...checkPathSafety(c.data as unknown as ServiceManifest, c));
    }
    if (v.kind === 'Notifier') {
      const ruleErrors = checkNotifierRules(c.data as unknown as NotifierManifest, c);
      errors.push(...ruleErrors);
      if (ruleErrors.length > 0) continue;
    }
    if (v.kind === 'Maintenance') {
      const ruleErrors = checkMaintenanceRules(c.data as unknown as MaintenanceManifest, c);
      errors.push(...ruleErrors);
      if (ruleErrors.length > 0) continue;
    }
    definitions.push(definitionOf(c, v.kind));
  }
  errors.sort((a, b) => a.line - b.line || a.column - b.column);
  return { file, definitions: errors.length > 0 ? [] : definitions, errors, ...(warnings.length > 0 ? { warnings } : {}) };
}
