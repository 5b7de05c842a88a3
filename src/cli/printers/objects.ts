// kubectl's ways to print and pick objects: `-o jsonpath=`, `-o custom-columns=`, `--sort-by=`
// and `--field-selector`. They work on the Kubernetes-shaped objects of
// src/status/reader-objects.ts, so the paths are the ones kubectl users type.
import { VaiError } from '../../errors.js';
import type { ServiceObject } from '../../status/reader-objects.js';
import { evaluate, fieldPath, jsonpath, show } from './jsonpath.js';

export type ObjectFormat = { kind: 'jsonpath'; template: string } | { kind: 'custom-columns'; columns: Array<{ header: string; path: ReturnType<typeof fieldPath> }> };

/** `jsonpath=...`, `jsonpath='...'`, `custom-columns=H:.path,...`; null for the other formats. */
export function parseObjectFormat(value: string | undefined): ObjectFormat | null {
  if (value === undefined) return null;
  const m = /^(jsonpath|custom-columns)=(.*)$/s.exec(value);
  if (!m) return null;
  const arg = m[2]!.replace(/^'(.*)'$/s, '$1');
  if (m[1] === 'jsonpath') return { kind: 'jsonpath', template: arg };
  if (arg.trim() === '') throw new VaiError('VAI_E_USAGE', 'custom-columns needs HEADER:PATH pairs, e.g. custom-columns=NAME:.metadata.name,PHASE:.status.phase');
  const columns = arg.split(',').map((spec) => {
    const at = spec.indexOf(':');
    if (at <= 0) throw new VaiError('VAI_E_USAGE', `custom-columns: "${spec}" is not HEADER:PATH (e.g. PHASE:.status.phase)`);
    return { header: spec.slice(0, at), path: fieldPath(spec.slice(at + 1)) };
  });
  return { kind: 'custom-columns', columns };
}

export function printObjects(format: ObjectFormat, data: unknown, items: readonly ServiceObject[], noHeaders: boolean): string {
  if (format.kind === 'jsonpath') return jsonpath(format.template, data);
  const rows = items.map((o) => format.columns.map((c) => {
    const v = evaluate(c.path, o);
    return v.length === 0 || v.every((x) => x === undefined || x === null) ? '<none>' : v.map(show).join(',');
  }));
  const all = noHeaders ? rows : [format.columns.map((c) => c.header), ...rows];
  const widths = format.columns.map((_c, i) => Math.max(...all.map((r) => r[i]!.length)));
  return all.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]! + 3))).join('').trimEnd() + '\n').join('');
}

/** `--sort-by=.status.restarts.count`: numbers numerically, the rest as text; missing values first, as kubectl does. */
export function sortObjects<T>(items: readonly T[], expr: string, objectOf: (t: T) => ServiceObject): T[] {
  const path = fieldPath(expr);
  const key = (t: T): unknown => evaluate(path, objectOf(t))[0];
  return [...items].sort((a, b) => {
    const x = key(a);
    const y = key(b);
    if (x === undefined || x === null) return y === undefined || y === null ? 0 : -1;
    if (y === undefined || y === null) return 1;
    if (typeof x === 'number' && typeof y === 'number') return x - y;
    return show(x).localeCompare(show(y));
  });
}

const FIELDS: Record<string, (o: ServiceObject) => string> = {
  'metadata.name': (o) => o.metadata.name,
  'status.phase': (o) => o.status.phase,
  'status.desired': (o) => o.status.desired,
  'status.health': (o) => o.status.lastCheck?.health ?? 'unknown',
};
const ALIASES: Record<string, string> = { name: 'metadata.name', phase: 'status.phase', desired: 'status.desired', health: 'status.health' };

export interface FieldRequirement {
  field: string;
  op: '=' | '!=';
  value: string;
}

/** `--field-selector phase=CrashLoopBackOff,desired!=Stopped,health=unhealthy` (kubectl's `=`, `==`, `!=`). */
export function parseFieldSelector(sel: string): FieldRequirement[] {
  return sel.split(',').filter((p) => p.trim() !== '').map((part) => {
    const m = /^\s*([\w.]+)\s*(==|=|!=)\s*(.*?)\s*$/.exec(part);
    const field = m ? (ALIASES[m[1]!] ?? m[1]!) : '';
    if (!m || !FIELDS[field]) {
      throw new VaiError('VAI_E_USAGE', `--field-selector: "${part}" is not FIELD=VALUE or FIELD!=VALUE with a field of ${Object.keys(ALIASES).join(', ')} (or ${Object.keys(FIELDS).join(', ')})`);
    }
    return { field, op: m[2] === '!=' ? '!=' : '=', value: m[3]! };
  });
}

export function matchesFields(o: ServiceObject, reqs: readonly FieldRequirement[]): boolean {
  return reqs.every((r) => (FIELDS[r.field]!(o) === r.value) === (r.op === '='));
}
