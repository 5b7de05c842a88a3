// vaictl's cache of parsed manifest text, between runs. plan, validate and get -o wide read every
// manifest, and the yaml parser takes ~0.25 s for 1,000 services (docs/performance.md, session 8):
// more than the whole budget of a command. What the parser gives for a file's text (each
// document's data, start and shallow positions: source-document.ts's ParsedParts) depends on
// nothing but that text, whether it is JSON, the parser's code and the yaml package, so an entry
// is keyed by a hash of the text itself (read anew every run), never by stat fields: an edit
// within one mtime tick, a restored mtime or a new inode cannot make it answer for other text.
// Schema validation and every rule still run on every load; only the parse is skipped.
//
// Not cached: files with any syntax error (their messages come from a fresh parse) and data that
// JSON would not give back identically (NaN, ±Infinity, -0, `__proto__` keys). One file per
// manifests directory in $XDG_CACHE_HOME/vai/parsed (~/.cache/vai/parsed), mode 0600 in a 0700
// dir; a cache file not owned by this user, writable by others, or unreadable is ignored, and a
// cache that cannot be written is done without. vaid never uses it. VAICTL_NO_PARSE_CACHE=1 turns
// it off.
import { createHash } from 'node:crypto';
import { closeSync, constants, existsSync, fstatSync, lstatSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { documentsOf, parseParts, type ParsedFile, type ParsedParts, type ParseSource } from '../manifest/source-document.js';

/** Bumped when the shape of a cache file changes. */
const FORMAT = 2;
const MAX_CACHE_BYTES = 64 * 1024 * 1024;

interface Entry {
  hash: string;
  /** The documents as JSON (compact: see pack), parsed per use, so each load gets objects of its own (validation fills in defaults). */
  parts: string;
}

/**
 * A cache file: the parser key on the first line, then a line per manifest file,
 * `JSON(path) TAB sha256 TAB JSON(documents)` (JSON holds no raw tab or newline). Only the
 * entries a run uses are parsed: one JSON.parse of the whole file cost more than the lines.
 */
function readEntries(text: string, key: string): Map<string, Entry> {
  const lines = text.split('\n');
  const out = new Map<string, Entry>();
  if (lines[0] !== JSON.stringify(key)) return out;
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    const a = line.indexOf('\t');
    const b = line.indexOf('\t', a + 1);
    if (a < 0 || b < 0) continue;
    out.set(JSON.parse(line.slice(0, a)) as string, { hash: line.slice(a + 1, b), parts: line.slice(b + 1) });
  }
  return out;
}

function writeEntries(key: string, entries: ReadonlyMap<string, Entry>): string {
  return [JSON.stringify(key), ...[...entries].map(([f, e]) => `${JSON.stringify(f)}\t${e.hash}\t${e.parts}`)].join('\n');
}

type Packed = Array<[index: number, data: unknown, start: [number, number], shallow: Array<[string, number, number, number, number]>]>;

/** Documents in fewer bytes: positions as numbers in arrays (half the size, half the parse). */
function pack(docs: ParsedParts['documents']): string {
  const out: Packed = docs.map((d) => [d.index, d.data, [d.start.line, d.start.column], d.shallow.map(([p, { key, value }]) => [p, key.line, key.column, value.line, value.column])]);
  return JSON.stringify(out);
}

function unpack(text: string): ParsedParts['documents'] {
  return (JSON.parse(text) as Packed).map(([index, data, [line, column], shallow]) => ({
    index,
    data,
    start: { line, column },
    shallow: shallow.map(([p, kl, kc, vl, vc]) => [p, { key: { line: kl, column: kc }, value: { line: vl, column: vc } }]),
  }));
}

export interface ParseCache {
  parse: ParseSource;
  /** Writes what this run added or changed; entries of files that no longer exist are dropped. */
  save(): void;
}

/** The parser's identity: this build's source-document module and the yaml package's version. */
function parserKey(): string | null {
  try {
    // The built module beside this one (run from source under tsx, the .ts file).
    const js = fileURLToPath(new URL('../manifest/source-document.js', import.meta.url));
    const code = readFileSync(existsSync(js) ? js : js.replace(/\.js$/, '.ts'));
    const yamlMain = createRequire(import.meta.url).resolve('yaml');
    const yamlPkg = JSON.parse(readFileSync(path.join(path.dirname(yamlMain), '..', 'package.json'), 'utf8')) as { version?: string };
    return `${FORMAT} ${createHash('sha256').update(code).digest('hex')} yaml@${yamlPkg.version ?? '?'}`;
  } catch {
    return null;
  }
}

