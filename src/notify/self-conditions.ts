// The conditions vaid tells about itself (--notify-self), each a pure probe over what vaid
// already records: status.json's manifests and source, the services' last checks, the
// notifier's snapshot, /healthz's status-write check. The watcher (self-alerts.ts) adds the
// thresholds and the once-per-occurrence bookkeeping.
import type { StatusDocument } from '../status/schema.js';
import type { NotifierSnapshot } from './types.js';

const MAX_LINES = 10;

function lines(xs: readonly string[]): string {
  const head = xs.slice(0, MAX_LINES).join('; ');
  return xs.length > MAX_LINES ? `${head}; and ${xs.length - MAX_LINES} more` : head;
}

/**
 * Pull mode: the last commit tried differs from the one applied (refused: bad manifests, or an
 * unsigned commit under --git-verify). Directory mode: files with errors (their last good
 * version stays applied). Both with file:line:col.
 */
export function manifestProblem(doc: Pick<StatusDocument, 'manifests' | 'source'>): string | null {
  const src = doc.source;
  if (src) {
    if (!src.attemptedRevision || src.attemptedRevision === src.appliedRevision) return null;
    return `commit ${src.attemptedRevision.slice(0, 12)} was not applied (still on ${src.appliedRevision?.slice(0, 12) ?? 'none'})${src.attemptErrors.length ? `: ${lines(src.attemptErrors)}` : ''}`;
  }
  const errs = doc.manifests.errors;
  if (errs.length === 0) return null;
  return `${errs.length} manifest error${errs.length === 1 ? '' : 's'}: ${lines(errs.map((e) => `${e.file}:${e.line}:${e.column}: ${e.path ? `${e.path}: ` : ''}${e.message}`))}`;
}

/** Pull mode: fetches fail (the remote is gone, credentials expired). */
export function fetchProblem(doc: Pick<StatusDocument, 'source'>): string | null {
  const src = doc.source;
  if (!src?.fetchFailingSince) return null;
  return `git fetch of ${src.url} failing since ${src.fetchFailingSince}: ${src.lastFetchError ?? 'unknown error'}`;
}

/** Services vai cannot observe (the executor answers `unknown`: Docker engine gone, exec refused). */
export function observeProblem(doc: Pick<StatusDocument, 'services'>): string | null {
  const blind = Object.values(doc.services).filter((s) => s.lastCheck?.health === 'unknown' && s.desired === 'Running');
  if (blind.length === 0) return null;
  return `cannot observe ${blind.length} service${blind.length === 1 ? '' : 's'}: ${lines(blind.map((s) => `${s.name} (${s.lastCheck!.message})`))}`;
}

export const OUTBOX_FULL_SHARE = 0.8;

/** The alert outbox is over 80 % of its bound: beyond it the oldest alerts are dropped. */
export function outboxProblem(s: NotifierSnapshot): string | null {
  if (!s.outboxMax || s.outboxSize < s.outboxMax * OUTBOX_FULL_SHARE) return null;
  return `the alert outbox holds ${s.outboxSize} of at most ${s.outboxMax} notifications (deliveries failing?); beyond it the oldest are dropped`;
}
