// `vaictl logs --since 10m --grep PATTERN`: a log_path is a plain file with no times of its own,
// so --since reads the time a line starts with (ISO 8601, `2026-12-02 05:40:27`, or a JSON
// log's "time"), and a line without one belongs to the line above it (a stack trace).
export interface LogFilter {
  sinceMs: number | null;
  grep: RegExp | null;
}

const LEADING_TIME = /^\[?(\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:[.,]\d+)?(?:Z|[+-]\d{2}:?\d{2})?)/;
const JSON_TIME = /"(?:time|timestamp|ts|@timestamp)"\s*:\s*(?:"([^"]+)"|(\d{10,13}))/;

export function lineTime(line: string): number | null {
  const m = LEADING_TIME.exec(line);
  if (m) {
    const t = Date.parse(m[1]!.replace(' ', 'T').replace(',', '.'));
    if (!Number.isNaN(t)) return t;
  }
  const j = JSON_TIME.exec(line);
  if (j) {
    if (j[2]) return j[2].length === 13 ? Number(j[2]) : Number(j[2]) * 1000;
    const t = Date.parse(j[1]!);
    if (!Number.isNaN(t)) return t;
  }
  return null;
}

/** The lines of `text` that pass the filter; `timed` says whether any line carried a time. */
export function filterLog(text: string, f: LogFilter, now: number): { text: string; timed: boolean } {
  const lines = text.split('\n');
  const last = lines.pop();
  if (last !== undefined && last !== '') lines.push(last);
  let current: number | null = null;
  let timed = false;
  const out: string[] = [];
  for (const line of lines) {
    const t = lineTime(line);
    if (t !== null) {
      current = t;
      timed = true;
    }
    if (f.sinceMs !== null && (current === null || current < now - f.sinceMs)) continue;
    if (f.grep && !f.grep.test(line)) continue;
    out.push(line);
  }
  return { text: out.length ? `${out.join('\n')}\n` : '', timed };
}
