// A service's status kept as JSON text beside the object: one string per top-level field, and
// the `"name":{...}` entry of the document's services object as UTF-8. A write joins the cached
// entries (only changed services are serialised again), and a change is found by comparing the
// field strings, so only the fields that changed are diffed into RFC 6902 operations.
import fastJsonPatch from 'fast-json-patch';
import type { Operation } from 'fast-json-patch';
import type { ServiceStatus } from './schema.js';

export interface ServiceJson {
  /** JSON text of each top-level field (fields whose value is undefined are left out, as JSON.stringify does). */
  readonly fields: ReadonlyMap<string, string>;
  /** `"name":{...}`, ready to be joined into the document's services object. */
  readonly entry: Buffer;
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

export function serviceJson(s: ServiceStatus): ServiceJson {
  const fields = new Map<string, string>();
  const parts: string[] = [];
  for (const [key, value] of Object.entries(s)) {
    if (value === undefined) continue;
    const text = JSON.stringify(value);
    fields.set(key, text);
    parts.push(`${JSON.stringify(key)}:${text}`);
  }
  return { fields, entry: Buffer.from(`${JSON.stringify(s.name)}:{${parts.join(',')}}`) };
}

/** null when nothing changed. */
export function diffService(prev: { status: ServiceStatus; json: ServiceJson } | null, next: ServiceStatus, nextJson: ServiceJson): ServiceDiff | null {
  const ops: Operation[] = [];
  if (!prev) {
    for (const key of nextJson.fields.keys()) ops.push({ op: 'add', path: `/${pointer(key)}`, value: field(next, key) });
    return { ops, urgent: true };
  }
  const before = prev.json.fields;
  for (const key of before.keys()) if (!nextJson.fields.has(key)) ops.push({ op: 'remove', path: `/${pointer(key)}` });
  for (const [key, text] of nextJson.fields) {
    const old = before.get(key);
    if (old === text) continue;
    const path = `/${pointer(key)}`;
    if (old === undefined) ops.push({ op: 'add', path, value: field(next, key) });
    else ops.push(...fieldOps(path, field(prev.status, key), field(next, key)));
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
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}
