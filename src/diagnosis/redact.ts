// Evidence is redacted where it is gathered, before it reaches status, events, logs or alerts:
// command lines and log lines may hold URL credentials or `--password=...` style secrets.
const REDACTED = '***';

export function redactSecrets(text: string): string {
  return text
    .replace(/\b([a-z][a-z0-9+.-]*:\/\/)([^/\s@]+)@/gi, `$1${REDACTED}@`)
    .replace(/((?:password|passwd|pass|secret|token|api[_-]?key|auth)[\w-]*\s*[=:]\s*)("[^"]*"|'[^']*'|\S+)/gi, `$1${REDACTED}`)
    .replace(/(--(?:password|passwd|secret|token|api-key)\s+)(\S+)/gi, `$1${REDACTED}`)
    .replace(/(authorization:\s*(?:bearer|basic)\s+)\S+/gi, `$1${REDACTED}`);
}
