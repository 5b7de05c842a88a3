// Label selectors in kubectl's syntax: `key=value,key!=value,key,!key,key in (a,b),key notin (a)`.
// vaid --selector picks the services one host runs out of a fleet repo; vaictl -l filters output.
import { VaiError } from '../errors.js';

export type Requirement =
  | { key: string; op: 'in'; values: string[] }
  | { key: string; op: 'notin'; values: string[] }
  | { key: string; op: 'exists' }
  | { key: string; op: 'doesnotexist' };

export interface LabelSelector {
  requirements: readonly Requirement[];
  /** The text it was parsed from, for messages. */
  text: string;
}

const KEY = /^([a-z0-9A-Z]([-a-z0-9A-Z.]*[a-z0-9A-Z])?\/)?[a-z0-9A-Z]([-a-z0-9A-Z_.]*[a-z0-9A-Z])?$/;
const VALUE = /^([a-z0-9A-Z]([-a-z0-9A-Z_.]*[a-z0-9A-Z])?)?$/;

function bad(text: string, why: string): VaiError {
  return new VaiError('VAI_E_USAGE', `invalid label selector "${text}": ${why}`);
}

/** Splits on commas that are not inside parentheses. */
function splitTerms(text: string): string[] {
  const terms: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '(') depth++;
    else if (ch === ')') depth--;
    else if (ch === ',' && depth === 0) {
      terms.push(text.slice(start, i));
      start = i + 1;
    }
    if (depth < 0 || depth > 1) throw bad(text, 'unbalanced parentheses');
  }
  if (depth !== 0) throw bad(text, 'unbalanced parentheses');
  terms.push(text.slice(start));
  return terms.map((t) => t.trim());
}

function checkKey(text: string, key: string): string {
  if (!KEY.test(key) || key.length > 317) throw bad(text, `"${key}" is not a valid label key`);
  return key;
}

function checkValue(text: string, value: string): string {
  if (!VALUE.test(value) || value.length > 63) throw bad(text, `"${value}" is not a valid label value`);
  return value;
}

function parseTerm(text: string, term: string): Requirement {
  if (term === '') throw bad(text, 'empty requirement');
  const set = /^(\S+)\s+(in|notin)\s*\(([^)]*)\)$/.exec(term);
  if (set) {
    const values = set[3]!.split(',').map((v) => checkValue(text, v.trim()));
    return { key: checkKey(text, set[1]!), op: set[2] === 'in' ? 'in' : 'notin', values };
  }
  const cmp = /^([^=!\s]+)\s*(==|=|!=)\s*(.*)$/.exec(term);
  if (cmp) {
    const key = checkKey(text, cmp[1]!);
    const value = checkValue(text, cmp[3]!.trim());
    return cmp[2] === '!=' ? { key, op: 'notin', values: [value] } : { key, op: 'in', values: [value] };
  }
  if (term.startsWith('!')) return { key: checkKey(text, term.slice(1).trim()), op: 'doesnotexist' };
  return { key: checkKey(text, term), op: 'exists' };
}

export function parseLabelSelector(text: string): LabelSelector {
  const trimmed = text.trim();
  if (trimmed === '') return { requirements: [], text: '' };
  return { requirements: splitTerms(trimmed).map((t) => parseTerm(text, t)), text: trimmed };
}

/** As Kubernetes: every requirement must hold; `key!=v` also matches when the key is absent. */
export function matchesSelector(labels: Readonly<Record<string, string>>, selector: LabelSelector): boolean {
  return selector.requirements.every((r) => {
    const has = Object.prototype.hasOwnProperty.call(labels, r.key);
    switch (r.op) {
      case 'exists':
        return has;
      case 'doesnotexist':
        return !has;
      case 'in':
        return has && r.values.includes(labels[r.key]!);
      case 'notin':
        return !has || !r.values.includes(labels[r.key]!);
    }
  });
}
