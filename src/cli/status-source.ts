// Where a command's status document comes from: this host's state dir, or another host's vaid
// endpoint (--server, --context). The CLI edge (vaictl-main.ts) picks one and puts it on the
// CommandContext; commands ask `statusSource(ctx, paths)` and never know which it is. It is a
// value passed down, not module state: `vaictl get` runs from a bundle holding its own copy of
// these modules (src/cli/vaictl.ts), and a setting made in one copy was invisible to the other.
import type { Paths } from './paths.js';
import type { StatusDocument } from '../status/schema.js';
import type { StatusSummary } from '../status/summary.js';
import { readStatus, type ReadOptions, type StatusSnapshot } from './status-reader.js';
import { readSummary } from './summary-reader.js';

export interface StatusSource {
  /** The server's URL for a remote document; undefined for this host's state dir. */
  readonly server: string | undefined;
  /** The whole document (conditions and events left out with withoutHistory). */
  full(now: number, opts?: ReadOptions): StatusSnapshot;
  /** The part `get` shows, when a current one is at hand; null means: read `full`. */
  summary(now: number): StatusSnapshot<StatusSummary> | null;
}

export function localSource(paths: Paths): StatusSource {
  return { server: undefined, full: (now, opts) => readStatus(paths, now, opts), summary: (now) => readSummary(paths, now) };
}

/** A document read over another host's endpoint just now: that vaid answered, so it counts as running. */
export function remoteSource(doc: StatusDocument, server: string): StatusSource {
  const snap: StatusSnapshot = { doc, daemon: { running: true, pid: doc.vaid.pid }, staleWarning: null };
  return { server, full: () => snap, summary: () => null };
}

export function statusSource(ctx: { status?: StatusSource | undefined }, paths: Paths): StatusSource {
  return ctx.status ?? localSource(paths);
}
