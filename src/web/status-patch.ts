// The RFC 6902 operations from one status document to the next, for the event stream. The
// status store replaces a service's object whenever it changes and keeps it otherwise, so an
// unchanged service is the same object in both documents: only changed services are diffed, and
// a write with 10,000 services and one change costs one small diff, not a walk of megabytes.
import jsonPatch, { type Operation } from 'fast-json-patch';
import type { StatusDocument } from '../status/schema.js';

export function statusPatch(prev: StatusDocument, next: StatusDocument): Operation[] {
  const ops: Operation[] = [];
  for (const key of new Set([...Object.keys(prev), ...Object.keys(next)]) as Set<keyof StatusDocument>) {
    if (key === 'services') continue;
    if (!(key in next)) ops.push({ op: 'remove', path: `/${key}` });
    else if (!(key in prev)) ops.push({ op: 'add', path: `/${key}`, value: next[key] });
    else if (prev[key] !== next[key]) ops.push(...prefixed(`/${key}`, prev[key], next[key]));
  }
  const a = prev.services;
  const b = next.services;
  for (const name of Object.keys(a)) if (!Object.hasOwn(b, name)) ops.push({ op: 'remove', path: `/services/${pointer(name)}` });
  for (const [name, s] of Object.entries(b)) {
    const before = Object.hasOwn(a, name) ? a[name] : undefined;
    if (before === s) continue;
    if (before === undefined) ops.push({ op: 'add', path: `/services/${pointer(name)}`, value: s });
    else ops.push(...prefixed(`/services/${pointer(name)}`, before, s));
  }
  return ops;
}

function prefixed(prefix: string, a: unknown, b: unknown): Operation[] {
  if (typeof a !== 'object' || a === null || typeof b !== 'object' || b === null || Array.isArray(a) !== Array.isArray(b)) {
    return [{ op: 'replace', path: prefix, value: b }];
  }
  return jsonPatch.compare(a, b).map((op) => ({ ...op, path: `${prefix}${op.path}` }));
}

function pointer(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}
