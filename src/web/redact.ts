// What leaves the HTTP endpoint must not carry secrets. The status document holds no spec
// commands, but check messages and restart reasons quote URLs, which may carry credentials
// (http://user:pass@host) or tokens in query strings. Every string goes through `redactText`
// again here, behind the redaction at the source.

// The policy is core/redact.ts's; this module keeps the endpoint's per-service identity cache.
import { redactText } from '../core/redact.js';

export { redactText };

/** A deep copy of a JSON value with every string redacted. */
export function redactJson<T>(value: T): T {
  return walk(value) as T;
}

function walk(v: unknown): unknown {
  if (typeof v === 'string') return redactText(v);
  if (Array.isArray(v)) return v.map(walk);
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = walk(x);
    return out;
  }
  return v;
}

const redactedServices = new WeakMap<object, unknown>();

/**
 * A redacted status document in which an unchanged service (the same object as last time) gives
 * the same redacted object as last time, so the event stream can skip it by identity.
 */
export function redactStatus<D extends { services: Record<string, object> }>(doc: D): D {
  const out = {} as Record<string, unknown>;
  for (const [k, v] of Object.entries(doc)) if (k !== 'services') out[k] = walk(v);
  const services: Record<string, unknown> = {};
  for (const [name, s] of Object.entries(doc.services)) {
    let r = redactedServices.get(s);
    if (r === undefined) {
      r = walk(s);
      redactedServices.set(s, r);
    }
    services[name] = r;
  }
  out.services = services;
  return out as D;
}
