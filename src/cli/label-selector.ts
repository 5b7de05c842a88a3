// Kubernetes label selectors for `-l`: `k=v`, `k==v`, `k!=v`, `k in (a,b)`, `k notin (a,b)`,
// `k` (exists) and `!k`, joined by commas (all must match). Kept until src/manifest exports
// its own parser, which `vaid --selector` uses, so both read selectors the same way.
import { VaiError } from '../errors.js';

export type Requirement =
  | { key: string; op: 'in' | 'notin'; values: string[] }
  | { key: string; op: 'exists' | '!exists' };

const KEY = String.raw`[A-Za-z0-9]([-A-Za-z0-9_./]*[A-Za-z0-9])?`;
const VALUE = String.raw`([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?`;
const EQ = new RegExp(`^(${KEY})\\s*(==|=|!=)\\s*(${VALUE})$`);
const SET = new RegExp(`^(${KEY})\\s+(in|notin)\\s+\\(([^)]*)\\)$`);
const EXISTS = new RegExp(`^(!?)\\s*(${KEY})$`);

export function parseSelector(text: string): Requirement[] {
  const reqs: Requirement[] = [];
  for (const part of splitTopLevel(text)) {
    const p = part.trim();
    if (p === '') continue;
    let m = EQ.exec(p);
    if (m) {
      reqs.push({ key: m[1]!, op: m[3] === '!=' ? 'notin' : 'in', values: [m[4] ?? ''] });
      continue;
    }
    m = SET.exec(p);
    if (m) {
      const values = m[4]!.split(',').map((v) => v.trim());
      if (values.some((v) => !new RegExp(`^${VALUE}$`).test(v))) throw bad(text, p);
      reqs.push({ key: m[1]!, op: m[3] as 'in' | 'notin', values });
      continue;
    }
    m = EXISTS.exec(p);
    if (m) {
      reqs.push({ key: m[2]!, op: m[1] ? '!exists' : 'exists' });
      continue;
    }
    throw bad(text, p);
  }
  return reqs;
}

export function matches(reqs: readonly Requirement[], labels: Readonly<Record<string, string>>): boolean {
  return reqs.every((r) => {
    const has = Object.hasOwn(labels, r.key);
    switch (r.op) {
      case 'exists':
        return has;
      case '!exists':
        return !has;
      case 'in':
        return has && r.values.includes(labels[r.key]!);
      case 'notin':
        return !has || !r.values.includes(labels[r.key]!);
    }
  });
}

// Commas separate requirements except inside "in (a,b)".
function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of text) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(cur);
      cur = '';
    } else cur += ch;
  }
  parts.push(cur);
  return parts;
}

function bad(text: string, part: string): VaiError {
  return new VaiError('VAI_E_USAGE', `invalid label selector "${text}": cannot read "${part}" (use key=value, key!=value, key in (a,b), key notin (a,b), key or !key)`);
}
