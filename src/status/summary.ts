// status.summary.json: what `vaictl get` shows of each service, written by vaid beside
// status.json after each write of it. For 1,000 services it is ~15 % of status.json, and get
// spent most of its time above Node's start-up reading and parsing the whole document.
// The summary names the status.json it was made from by that file's inode, size and mtime
// (`of`): a reader that stats status.json and finds another file there (a newer write landed
// before its summary, a crash between the two renames, a summary that failed to write) reads
// status.json instead. So the summary is never trusted when it does not describe the file on
// disk, and needs no fsync of its own.
import path from 'node:path';
import { STATUS_API_VERSION, SUMMARY_FORMAT_VERSION, SUMMARY_KIND } from './format-version.js';
import type { ServiceStatus, SummaryService } from './schema.js';
import type { FileIdentity } from '../core/atomic-file.js';

export { SUMMARY_FORMAT_VERSION, SUMMARY_KIND };
// The document's fields are defined once, as a schema (schema.ts), which the reader validates with.
export type { StatusSummary, SummaryService } from './schema.js';
export type { FileIdentity };

export function summaryFileFor(statusFile: string): string {
  return path.join(path.dirname(statusFile), 'status.summary.json');
}

/** `"name":{...}` of one service, ready to be joined into the summary's services object. */
export function summaryEntry(s: ServiceStatus): Buffer {
  const l = s.lastCheck;
  const v: SummaryService = {
    name: s.name,
    desired: s.desired,
    phase: s.phase,
    createdAt: s.createdAt,
    labels: s.labels,
    restarts: { count: s.restarts.count, lastAt: s.restarts.lastAt },
    lastCheck: l ? { at: l.at, health: l.health } : null,
    // get's DESIRED marker: present only while a window or silence covers the service.
    ...(s.maintenance?.length ? { maintenance: s.maintenance } : {}),
  };
  // Its own memory, not a slice of Node's shared 8 KiB pool: a pooled slice keeps its whole slab
  // alive, and entries are replaced at every check (+20-35 MB held at 10,000 services).
  const text = `${JSON.stringify(s.name)}:${JSON.stringify(v)}`;
  const buf = Buffer.allocUnsafeSlow(Buffer.byteLength(text));
  buf.write(text);
  return buf;
}

const COMMA = Buffer.from(',');

/** The summary document of one status.json, as chunks for a writev. */
export function renderSummary(of: FileIdentity, head: { pid: number; mode?: 'daemon' | 'once'; writtenAt: string; manifestsDir: string; manifestErrors?: { count: number; first: string[] } }, entries: readonly Buffer[]): Buffer[] {
  const top = JSON.stringify({
    apiVersion: STATUS_API_VERSION,
    kind: SUMMARY_KIND,
    formatVersion: SUMMARY_FORMAT_VERSION,
    of,
    vaid: head.mode ? { pid: head.pid, mode: head.mode } : { pid: head.pid },
    writtenAt: head.writtenAt,
    manifests: head.manifestErrors ? { dir: head.manifestsDir, errors: head.manifestErrors } : { dir: head.manifestsDir },
  });
  const parts: Buffer[] = [Buffer.from(`${top.slice(0, -1)},"services":{`)];
  entries.forEach((e, i) => {
    if (i > 0) parts.push(COMMA);
    parts.push(e);
  });
  parts.push(Buffer.from('}}\n'));
  return parts;
}
