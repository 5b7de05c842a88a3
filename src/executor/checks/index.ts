// The check-type registry: every type vai can check with, one module each. The manifest schema
// (fields, required fields, the `type` enum), the host and container executors, the listener
// watch and every describe text read this list; nothing else names a check type.
// Imports only its modules and their leaf helpers: manifest/schema.ts builds on it, so it must not
// import manifest at run time (type imports only).
import type { TProperties, TSchema } from '@sinclair/typebox';
import type { CheckType, TypeBuilder } from './check-type.js';
import type { ServiceSpec } from '../../manifest/schema.js';
import { HTTP } from './http.js';
import { TCP } from './tcp.js';
import { PROCESS } from './process.js';
import { CUSTOM } from './custom.js';
import { DOCKER } from './docker.js';
import { DISK } from './disk.js';
import { FILE } from './file.js';
import { CERTIFICATE } from './certificate.js';
import { HEARTBEAT } from './heartbeat.js';
import { SYSTEM } from './system.js';

export type * from './check-type.js';

export const CHECK_TYPES = [HTTP, TCP, PROCESS, CUSTOM, DOCKER, DISK, FILE, CERTIFICATE, HEARTBEAT, SYSTEM] as const;

export type CheckTypeName = (typeof CHECK_TYPES)[number]['type'];
type UnionToIntersection<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void ? I : never;
/** Every type's fields in one object type, so `HealthCheck` has each as an optional property. */
export type CheckFields = UnionToIntersection<ReturnType<(typeof CHECK_TYPES)[number]['fields']>>;

const byName = new Map<string, CheckType>(CHECK_TYPES.map((m) => [m.type, m as unknown as CheckType]));

/** The module of a check type; the schema admits only registered names. */
export function checkType(name: string): CheckType {
  const m = byName.get(name);
  if (!m) throw new Error(`unknown check type ${JSON.stringify(name)}`);
  return m;
}

/** All types' fields merged; a field two types share must be the same schema in both. */
export function checkFields(Type: TypeBuilder): CheckFields {
  const out: Record<string, TSchema> = {};
  for (const m of CHECK_TYPES) {
    for (const [k, v] of Object.entries(m.fields(Type) as TProperties)) {
      const seen = out[k];
      if (seen !== undefined && JSON.stringify(seen) !== JSON.stringify(v)) throw new Error(`check types disagree on the schema of health_check.${k}: share one definition`);
      out[k] = v;
    }
  }
  return out as CheckFields;
}

/** For each field, the types that use it (for "only a disk check uses min_free_mb"). */
export function fieldOwners(Type: TypeBuilder): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const m of CHECK_TYPES) for (const k of Object.keys(m.fields(Type))) out.set(k, [...(out.get(k) ?? []), m.type]);
  return out;
}

/**
 * A builder that makes nothing: every Type.X(...) is an empty object. fields() needs only its
 * keys named, so the loader learns who owns which field without TypeBox (~15 MB of RSS in a
 * vaid that otherwise never builds a schema: the validators are compiled at build time).
 */
const KEYS_ONLY = new Proxy({}, { get: () => () => ({}) }) as TypeBuilder;

export const CHECK_FIELD_OWNERS: ReadonlyMap<string, readonly string[]> = fieldOwners(KEYS_ONLY);

/**
 * How vai finds a service's process for spec.limits (pid_file, the first match of a process
 * check, the listener of a check's loopback port), or null when it cannot: a manifest warning
 * (VAI_W_LIMITS_UNMEASURED), and an error in a container (its pids are not the host's).
 */
export function limitSource(target: { spec: Pick<ServiceSpec, 'container' | 'pid_file' | 'health_check'> }): string | null {
  const { spec } = target;
  if (spec.container !== undefined) return null;
  if (spec.pid_file !== undefined) return `pid_file ${spec.pid_file}`;
  const hc = spec.health_check;
  if (hc.type === 'process') return `the first process matching ${JSON.stringify(hc.process_name ?? '')}`;
  const where = checkType(hc.type).loopbackTarget?.(hc);
  if (where !== undefined && typeof where !== 'string') return `the process listening on ${where.host}:${where.port}`;
  return null;
}

/** `{if type = T then required [...]}` for each type that requires fields. */
export function requiredByType(): object[] {
  return CHECK_TYPES.filter((m) => m.required.length > 0).map((m) => ({ if: { properties: { type: { const: m.type } } }, then: { required: [...m.required] } }));
}
