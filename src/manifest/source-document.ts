// Parsing YAML and JSON text into plain documents that remember where each field came from,
// so every later error can name file, line and column. JSON goes through the same parser
// (JSON is YAML 1.2), which gives JSON the same positions and duplicate-key errors.
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseAllDocuments, type Document, type Node } from 'yaml';
import type { ManifestError } from './types.js';
import { MAX_ALIAS_COUNT, MAX_DOCUMENTS_PER_FILE } from './limits.js';

export type FieldPath = readonly (string | number)[];

export interface Position {
  line: number;
  column: number;
}

export interface SourceDocument {
  file: string;
  /** 0-based index of the document in its file. */
  index: number;
  /** The document as plain data. */
  data: unknown;
  /** Where the document starts. */
  start: Position;
  /** Position of the value at `path` (or of the nearest existing parent). */
  valueAt(path: FieldPath): Position;
  /** Position of the key naming `path` (or of the nearest existing parent's key). */
  keyAt(path: FieldPath): Position;
}

export interface ParsedFile {
  documents: SourceDocument[];
  errors: ManifestError[];
}

/** `spec.health_check.port`, `spec.dependencies[1]`. */
export function formatPath(path: FieldPath): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out === '' ? p : `.${p}`;
  return out;
}

interface Found {
  key: Node | null;
  value: Node | null;
}

function resolve(node: unknown, doc: Document): Node | null {
  if (isAlias(node)) return (node.resolve(doc) as Node | undefined) ?? null;
  return (node as Node | null) ?? null;
}

/** Walks the node tree along `path`; stops at the deepest node that exists. */
function walk(doc: Document, path: FieldPath): Found {
  let found: Found = { key: null, value: resolve(doc.contents, doc) };
  for (const step of path) {
    const node = found.value;
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(step));
      if (!pair) return found;
      found = { key: pair.key as Node, value: resolve(pair.value, doc) ?? (pair.key as Node) };
    } else if (isSeq(node) && typeof step === 'number') {
      const item = resolve(node.items[step], doc);
      if (!item) return found;
      found = { key: item, value: item };
    } else {
      return found;
    }
  }
  return found;
}

function positionOf(lc: LineCounter, node: Node | null, fallback: Position): Position {
  const offset = node?.range?.[0];
  if (offset === undefined) return fallback;
  const { line, col } = lc.linePos(offset);
  return { line, column: col };
}

function syntaxError(file: string, pos: Position, message: string): ManifestError {
  return { code: 'VAI_E_MANIFEST_SYNTAX', file, line: pos.line, column: pos.column, path: '', message };
}

function keyText(text: string, pos: [number, number]): string {
  const rest = text.slice(pos[0], pos[0] + 200);
  const m = /^"([^"\n]*)"|^'([^'\n]*)'|^([^:\n]*?)\s*:/.exec(rest);
  return (m?.[1] ?? m?.[2] ?? m?.[3] ?? rest.split('\n')[0]!).trim();
}

/** The first line of a yaml error message, without the code frame it appends. */
function shortMessage(message: string): string {
  return message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
}

/**
 * Parses every document of `text`. Syntax errors (including duplicate keys and excessive
 * aliases) come back as errors; a document with an error is left out of `documents`.
 */
export function parseSource(text: string, file: string, opts: { single?: boolean } = {}): ParsedFile {
  const lc = new LineCounter();
  const errors: ManifestError[] = [];
  const documents: SourceDocument[] = [];
  const parsed = parseAllDocuments(text, { lineCounter: lc, uniqueKeys: true, prettyErrors: false, strict: true });
  const docs: Document.Parsed[] = [...parsed];
  if (docs.length > MAX_DOCUMENTS_PER_FILE) {
    errors.push(syntaxError(file, { line: 1, column: 1 }, `more than ${MAX_DOCUMENTS_PER_FILE} documents in one file`));
    return { documents, errors };
  }
  if (opts.single && docs.length > 1) {
    const { line, col } = lc.linePos(docs[1]!.range[0]);
    errors.push(syntaxError(file, { line, column: col }, 'a JSON file holds exactly one document'));
  }
  docs.forEach((doc, index) => {
    const startOffset = doc.contents?.range?.[0] ?? doc.range[0];
    const { line, col } = lc.linePos(startOffset);
    const start = { line, column: col };
    if (doc.errors.length > 0) {
      for (const e of doc.errors) {
        const p = lc.linePos(e.pos[0]);
        const msg = e.code === 'DUPLICATE_KEY' ? `duplicate key ${JSON.stringify(keyText(text, e.pos))}: a key may appear once per mapping` : shortMessage(e.message);
        errors.push(syntaxError(file, { line: p.line, column: p.col }, msg));
      }
      return;
    }
    if (doc.contents === null) return;
    let data: unknown;
    try {
      data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch (e) {
      const why = e instanceof Error ? e.message : String(e);
      const msg = /alias/i.test(why)
        ? `too many alias expansions (more than ${MAX_ALIAS_COUNT}): refused as a resource exhaustion attack`
        : why;
      errors.push(syntaxError(file, start, msg));
      return;
    }
    documents.push({
      file,
      index,
      data,
      start,
      valueAt: (path) => {
        const f = walk(doc, path);
        return positionOf(lc, f.value ?? f.key, start);
      },
      keyAt: (path) => {
        const f = walk(doc, path);
        return positionOf(lc, f.key ?? f.value, start);
      },
    });
  });
  errors.sort((a, b) => a.line - b.line || a.column - b.column);
  return { documents, errors };
}
