// The last lines of a log file, for a failure's evidence: read only on a failure path, at most
// MAX_TAIL_BYTES from the end, never through a symlink, never blocking on a FIFO or a device
// (a service owner may control the directory of log_path; vaid runs as root).
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { redactFreeText } from './redact.js';

export const MAX_TAIL_BYTES = 16 * 1024;
export const MAX_TAIL_LINES = 10;

/**
 * The last `maxLines` non-empty lines of `file`; when `after` is given, only the lines after the
 * last one containing it (the marker vai writes when it starts a command). [] when unreadable.
 */
export function tailLines(file: string, opts: { maxLines?: number; after?: string; dropMarkers?: boolean } = {}): string[] {
  const maxLines = opts.maxLines ?? MAX_TAIL_LINES;
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch {
    return [];
  }
  let text = '';
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) return [];
    const len = Math.min(st.size, MAX_TAIL_BYTES);
    const buf = Buffer.alloc(len);
    let n = 0;
    while (n < len) {
      const r = readSync(fd, buf, n, len - n, st.size - len + n);
      if (r <= 0) break;
      n += r;
    }
    text = buf.toString('utf8', 0, n);
  } catch {
    return [];
  } finally {
    closeSync(fd);
  }
  let lines = text.split('\n');
  // The first line may be cut by the byte bound.
  if (text.length >= MAX_TAIL_BYTES) lines = lines.slice(1);
  if (opts.after) {
    let last = -1;
    for (let i = 0; i < lines.length; i++) if (lines[i]!.includes(opts.after)) last = i;
    if (last >= 0) lines = lines.slice(last + 1);
  }
  if (opts.dropMarkers) lines = lines.filter((l) => !l.startsWith('[vai '));
  return lines
    .map((l) => l.trimEnd())
    .filter((l) => l.length > 0)
    .slice(-maxLines)
    .map(redactFreeText);
}
