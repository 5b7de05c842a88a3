// Where a command's status document comes from: the CLI's side of status/reader.ts. The edge
// (vaictl-main.ts) puts another host's source on the CommandContext for --server/--context;
// otherwise commands read this host's state dir, with vaictl's way of writing an age.
import type { Paths } from './paths.js';
import { age } from './printers/age.js';
import { localSource, readStatusFile, type LocalReaderOptions, type StatusSnapshot, type StatusSource } from '../status/reader.js';

export type { DaemonState, StatusSnapshot, StatusSource } from '../status/reader.js';

const CLI: LocalReaderOptions = { age };

export function statusSource(ctx: { status?: StatusSource | undefined }, paths: Paths): StatusSource {
  return ctx.status ?? localSource(paths, CLI);
}

/** This host's status.json, for the commands that act on this host only. */
export function readStatus(paths: Paths, now: number): StatusSnapshot {
  return readStatusFile(paths, now, CLI);
}
