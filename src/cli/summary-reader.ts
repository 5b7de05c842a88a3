// vaictl get reads status.summary.json (src/status/summary.ts) instead of status.json when the
// summary names the status.json on disk now: same inode, size and mtime. Anything else (no
// summary, a damaged one, another format, a summary of an older or newer status.json) answers
// null, and the caller reads status.json as before, with its error messages.
import { readFileSync, statSync } from 'node:fs';
import type { Paths } from './paths.js';
import { STATUS_API_VERSION } from '../status/format-version.js';
import { SUMMARY_FORMAT_VERSION, SUMMARY_KIND, summaryFileFor, type StatusSummary } from '../status/summary.js';
import { snapshotOf, type StatusSnapshot } from './status-reader.js';

export function readSummary(paths: Paths, now: number): StatusSnapshot<StatusSummary> | null {
  let doc: StatusSummary;
  let status: { ino: number; size: number; mtimeMs: number };
  try {
    doc = JSON.parse(readFileSync(summaryFileFor(paths.statusFile)).toString('utf8')) as StatusSummary;
    status = statSync(paths.statusFile);
  } catch {
    return null;
  }
  if (!isCurrent(doc, status)) return null;
  return snapshotOf(paths, doc, now);
}

function isCurrent(doc: StatusSummary, status: { ino: number; size: number; mtimeMs: number }): boolean {
  if (typeof doc !== 'object' || doc === null) return false;
  const of = doc.of as Partial<StatusSummary['of']> | undefined;
  if (doc.apiVersion !== STATUS_API_VERSION || doc.kind !== SUMMARY_KIND || doc.formatVersion !== SUMMARY_FORMAT_VERSION) return false;
  if (!of || of.ino !== status.ino || of.size !== status.size || of.mtimeMs !== status.mtimeMs) return false;
  if (!isObj(doc.vaid) || !isInt(doc.vaid.pid) || typeof doc.writtenAt !== 'string' || !isObj(doc.manifests) || typeof doc.manifests.dir !== 'string') return false;
  if (!isObj(doc.services)) return false;
  for (const s of Object.values(doc.services)) if (!looksRight(s)) return false;
  return true;
}

const isObj = (v: unknown): v is Record<string, any> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isInt = (v: unknown): boolean => typeof v === 'number' && Number.isInteger(v) && v >= 0;

function looksRight(s: any): boolean {
  if (!isObj(s)) return false;
  const { restarts: r, lastCheck: l } = s;
  return (
    typeof s.name === 'string' &&
    (s.desired === 'Running' || s.desired === 'Stopped' || s.desired === 'Disabled') &&
    typeof s.phase === 'string' &&
    typeof s.createdAt === 'string' &&
    isObj(s.labels) &&
    isObj(r) && isInt(r.count) && (r.lastAt === null || typeof r.lastAt === 'string') &&
    (l === null || (isObj(l) && typeof l.at === 'string' && (l.health === 'healthy' || l.health === 'unhealthy' || l.health === 'unknown')))
  );
}
