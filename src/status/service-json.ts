// A service's status kept as JSON text beside the object: the `"name":{...}` entry of the
// document's services object as UTF-8, and where each top-level field's value sits in it. A
// write joins the cached entries (only changed services are serialised again), and a change is
// found by comparing each field's bytes with the previous entry's, so only the fields that
// changed are diffed into RFC 6902 operations. One buffer and one small array per service: a map
// of per-field strings beside the buffer held the same text twice (~28 MB at 10,000 services).
import fastJsonPatch from 'fast-json-patch';
import type { Operation } from 'fast-json-patch';
import type { ServiceStatus } from './schema.js';

export interface ServiceJson {
  /** `"name":{...}`, ready to be joined into the document's services object. */
  readonly entry: Buffer;
  /** Top-level fields present (value not undefined), in the entry's order; shared between services of one shape. */
  readonly keys: readonly string[];
  /** Byte range of field i's value in entry: [spans[2i], spans[2i+1]). */
  readonly spans: readonly number[];
}

export interface ServiceDiff {
  /** RFC 6902 operations from the previous status to the new one. */
  ops: Operation[];
  /**
   * False when only what every check changes moved (the check's time, latency and message,
   * counters, nextCheckAt, a condition's message): such a change can wait for a slower write.
   */
  urgent: boolean;
}

/** Key lists by their joined names: every status of one shape shares one array. */
const shapes = new Map<string, readonly string[]>();

function internKeys(keys: string[], like: readonly string[] | undefined): readonly string[] {
  if (like && like.length === keys.length && like.every((k, i) => k === keys[i])) return like;
  const id = keys.join('\0');
  let shared = shapes.get(id);
  if (!shared) {
    // Shapes come from the schema's optional fields: a handful. The bound only guards the map.
    if (shapes.size > 1000) shapes.clear();
    shared = Object.freeze(keys);
    shapes.set(id, shared);
  }
  return shared;
}

/** `"key":` and `,"key":` per field name: a status has a few dozen names, all from the schema. */
const keyTexts = new Map<string, { first: string; next: string; bytes: number }>();

function keyText(key: string): { first: string; next: string; bytes: number } {
  let k = keyTexts.get(key);
  if (!k) {
    if (keyTexts.size > 1000) keyTexts.clear();
    const q = `${JSON.stringify(key)}:`;
    k = { first: q, next: `,${q}`, bytes: Buffer.byteLength(q) };
    keyTexts.set(key, k);
  }
  return k;
}

/**
 * `like`: the service's previous JSON, whose key list is reused when the shape is the same;
 * `previous`: the status `like` was made from. A field whose value is the very same (===) as in
 * `previous` (the planner shares every part a check did not change) keeps its bytes from `like`
 * instead of being serialised again; statuses are never mutated once recorded, so that is exact.
 */
export function serviceJson(s: ServiceStatus, like?: ServiceJson, previous?: ServiceStatus): ServiceJson {
  const keys: string[] = [];
  const spans: number[] = [];
  const prev = like && previous ? (previous as unknown as Record<string, unknown>) : null;
  const head = `${JSON.stringify(s.name)}:{`;
  // The entry as pieces: text to encode, or a byte range of like.entry (two numbers).
  const pieces: Array<string | number> = [];
  let at = Buffer.byteLength(head);
  let text = head;
  const record = s as unknown as Record<string, unknown>;
  for (const key in record) {
    const value = record[key];
    if (value === undefined) continue;
    const kt = keyText(key);
    const i = keys.length;
    const k = i === 0 ? kt.first : kt.next;
    const kl = i === 0 ? kt.bytes : kt.bytes + 1;
    keys.push(key);
    if (prev && like!.keys[i] === key && prev[key] === value) {
      const ps = like!.spans[2 * i]!;
      const pe = like!.spans[2 * i + 1]!;
      text += k;
      pieces.push(text, ps, pe);
      text = '';
      at += kl;
      spans.push(at, at + pe - ps);
      at += pe - ps;
      continue;
    }
    const v = JSON.stringify(value);
    at += kl;
    const end = at + Buffer.byteLength(v);
    spans.push(at, end);
    at = end;
    text += k + v;
  }
  pieces.push(`${text}}`);
  // Its own allocation, not a slice of Buffer's shared 8 KiB pool: a live entry would keep a
  // whole pool slab alive, and with entries replaced at every check that held ~4x their size.
  const entry = Buffer.allocUnsafeSlow(at + 1);
  let pos = 0;
  for (let p = 0; p < pieces.length; p++) {
    const piece = pieces[p]!;
    if (typeof piece === 'string') pos += entry.write(piece, pos, 'utf8');
    else {
      pos += like!.entry.copy(entry, pos, piece, pieces[p + 1] as number);
      p++;
    }
  }
  return { entry, keys: internKeys(keys, like?.keys), spans };
}

/** null when nothing changed. */
export function diffService(prev: { status: ServiceStatus; json: ServiceJson } | null, next: ServiceStatus, nextJson: ServiceJson): ServiceDiff | null {
  const ops: Operation[] = [];
  if (!prev) {
    for (const key of nextJson.keys) ops.push({ op: 'add', path: `/${pointer(key)}`, value: field(next, key) });
    return { ops, urgent: true };
  }
  const before = prev.json;
  if (before.entry.equals(nextJson.entry)) return null;
  const sameShape = before.keys === nextJson.keys;
  if (!sameShape) for (const key of before.keys) if (!nextJson.keys.includes(key)) ops.push({ op: 'remove', path: `/${pointer(key)}` });
  const keys = nextJson.keys;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    const j = sameShape ? i : before.keys.indexOf(key);
    if (j < 0) {
      ops.push({ op: 'add', path: `/${pointer(key)}`, value: field(next, key) });
      continue;
    }
    // The same value (the planner shares what did not change) has the same bytes.
    if (field(prev.status, key) === field(next, key)) continue;
    const ns = nextJson.spans[2 * i]!;
    const ne = nextJson.spans[2 * i + 1]!;
    const ps = before.spans[2 * j]!;
    const pe = before.spans[2 * j + 1]!;
    if (ne - ns === pe - ps && nextJson.entry.compare(before.entry, ps, pe, ns, ne) === 0) continue;
    ops.push(...fieldOps(`/${pointer(key)}`, field(prev.status, key), field(next, key)));
  }
  if (ops.length === 0) return null;
  return { ops, urgent: ops.some((o) => !CHECK_ONLY.test(o.path)) };
}

const CHECK_ONLY = /^\/(?:lastCheck\/(?:at|reason|latencyMs|message)|nextCheckAt|consecutiveFailures|consecutiveSuccesses|counters(?:\/.*)?|conditions\/\d+\/message)$/;

function fieldOps(path: string, a: unknown, b: unknown): Operation[] {
  if (typeof a !== 'object' || a === null || typeof b !== 'object' || b === null || Array.isArray(a) !== Array.isArray(b)) {
    return [{ op: 'replace', path, value: b }];
  }
  return fastJsonPatch.compare(a, b).map((op) => ({ ...op, path: `${path}${op.path}` }));
}

function field(s: ServiceStatus, key: string): unknown {
  return (s as unknown as Record<string, unknown>)[key];
}

function pointer(key: string): string {
  if (!key.includes('~') && !key.includes('/')) return key;
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}
