// Rules a schema-valid Notifier must follow that a JSON Schema cannot say well. A notification
// server is reached over http or https only: `file:`, `gopher:` or `javascript:` would either
// never deliver or make vaid (root) open something else.
import type { NotifierManifest } from './schema.js';
import type { ManifestError } from './types.js';
import { errorAt, type Candidate } from './candidate.js';

function httpUrlProblem(value: string): string | null {
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    return `must be an http:// or https:// URL, got ${JSON.stringify(value)}`;
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return `must be an http:// or https:// URL (notification servers are reached over HTTP), got ${u.protocol}`;
  return null;
}

export function checkNotifierRules(m: NotifierManifest, c: Candidate): ManifestError[] {
  const out: ManifestError[] = [];
  const spec = m.spec as Record<string, unknown>;
  for (const field of ['server', 'url']) {
    const v = spec[field];
    if (typeof v !== 'string') continue;
    const p = httpUrlProblem(v);
    if (p) out.push(errorAt(c, ['spec', field], 'value', 'VAI_E_SPEC_RULE', p));
  }
  const urls = spec.urls;
  if (Array.isArray(urls)) {
    urls.forEach((v, i) => {
      const p = typeof v === 'string' ? httpUrlProblem(v) : null;
      if (p) out.push(errorAt(c, ['spec', 'urls', i], 'value', 'VAI_E_SPEC_RULE', p));
    });
  }
  return out;
}
