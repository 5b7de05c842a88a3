// `vaictl logs` on the host: the last N lines of a file, read backwards in blocks so a large
// log costs only what is shown, then (with -f) what is appended, following truncation and
// rotation (a new inode under the same name) through fs.watch on the file's directory.
import { closeSync, fstatSync, openSync, readSync, statSync, watch } from 'node:fs';
import path from 'node:path';
import type { Writable } from 'node:stream';

const BLOCK = 64 * 1024;

/** The last `n` lines of the file and the byte offset where it ended. */
export function lastLines(file: string, n: number): { text: string; end: number; ino: bigint } {
  const fd = openSync(file, 'r');
  try {
    const st = fstatSync(fd, { bigint: true });
    const size = Number(st.size);
    let pos = size;
    let chunks: Buffer[] = [];
    let newlines = 0;
    // One more newline than lines wanted, unless the file ends without one.
    while (pos > 0 && newlines <= n) {
      const len = Math.min(BLOCK, pos);
      pos -= len;
      const buf = Buffer.alloc(len);
      readSync(fd, buf, 0, len, pos);
      chunks = [buf, ...chunks];
      for (const b of buf) if (b === 10) newlines++;
    }
    const all = Buffer.concat(chunks).toString('utf8');
    const lines = all.split('\n');
    if (lines[lines.length - 1] === '') lines.pop();
    const kept = n === 0 ? [] : lines.slice(-n);
    return { text: kept.length > 0 ? `${kept.join('\n')}\n` : '', end: size, ino: st.ino };
  } finally {
    closeSync(fd);
  }
}

/** Writes what is appended to `file` from `from` on, until `signal` aborts. */
export function follow(file: string, from: number, ino: bigint, out: Writable, signal: AbortSignal): Promise<void> {
  let pos = from;
  let inode = ino;
  const drain = (): void => {
    let st;
    try {
      st = statSync(file, { bigint: true });
    } catch {
      return;
    }
    if (st.ino !== inode || Number(st.size) < pos) {
      inode = st.ino;
      pos = 0;
    }
    const size = Number(st.size);
    if (size <= pos) return;
    const fd = openSync(file, 'r');
    try {
      const buf = Buffer.alloc(size - pos);
      const read = readSync(fd, buf, 0, buf.length, pos);
      pos += read;
      out.write(buf.subarray(0, read));
    } finally {
      closeSync(fd);
    }
  };
  return new Promise((resolve, reject) => {
    const base = path.basename(file);
    const watcher = watch(path.dirname(file), (_e, name) => {
      if (name === null || name === base) drain();
    });
    watcher.on('error', reject);
    drain();
    const stop = (): void => {
      watcher.close();
      resolve();
    };
    if (signal.aborted) stop();
    else signal.addEventListener('abort', stop, { once: true });
  });
}
