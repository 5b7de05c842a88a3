// One redaction policy for everything vai writes where others read: status.json (mode 0644),
// vaid's log, the outbox, alert bodies, the HTTP endpoint and vaictl. What counts as a secret:
// - URL userinfo, with or without a password: `http://admin:s3cret@host`, `https://token@host/`;
// - query parameters with a secret-sounding name: `?token=`, `access_token`, `api_key`, `password`, `sig`...;
// - Authorization-style values: `Bearer x`, `Basic x`, `Authorization: x`, `X-Api-Key: x` (a header
//   value must look like a token, 8+ characters with a digit or token punctuation, so prose survives);
// - in commands: `--password=x`, `--password x`, `-pSECRET` (mysql), `PGPASSWORD=x` and any
//   `*_PASSWORD/_TOKEN/_SECRET/_KEY=` assignment, `-u user:pass` (curl), `--token x`;
// - any value known to be secret (the notifiers' environment variables).
// Redaction happens where a message is made (the executor shows an endpoint through
// `displayUrl`, the notifier and the logs through `redactText`); the endpoint and the page
// redact again as a second line of defence.

export const REDACTED = '***';

const USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/@?#]+@/gi;
const SECRET_NAME = '(?:[a-z0-9_.-]*?(?:access_?token|refresh_?token|token|api_?key|apikey|secret|password|passwd|pwd|auth|authorization|credentials?|signature|sig|session_?id|private_?key))';
const SECRET_PARAM = new RegExp(`([?&;]${SECRET_NAME}=)[^&;#\\s"']*`, 'gi');
const AUTH_SCHEME = /\b((?:Bearer|Basic|bearer|basic)\s+)(?=[A-Za-z0-9._~+/=:-]{8})[A-Za-z0-9._~+/=:-]+/g;
const AUTH_HEADER = /\b((?:authorization|proxy-authorization|x-api-key|x-auth-token|api-key|cookie)\s*:\s*)(?!(?:Bearer|Basic|bearer|basic)\s)(?=[^\s"',;]*[0-9+/=_.~-])[^\s"',;]{8,}/gi;
// `--password=x`, `--db-password x`, `--token x`, `--api-key=x`, `--secret x`.
const LONG_FLAG = new RegExp(`(--${SECRET_NAME}(?:=|\\s+))(?:"[^"]*"|'[^']*'|[^\\s"']+)`, 'gi');
// `PGPASSWORD=x`, `MYSQL_PWD=x`, `AWS_SECRET_ACCESS_KEY=x`, `GITHUB_TOKEN=x`, `VAI_NTFY_TOKEN=x`.
const ENV_ASSIGN = /\b([A-Za-z_][A-Za-z0-9_]*(?:PASSWORD|PASSWD|PWD|TOKEN|SECRET|_KEY|APIKEY|CREDENTIALS?)=)(?:"[^"]*"|'[^']*'|[^\s"';]+)/g;
// mysql's `-pSECRET` (no space): only right after a command word that takes it that way.
const MYSQL_P = /(\b(?:mysql|mysqldump|mysqladmin|mariadb|mariadb-dump)\b[^\n;|&]*?\s-p)([^\s"']+)/g;
// curl's `-u user:pass` / `--user user:pass`.
const CURL_USER = /((?:^|\s)(?:-u|--user)\s+)([^\s:"']+):([^\s"']+)/g;

/** A URL as it may be shown: no userinfo, no secret query values. */
export function displayUrl(url: string): string {
  return url.replace(USERINFO, `$1${REDACTED}@`).replace(SECRET_PARAM, `$1${REDACTED}`);
}

/** Backwards name of displayUrl (notify, vaictl printers). */
export const redactUrl = displayUrl;

/** A command as it may be shown or logged: secret flags, assignments and URLs replaced. */
export function redactCommand(cmd: string): string {
  return redactPatterns(cmd);
}

function redactPatterns(text: string): string {
  return text
    .replace(USERINFO, `$1${REDACTED}@`)
    .replace(SECRET_PARAM, `$1${REDACTED}`)
    .replace(AUTH_SCHEME, `$1${REDACTED}`)
    .replace(AUTH_HEADER, `$1${REDACTED}`)
    .replace(LONG_FLAG, `$1${REDACTED}`)
    .replace(ENV_ASSIGN, `$1${REDACTED}`)
    .replace(MYSQL_P, `$1${REDACTED}`)
    .replace(CURL_USER, `$1$2:${REDACTED}`);
}

/** Every known secret value replaced, then every pattern above. */
export function redactText(text: string, secrets: readonly string[] = []): string {
  let out = text;
  for (const s of secrets) {
    // Very short values would blank out ordinary words; no real token is that short.
    if (s.length >= 4) out = out.split(s).join(REDACTED);
  }
  return redactPatterns(out);
}

// Free text vai did not write (a service's log lines, another process's command line) has no
// shape to trust, so it also loses the value after any secret-sounding word: `--requirepass X`,
// `password: X`, `api_key=X`, a short `Authorization: Bearer X`. Kept apart from redactText so
// vai's own messages keep their words.
const LOOSE_FLAG = /(--?[\w-]*(?:pass|secret|token|api-?key)[\w-]*\s+)(?!-)(\S+)/gi;
const LOOSE_AUTH = /(authorization:\s*(?:bearer|basic)\s+)\S+/gi;
const LOOSE_ASSIGN = /((?:password|passwd|pass|secret|token|api[_-]?key|auth(?!orization))[\w-]*\s*[=:]\s*)(?!\*\*\*)("[^"]*"|'[^']*'|\S+)/gi;

/** Evidence from logs and command lines: every pattern of redactText, then the loose rules above. */
export function redactFreeText(text: string): string {
  return redactPatterns(text).replace(LOOSE_AUTH, `$1${REDACTED}`).replace(LOOSE_FLAG, `$1${REDACTED}`).replace(LOOSE_ASSIGN, `$1${REDACTED}`);
}

/** Values of the environment variables that hold secrets. */
export function secretValues(env: NodeJS.ProcessEnv, names: Iterable<string>): string[] {
  const out = new Set<string>();
  for (const n of names) {
    const v = env[n];
    if (v) out.add(v);
  }
  return [...out];
}

/** Every string inside a JSON-like value passed through `fn`. */
export function mapStrings<T>(value: T, fn: (s: string) => string): T {
  if (typeof value === 'string') return fn(value) as T;
  if (Array.isArray(value)) return value.map((v: unknown) => mapStrings(v, fn)) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mapStrings(v, fn)])) as T;
  }
  return value;
}

/** A deep copy of a JSON value with every string redacted. */
export function redactJson<T>(value: T): T {
  return mapStrings(value, (s) => redactText(s));
}
