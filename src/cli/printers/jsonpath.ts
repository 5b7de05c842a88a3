// kubectl's JSONPath templates (kubernetes client-go util/jsonpath), as `-o jsonpath=`,
// `-o custom-columns=` and `--sort-by=` take them: text outside braces is printed as is;
// `{.a.b}`, `{.items[*].metadata.name}`, `{.items[0]}`, `{.items[-1:]}`, `{..name}`, `{@}`,
// `{['key.with.dots']}`, filters `{.items[?(@.status.phase=="Healthy")].metadata.name}`,
// `{range .items[*]}...{end}` and string literals `{"\n"}`. Several results of one expression
// are joined by a space; objects and arrays print as JSON, as kubectl prints them.
import { VaiError } from '../../errors.js';

type Step =
  | { kind: 'field'; name: string }
  | { kind: 'recurse'; name: string | null }
  | { kind: 'index'; start: number | null; end: number | null; single: boolean }
  | { kind: 'wildcard' }
  | { kind: 'filter'; path: Step[]; op: '==' | '!=' | '<' | '>' | '<=' | '>=' | 'exists'; value: unknown };

type Node =
  | { kind: 'text'; text: string }
  | { kind: 'path'; steps: Step[] }
  | { kind: 'range'; steps: Step[]; body: Node[] };

function syntax(template: string, why: string): VaiError {
  return new VaiError('VAI_E_USAGE', `jsonpath ${JSON.stringify(template)}: ${why}`);
}

/** Parses a template such as `{range .items[*]}{.metadata.name}{"\n"}{end}`. */
export function parseTemplate(template: string): Node[] {
  const root: Node[] = [];
  const stack: Node[][] = [root];
  let i = 0;
  while (i < template.length) {
    const open = template.indexOf('{', i);
    if (open < 0) {
      stack.at(-1)!.push({ kind: 'text', text: template.slice(i) });
      break;
    }
    if (open > i) stack.at(-1)!.push({ kind: 'text', text: template.slice(i, open) });
    const close = closingBrace(template, open);
    if (close < 0) throw syntax(template, `unclosed "{" at ${open + 1}`);
    const inner = template.slice(open + 1, close).trim();
    i = close + 1;
    if (inner === 'end') {
      if (stack.length === 1) throw syntax(template, '{end} without {range}');
      stack.pop();
    } else if (inner.startsWith('range ')) {
      const node: Node = { kind: 'range', steps: parsePath(inner.slice(6).trim(), template), body: [] };
      stack.at(-1)!.push(node);
      stack.push(node.body);
    } else if (inner.startsWith('"') || inner.startsWith("'")) {
      stack.at(-1)!.push({ kind: 'text', text: unquote(inner, template) });
    } else {
      stack.at(-1)!.push({ kind: 'path', steps: parsePath(inner, template) });
    }
  }
  if (stack.length > 1) throw syntax(template, '{range} without {end}');
  return root;
}

function closingBrace(s: string, open: number): number {
  let quote: string | null = null;
  for (let j = open + 1; j < s.length; j++) {
    const c = s[j]!;
    if (quote) {
      if (c === '\\') j++;
      else if (c === quote) quote = null;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '}') return j;
  }
  return -1;
}

function unquote(lit: string, template: string): string {
  const q = lit[0]!;
  if (lit.length < 2 || lit.at(-1) !== q) throw syntax(template, `unterminated string ${lit}`);
  return lit.slice(1, -1).replace(/\\(.)/g, (_m, c: string) => ({ n: '\n', t: '\t', r: '\r' })[c] ?? c);
}

/** Parses one path such as `.items[*].metadata.name` (the leading `.` or `$` optional). */
export function parsePath(expr: string, template = expr): Step[] {
  const steps: Step[] = [];
  let i = 0;
  const s = expr.trim();
  if (s === '@' || s === '$' || s === '.') return steps;
  if (s.startsWith('$') || s.startsWith('@')) i = 1;
  const ident = (): string => {
    const m = /^[^.[\]\s]+/.exec(s.slice(i));
    if (!m) throw syntax(template, `expected a field name at "${s.slice(i)}"`);
    i += m[0].length;
    return m[0];
  };
  if (i === 0 && s[0] !== '.' && s[0] !== '[') steps.push({ kind: 'field', name: ident() });
  while (i < s.length) {
    if (s.startsWith('..', i)) {
      i += 2;
      if (s[i] === '*') {
        i++;
        steps.push({ kind: 'recurse', name: null });
      } else steps.push({ kind: 'recurse', name: ident() });
    } else if (s[i] === '.') {
      i++;
      if (s[i] === '*') {
        i++;
        steps.push({ kind: 'wildcard' });
      } else steps.push({ kind: 'field', name: ident() });
    } else if (s[i] === '[') {
      const end = bracketEnd(s, i);
      if (end < 0) throw syntax(template, `unclosed "[" in ${s}`);
      steps.push(bracket(s.slice(i + 1, end).trim(), template));
      i = end + 1;
    } else throw syntax(template, `unexpected "${s[i]}" in ${s}`);
  }
  return steps;
}

