// Evidence is redacted where it is gathered, before it reaches status, events, logs or alerts:
// command lines and log lines may hold URL credentials, `--password=...` / `--requirepass X`
// style secrets or an Authorization header.
const REDACTED = '***';

export function redactSecrets(text: string): string {
  return text
    .replace(/\b([a-z][a-z0-9+.-]*:\/\/)([^/\s@]+)@/gi, `$1${REDACTED}@`)
    .replace(/(authorization:\s*(?:bearer|basic)\s+)\S+/gi, `$1${REDACTED}`)
    .replace(/(--?[\w-]*(?:pass|secret|token|api-?key)[\w-]*\s+)(?!-)(\S+)/gi, `$1${REDACTED}`)
    .replace(/((?:password|passwd|pass|secret|token|api[_-]?key|auth(?!orization))[\w-]*\s*[=:]\s*)(?!\*\*\*)("[^"]*"|'[^']*'|\S+)/gi, `$1${REDACTED}`);
}
