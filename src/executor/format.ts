// Human wording shared by every check and command message, so `vaictl describe` reads the same
// whatever ran the check.

/** `12 ms`, `1.5 s`, `5 s`: milliseconds below a second, seconds above. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  return `${Number.isInteger(s) ? s : s.toFixed(1)} s`;
}

/** Keeps messages one line and bounded: status documents and notifications carry them. */
export function oneLine(text: string, max = 300): string {
  const flat = text.replace(/\s*[\r\n]+\s*/g, ' | ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** Latencies in status carry two decimals of a millisecond. */
export function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