/** Whether JSON gives `v` back as an equal value. */
function jsonSafe(v: unknown, depth = 0): boolean {
  if (depth > 200) return false;
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return true;
  if (typeof v === 'number') return Number.isFinite(v) && !Object.is(v, -0);
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) if (!(i in v) || !jsonSafe(v[i], depth + 1)) return false;
    return true;
  }
  if (typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
    for (const k of Object.keys(v)) if (k === '__proto__' || !jsonSafe((v as Record<string, unknown>)[k], depth + 1)) return false;
    return true;
  }
  return false;
}

function readOwn(file: string): { text: string; mtimeMs: number } | null {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch {
    return null;
  }
  try {
    const st = fstatSync(fd);
    const uid = process.geteuid?.() ?? st.uid;
    if (!st.isFile() || st.uid !== uid || (st.mode & 0o022) !== 0 || st.size > MAX_CACHE_BYTES) return null;
    return { text: readFileSync(fd, 'utf8'), mtimeMs: st.mtimeMs };
  } catch {
    return null;
  } finally {
    closeSync(fd);
  }
}

export function parseCache(env: NodeJS.ProcessEnv): ParseCache {
  const home = env.HOME || os.homedir();
  const root = env.XDG_CACHE_HOME ? path.join(env.XDG_CACHE_HOME, 'vai', 'parsed') : home ? path.join(home, '.cache', 'vai', 'parsed') : null;
  const key = env.VAICTL_NO_PARSE_CACHE || !root ? null : parserKey();
  if (key === null || root === null) return { parse: (text, file, opts) => fresh(text, file, opts).parsed, save: () => undefined };
  const loaded = new Map<string, { file: string; entries: Map<string, Entry>; dirty: boolean }>();

  const cacheOf = (manifest: string) => {
    const dir = path.dirname(manifest);
    let c = loaded.get(dir);
    if (!c) {
      const file = path.join(root, `${createHash('sha256').update(dir).digest('hex').slice(0, 32)}.json`);
      let entries = new Map<string, Entry>();
      const own = readOwn(file);
      if (own !== null) {
        try {
          entries = readEntries(own.text, key);
          // In use: not one for another save's clean-up of caches unused for UNUSED_MS.
          if (Date.now() - own.mtimeMs > 86_400_000) utimesSync(file, new Date(), new Date());
        } catch {
          // A torn or foreign file: start over.
        }
      }
      c = { file, entries, dirty: false };
      loaded.set(dir, c);
    }
    return c;
  };

  return {
    parse(text, file, opts = {}) {
      const hash = createHash('sha256')
        .update(opts.single ? 'single\0' : 'multi\0')
        .update(text)
        .digest('hex');
      const c = cacheOf(file);
      const hit = c.entries.get(file);
      if (hit?.hash === hash) {
        try {
          return { documents: documentsOf(text, file, unpack(hit.parts)), errors: [] };
        } catch {
          // Unreadable entry: parse.
        }
      }
      const { parsed, parts } = fresh(text, file, opts);
      if (parts !== null) {
        c.entries.set(file, { hash, parts });
        c.dirty = true;
      } else if (hit) {
        c.entries.delete(file);
        c.dirty = true;
      }
      return parsed;
    },
    save() {
      for (const c of loaded.values()) {
        if (!c.dirty) continue;
        for (const f of [...c.entries.keys()]) if (!existsSync(f)) c.entries.delete(f);
        write(root, c.file, writeEntries(key, c.entries));
      }
    },
  };
}

/** A real parse; `parts` is its cacheable form, or null when it must not be cached. */
function fresh(text: string, file: string, opts: { single?: boolean } | undefined): { parsed: ParsedFile; parts: string | null } {
  const p = parseParts(text, file, opts);
  // Serialized before anything (validation's defaults) can change the data.
  const parts = p.errors.length === 0 && p.documents.every((d) => jsonSafe(d.data)) ? pack(p.documents) : null;
  return { parsed: { documents: documentsOf(text, file, p.documents), errors: p.errors }, parts };
}

/** A directory's cache unused this long is removed (its manifests dir is likely gone). */
const UNUSED_MS = 30 * 86_400_000;

function write(root: string, file: string, text: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    mkdirSync(root, { recursive: true, mode: 0o700 });
    writeFileSync(tmp, text, { flag: 'wx', mode: 0o600 });
    renameSync(tmp, file);
    for (const f of readdirSync(root)) {
      const other = path.join(root, f);
      if (other !== file && Date.now() - lstatSync(other).mtimeMs > UNUSED_MS) unlinkSync(other);
    }
  } catch {
    // A read-only or full home: the next run parses again.
    try {
      unlinkSync(tmp);
    } catch {
      // never written
    }
  }
}
