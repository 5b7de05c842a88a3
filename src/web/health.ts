// /healthz as kube-apiserver serves it: a list of named checks. All pass: 200 "ok". One fails:
// 503 and every check listed, `[+]name ok` or `[-]name failed: reason`, then "healthz check
// failed". `?verbose` lists them when all pass too, `?exclude=name` (repeatable) leaves one out,
// and /healthz/NAME runs only that one. Unlike kube-apiserver the reason is shown, not withheld:
// the text carries no secrets (it is redacted anyway) and a person reading it wants the cause.
import { redactText } from './redact.js';

export interface HealthCheck {
  readonly name: string;
  /** Why the check fails now, or null when it passes. A throw counts as a failure. */
  check(): string | null;
  /** Optional: something worth naming that does not fail the check (a manifest file with errors). */
  warn?(): string | null;
}

export interface HealthQuery {
  verbose: boolean;
  exclude: readonly string[];
  /** /healthz/NAME: only this check. */
  only?: string | undefined;
}

export interface HealthReport {
  status: 200 | 404 | 503;
  body: string;
}

export function healthQuery(pathname: string, search: URLSearchParams): HealthQuery {
  const only = pathname.startsWith('/healthz/') ? decodeURIComponent(pathname.slice('/healthz/'.length)) : undefined;
  return { verbose: search.has('verbose'), exclude: search.getAll('exclude'), only };
}

export function healthReport(checks: readonly HealthCheck[], q: HealthQuery): HealthReport {
  if (q.only !== undefined) {
    const one = checks.find((c) => c.name === q.only);
    if (!one) return { status: 404, body: `no health check named ${JSON.stringify(q.only)}; there are: ${checks.map((c) => c.name).join(', ')}\n` };
    const problem = run(one);
    return problem === null ? { status: 200, body: 'ok\n' } : { status: 503, body: redactText(`[-]${one.name} failed: ${problem}\n`) };
  }
  const lines: string[] = [];
  const warnings: string[] = [];
  let failed = false;
  for (const c of checks) {
    if (q.exclude.includes(c.name)) {
      lines.push(`[+]${c.name} excluded: ok`);
      continue;
    }
    const problem = run(c);
    const warning = problem === null ? warnOf(c) : null;
    if (warning !== null) warnings.push(`warning: ${c.name}: ${warning}`);
    if (problem === null) lines.push(warning === null ? `[+]${c.name} ok` : `[+]${c.name} ok (warning: ${warning})`);
    else {
      failed = true;
      lines.push(`[-]${c.name} failed: ${problem}`);
    }
  }
  // A warning is named without failing: probes that read the status code still see 200.
  if (!failed && !q.verbose) return { status: 200, body: redactText(`ok\n${warnings.map((w) => `${w}\n`).join('')}`) };
  lines.push(failed ? 'healthz check failed' : 'healthz check passed');
  return { status: failed ? 503 : 200, body: redactText(`${lines.join('\n')}\n`) };
}

/** The failure reason on one line (the format is one check per line), or null. */
function run(c: HealthCheck): string | null {
  let problem: string | null;
  try {
    problem = c.check();
  } catch (e) {
    problem = `the check threw: ${e instanceof Error ? e.message : String(e)}`;
  }
  return problem === null ? null : problem.replace(/\s*\n\s*/g, ' ');
}

function warnOf(c: HealthCheck): string | null {
  try {
    return c.warn?.()?.replace(/\s*\n\s*/g, ' ') ?? null;
  } catch {
    return null;
  }
}
