// A candidate is one manifest document on its way to the desired state: the native document
// as data, and how to find any of its fields in the source file (legacy entries live at a
// different path in system-config.json than in a native document).
import type { ErrorCode } from '../errors.js';
import type { ManifestError } from './types.js';
import { formatPath, type FieldPath, type SourceDocument } from './source-document.js';

export interface Candidate {
  format: 'native' | 'legacy';
  source: SourceDocument;
  /** The document in native shape; defaults are filled in by validation. */
  data: Record<string, unknown>;
  /** Maps a path in `data` to the path of the same field in the source document. */
  toSource(path: FieldPath): FieldPath;
}

export function nativeCandidate(source: SourceDocument): Candidate {
  return { format: 'native', source, data: source.data as Record<string, unknown>, toSource: (p) => p };
}

/**
 * An error about the field at `path` of the candidate. `at: 'key'` points at the field's name
 * (unknown or missing fields), `at: 'value'` at its value (wrong values).
 */
/** `spec.health_check.port: must be ...`: the field path (when there is one) and the message, as people read them. */
export function describeError(e: Pick<ManifestError, 'path' | 'message'>): string {
  return e.path === '' ? e.message : `${e.path}: ${e.message}`;
}

export function errorAt(c: Candidate, path: FieldPath, at: 'key' | 'value', code: ErrorCode, message: string): ManifestError {
  const sourcePath = c.toSource(path);
  // A legacy entry as a whole (its name, its missing fields) is best shown at its name.
  const key = at === 'key' || (c.format === 'legacy' && sourcePath.length <= 2);
  const pos = key ? c.source.keyAt(sourcePath) : c.source.valueAt(sourcePath);
  const shown = formatPath(sourcePath);
  return {
    code,
    file: c.source.file,
    line: pos.line,
    column: pos.column,
    path: shown,
    message,
  };
}