function bracketEnd(s: string, open: number): number {
  let depth = 0;
  let quote: string | null = null;
  for (let j = open; j < s.length; j++) {
    const c = s[j]!;
    if (quote) {
      if (c === quote) quote = null;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '[' || c === '(') depth++;
    else if ((c === ']' || c === ')') && --depth === 0) return j;
  }
  return -1;
}

function bracket(inner: string, template: string): Step {
  if (inner === '*') return { kind: 'wildcard' };
  if (/^['"].*['"]$/.test(inner)) return { kind: 'field', name: inner.slice(1, -1) };
  if (inner.startsWith('?(') && inner.endsWith(')')) {
    const body = inner.slice(2, -1).trim();
    const m = /^(@[^=!<>\s]*)\s*(==|!=|<=|>=|<|>)\s*(.+)$/.exec(body);
    if (!m) {
      if (body.startsWith('@')) return { kind: 'filter', path: parsePath(body, template), op: 'exists', value: null };
      throw syntax(template, `cannot read the filter ${inner}`);
    }
    const raw = m[3]!.trim();
    const value = /^['"].*['"]$/.test(raw) ? raw.slice(1, -1) : raw === 'true' ? true : raw === 'false' ? false : Number.isNaN(Number(raw)) ? raw : Number(raw);
    return { kind: 'filter', path: parsePath(m[1]!, template), op: m[2] as '==', value };
  }
  const slice = /^(-?\d+)?\s*(?::\s*(-?\d+)?)?$/.exec(inner);
  if (!slice || inner === '') throw syntax(template, `cannot read the index [${inner}]`);
  const start = slice[1] === undefined ? null : Number(slice[1]);
  const single = !inner.includes(':');
  return { kind: 'index', start, end: single ? null : slice[2] === undefined ? null : Number(slice[2]), single };
}

/** Every value the path reaches from `root`, in document order. */
export function evaluate(steps: readonly Step[], root: unknown): unknown[] {
  let cur: unknown[] = [root];
  for (const step of steps) {
    const next: unknown[] = [];
    for (const v of cur) apply(step, v, next);
    cur = next;
  }
  return cur;
}

function apply(step: Step, v: unknown, out: unknown[]): void {
  switch (step.kind) {
    case 'field':
      if (isObject(v) && Object.hasOwn(v, step.name)) out.push(v[step.name]);
      return;
    case 'wildcard':
      if (Array.isArray(v)) out.push(...v);
      else if (isObject(v)) out.push(...Object.values(v));
      return;
    case 'index': {
      if (!Array.isArray(v)) return;
      const at = (n: number): number => (n < 0 ? v.length + n : n);
      if (step.single) {
        const k = at(step.start ?? 0);
        if (k >= 0 && k < v.length) out.push(v[k]);
      } else out.push(...v.slice(step.start === null ? 0 : at(step.start), step.end === null ? v.length : at(step.end)));
      return;
    }
    case 'recurse':
      descend(v, step.name, out);
      return;
    case 'filter': {
      const items = Array.isArray(v) ? v : isObject(v) ? Object.values(v) : [];
      for (const item of items) {
        const found = evaluate(step.path, item);
        if (step.op === 'exists' ? found.length > 0 : found.some((f) => compare(f, step.op, step.value))) out.push(item);
      }
      return;
    }
  }
}

function descend(v: unknown, name: string | null, out: unknown[]): void {
  if (Array.isArray(v)) {
    for (const x of v) {
      if (name === null) out.push(x);
      descend(x, name, out);
    }
  } else if (isObject(v)) {
    for (const [k, x] of Object.entries(v)) {
      if (name === null || k === name) out.push(x);
      descend(x, name, out);
    }
  }
}

function compare(a: unknown, op: string, b: unknown): boolean {
  switch (op) {
    case '==':
      return a === b || String(a) === String(b);
    case '!=':
      return !(a === b || String(a) === String(b));
    case '<':
      return (a as number) < (b as number);
    case '>':
      return (a as number) > (b as number);
    case '<=':
      return (a as number) <= (b as number);
    default:
      return (a as number) >= (b as number);
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** How kubectl prints one result: strings bare, everything else as JSON. */
export function show(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v === undefined) return '';
  return JSON.stringify(v);
}

/** Renders a parsed template against `data`. */
export function render(nodes: readonly Node[], data: unknown): string {
  let out = '';
  for (const n of nodes) {
    if (n.kind === 'text') out += n.text;
    else if (n.kind === 'path') out += evaluate(n.steps, data).map(show).join(' ');
    else for (const item of evaluate(n.steps, data)) out += render(n.body, item);
  }
  return out;
}

/** `-o jsonpath=TEMPLATE`: the template rendered against `data`; like kubectl, no newline is added. */
export function jsonpath(template: string, data: unknown): string {
  return render(parseTemplate(template), data);
}

/** A path as custom-columns and --sort-by take it: `.status.phase` or `{.status.phase}`. */
export function fieldPath(expr: string): Step[] {
  const e = expr.trim();
  return parsePath(e.startsWith('{') && e.endsWith('}') ? e.slice(1, -1) : e, expr);
}
