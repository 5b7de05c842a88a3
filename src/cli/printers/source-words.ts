// The git source and the rollouts in a few words: the header lines of `vaictl get` and the
// Git Source / Rollout fields of describe. Pure: a document in, lines out.
import type { RolloutStatus, StatusDocument } from '../../status/schema.js';
import { short } from '../../reconcile/rollout.js';
import { age } from './age.js';

/** `file:///srv/vai.git main: applied 1a2b3c4 (2m ago); waiting 5d6e7f8 (suspended)`, or null in directory mode. */
export function sourceWords(doc: StatusDocument, now: number): string | null {
  const s = doc.source;
  if (!s) return null;
  const parts = [`${s.url}${s.path ? ` (${s.path})` : ''} ${s.ref}: applied ${s.appliedRevision ? short(s.appliedRevision) : '<none>'}${s.appliedAt ? ` (${age(s.appliedAt, now)} ago)` : ''}`];
  if (s.fetchedRevision && s.fetchedRevision !== s.appliedRevision && s.fetchedRevision !== s.attemptedRevision) parts.push(`waiting ${short(s.fetchedRevision)}`);
  if (s.attemptedRevision && s.attemptedRevision !== s.appliedRevision && s.attemptErrors.length) parts.push(`failed ${short(s.attemptedRevision)}: ${s.attemptErrors[0]}`);
  if (s.suspended) parts.push('suspended (vaictl resume)');
  if (s.lastFetchError) parts.push(`fetch failing since ${s.fetchFailingSince ? `${age(s.fetchFailingSince, now)} ago` : '?'}: ${s.lastFetchError}`);
  return parts.join('; ');
}

/** `Pinned to 1a2b3c4 (vaictl rollout undo)`, `RolledBack: 5d6e7f8 failed (ExitedAfterStart), runs 1a2b3c4`, ... */
export function rolloutWords(r: RolloutStatus): string {
  switch (r.state) {
    case 'Pinned':
      return `Pinned to ${short(r.pinned?.revision ?? r.running.revision)} (vaictl rollout undo) until a commit changes the service`;
    case 'RolledBack':
      return `RolledBack: ${r.failed ? `${short(r.failed.revision)} failed (${r.failed.reason}), ` : ''}runs ${short(r.running.revision)}`;
    case 'RollingOut':
      return `RollingOut ${r.target ? short(r.target.revision) : ''} (was ${short(r.running.revision)})`;
    case 'RollingBack':
      return `RollingBack to ${short(r.running.revision)}${r.failed ? ` (${short(r.failed.revision)} failed: ${r.failed.reason})` : ''}`;
    case 'Pending':
      return `Pending: runs ${short(r.running.revision)}, a newer spec waits to roll out`;
    default:
      return `Stable at ${short(r.running.revision)}`;
  }
}

/** The lines above `vaictl get`'s table: the source, then services whose rollout is not Stable. */
export function getHeaderLines(doc: StatusDocument, names: readonly string[], now: number): string[] {
  const out: string[] = [];
  const src = sourceWords(doc, now);
  if (src) out.push(`Source: ${src}`);
  const rollouts = names.map((n) => doc.services[n]).filter((s) => s?.rollout && s.rollout.state !== 'Stable').map((s) => `${s!.name} ${s!.rollout!.state === 'Pinned' ? `pinned to ${short(s!.rollout!.pinned?.revision ?? s!.rollout!.running.revision)}` : rolloutWords(s!.rollout!)}`);
  if (rollouts.length) out.push(`Rollout: ${rollouts.join('; ')}`);
  return out;
}
