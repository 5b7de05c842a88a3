// Secrets (tokens, header values, URL userinfo) must never reach a log line, a file, status or
// vaictl output. Everything that leaves the notifier as text passes through here.

const REDACTED = '***';

/** `https://user:pass@host/x` -> `https://***@host/x`; other text unchanged. */
export function redactUrl(url: string): string {
  return url.replace(/\b([a-z][a-z0-9+.-]*:\/\/)([^/\s@]+)@/gi, `$1${REDACTED}@`);
}

/** Replaces every occurrence of a known secret value, then any URL userinfo. */
export function redactText(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) {
    // Very short values would blank out ordinary words; no real token is that short.
    if (s.length >= 4) out = out.split(s).join(REDACTED);
  }
  return redactUrl(out);
}

/** Values of the environment variables that hold notifier secrets. */
export function secretValues(env: NodeJS.ProcessEnv, names: Iterable<string>): string[] {
  const out = new Set<string>();
  for (const n of names) {
    const v = env[n];
    if (v) out.add(v);
  }
  return [...out];
}

/** Every string inside a JSON-like value passed through `fn` (for specs kept on disk). */
export function mapStrings<T>(value: T, fn: (s: string) => string): T {
  if (typeof value === 'string') return fn(value) as T;
  if (Array.isArray(value)) return value.map((v: unknown) => mapStrings(v, fn)) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mapStrings(v, fn)])) as T;
  }
  return value;
}
