// Reloading what a previous vaid recorded, so failures in the window, backoff, restart counts,
// unfinished recoveries and incident bookkeeping survive a restart of vaid.
import { readFileSync } from 'node:fs';
import type { StatusDocument } from './schema.js';
import { STATUS_FORMAT_VERSION } from './format-version.js';
import { statusDocumentProblems } from './validate.js';

export type LoadedStatus =
  | { kind: 'missing' }
  | { kind: 'loaded'; doc: StatusDocument }
  /** Unreadable, unparsable, invalid or from an incompatible version: start afresh, say why. */
  | { kind: 'rejected'; reason: string };

export function loadStatusFile(file: string): LoadedStatus {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'missing' };
    return { kind: 'rejected', reason: `cannot read ${file}: ${(e as Error).message}` };
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    return { kind: 'rejected', reason: `${file} is not JSON: ${(e as Error).message}` };
  }
  const version = (doc as { formatVersion?: unknown } | null)?.formatVersion;
  if (typeof version === 'number' && version > STATUS_FORMAT_VERSION) {
    return { kind: 'rejected', reason: `${file} has formatVersion ${version}, newer than this vaid understands (${STATUS_FORMAT_VERSION})` };
  }
  const problems = statusDocumentProblems(doc);
  if (problems) return { kind: 'rejected', reason: `${file} does not match the status schema: ${problems}` };
  return { kind: 'loaded', doc: doc as StatusDocument };
}
