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

/** Why turning a parsed document into data failed, in words that point at the cause. */
function toJsFailure(e: unknown): string {
  const why = e instanceof Error ? e.message : String(e);
  if (/excessive alias count/i.test(why)) return `too many alias expansions (more than ${MAX_ALIAS_COUNT}): refused as a resource exhaustion attack`;
  const unresolved = /^Unresolved alias.*: (.*)$/.exec(why);
  if (unresolved) return `alias *${unresolved[1]} names no anchor before it in this document (anchors do not carry across ---)`;
  if (e instanceof RangeError) return 'nested too deeply to parse';
  return why;
}

/** The first line of a yaml error message, without the code frame it appends. */
function shortMessage(message: string): string {
  return message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
}

/**
 * Parses every document of `text`. Syntax errors (including duplicate keys and excessive
 * aliases) come back as errors; a document with an error is left out of `documents`.
 */
/**
 * Positions of the first two levels of a document (`metadata.name`, `services.minio`, ...),
 * taken while the tree is at hand: every definition needs its name's position.
 */
function shallowPositions(doc: Document, lc: LineCounter): Map<string, { key: Position; value: Position }> {
  const out = new Map<string, { key: Position; value: Position }>();
  const pos = (n: Node | null) => {
    const o = n?.range?.[0];
    if (o === undefined) return undefined;
    const { line, col } = lc.linePos(o);
    return { line, column: col };
  };
  const visit = (node: unknown, prefix: string[], depth: number) => {
    if (!isMap(node) || depth > 1) return;
    for (const pair of node.items) {
      if (!isScalar(pair.key)) continue;
      const path = [...prefix, String(pair.key.value)];
      const key = pos(pair.key as Node);
      const value = pos(resolve(pair.value, doc)) ?? key;
      if (key && value) out.set(JSON.stringify(path), { key, value });
      visit(resolve(pair.value, doc), path, depth + 1);
    }
  };
  visit(resolve(doc.contents, doc), [], 0);
  return out;
}

/**
 * A document that knows the positions of its first two levels and finds deeper ones by parsing
 * its file's text again on first use. Holding the node tree of every document instead costs
 * ~8 KiB per service (84 MB for 10,000, measured); deep positions are only needed for errors.
 */
function locatedDocument(text: string, file: string, index: number, data: unknown, start: Position, shallow: Map<string, { key: Position; value: Position }>): SourceDocument {
  let tree: { doc: Document; lc: LineCounter } | undefined;
  const parsed = () => {
    if (!tree) {
      const lc = new LineCounter();
      const docs = parseAllDocuments(text, { lineCounter: lc, uniqueKeys: true, prettyErrors: false, strict: true });
      tree = { doc: [...docs][index]!, lc };
    }
    return tree;
  };
  const at = (path: FieldPath, prefer: 'key' | 'value'): Position => {
    if (path.length === 0) return start;
    const known = path.length <= 2 ? shallow.get(JSON.stringify(path.map(String))) : undefined;
    if (known) return known[prefer];
    const { doc, lc } = parsed();
    const f = walk(doc, path);
    return positionOf(lc, prefer === 'key' ? (f.key ?? f.value) : (f.value ?? f.key), start);
  };
  return { file, index, data, start, valueAt: (p) => at(p, 'value'), keyAt: (p) => at(p, 'key') };
}

/**
 * What parsing a file's text gives before any node tree is dropped: per document its data, its
 * start and its shallow positions. Plain data, so vaictl can keep it between runs keyed by the
 * text itself (src/cli/manifest-parse-cache.ts); `documentsOf` turns it into SourceDocuments.
 */
export interface ParsedParts {
  documents: Array<{ index: number; data: unknown; start: Position; shallow: Array<[string, { key: Position; value: Position }]> }>;
  errors: ManifestError[];
}

/** How a file's text becomes documents: parseSource, or a cache of its parts in front of it. */
export type ParseSource = (text: string, file: string, opts?: { single?: boolean }) => ParsedFile;

export function documentsOf(text: string, file: string, parts: ParsedParts['documents']): SourceDocument[] {
  return parts.map((d) => locatedDocument(text, file, d.index, d.data, d.start, new Map(d.shallow)));
}

export function parseSource(text: string, file: string, opts: { single?: boolean } = {}): ParsedFile {
  const parts = parseParts(text, file, opts);
  return { documents: documentsOf(text, file, parts.documents), errors: parts.errors };
}

export function parseParts(text: string, file: string, opts: { single?: boolean } = {}): ParsedParts {
  const lc = new LineCounter();
  const errors: ManifestError[] = [];
  const documents: ParsedParts['documents'] = [];
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
        const msg =
          e.code === 'DUPLICATE_KEY'
            ? `duplicate key ${JSON.stringify(keyText(text, e.pos))}: a key may appear once per mapping`
            : /call stack/i.test(e.message)
              ? 'nested too deeply to parse'
              : shortMessage(e.message);
        errors.push(syntaxError(file, { line: p.line, column: p.col }, msg));
      }
      return;
    }
    if (doc.contents === null) return;
    let data: unknown;
    try {
      data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch (e) {
      errors.push(syntaxError(file, start, toJsFailure(e)));
      return;
    }
    // An empty document (only comments, or a stray `---` at the end) defines nothing.
    if (data === null || data === undefined) return;
    documents.push({ index, data, start, shallow: [...shallowPositions(doc, lc)] });
  });
  errors.sort((a, b) => a.line - b.line || a.column - b.column);
  return { documents, errors };
}
