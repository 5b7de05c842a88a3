// Wording shared by the check types' describe texts. URLs and commands go through core/redact:
// output must never carry a secret (moved here from cli/printers/check-words.ts with the describe texts).

// One redaction policy (core/redact.ts): user info, secret query parameters, tokens in commands.
export { redactUrl, redactCommand } from '../../core/redact.js';

export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 3)}...`;
}

/** `host:port`, with brackets for an IPv6 host. */
export function hostPort(host: string, port: number | string): string {
  return `${host.includes(':') ? `[${host}]` : host}:${port}`;
}
