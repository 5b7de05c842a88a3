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

/** `like`: the service's previous JSON, whose key list is reused when the shape is the same. */
export function serviceJson(s: ServiceStatus, like?: ServiceJson): ServiceJson {
  const keys: string[] = [];
  const spans: number[] = [];
  const head = `${JSON.stringify(s.name)}:{`;
  let text = head;
  let at = Buffer.byteLength(head);
  for (const [key, value] of Object.entries(s)) {
    if (value === undefined) continue;
    const k = `${keys.length ? ',' : ''}${JSON.stringify(key)}:`;
    const v = JSON.stringify(value);
    at += Buffer.byteLength(k);
    const end = at + Buffer.byteLength(v);
    keys.push(key);
    spans.push(at, end);
    at = end;
    text += k + v;
  }
  // Its own allocation, not a slice of Buffer's shared 8 KiB pool: a live entry would keep a
  // whole pool slab alive, and with entries replaced at every check that held ~4x their size.
  const entry = Buffer.allocUnsafeSlow(at + 1);
  entry.write(`${text}}`, 0, 'utf8');
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
  nextJson.keys.forEach((key, i) => {
    const j = sameShape ? i : before.keys.indexOf(key);
    const path = `/${pointer(key)}`;
    if (j < 0) {
      ops.push({ op: 'add', path, value: field(next, key) });
      return;
    }
    const [ns, ne] = [nextJson.spans[2 * i]!, nextJson.spans[2 * i + 1]!];
    const [ps, pe] = [before.spans[2 * j]!, before.spans[2 * j + 1]!];
    if (ne - ns === pe - ps && nextJson.entry.compare(before.entry, ps, pe, ns, ne) === 0) return;
    ops.push(...fieldOps(path, field(prev.status, key), field(next, key)));
  });
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
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}
