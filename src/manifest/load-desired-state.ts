// loadDesiredState: one pass over the manifest directory into a DesiredState, relative to
// the previous one (last good specs, generations, revisions).
import { readFileSync, statSync } from 'node:fs';
import type { DesiredService, DesiredState, ManifestError, Revision } from './types.js';
import type { LabelSelector } from './label-selector.js';
import { scanTree, type FileStamp } from './scan-tree.js';
import { loadFileText, type FileResult } from './load-file.js';
import type { ParseSource } from './source-document.js';
import { assembleState } from './assemble-state.js';
import { gitRevision } from './git-revision.js';
import { deepEqual } from './deep.js';
import { MAX_FILE_BYTES } from './limits.js';

/** Parsed files by path, reused while unchanged (the watcher keeps one). */
export type FileCache = Map<string, { text: string; stamp?: string; readAt: number; result: FileResult }>;

/**
 * A file whose stamp is unchanged is not read again, unless it was modified within this long
 * before it was last read: then a second write in the same timestamp tick could hide behind an
 * equal stamp (git's "racily clean" problem), so it is read and compared.
 */
const RACY_MS = 2_000;

export interface LoadOptions {
  dir: string;
  previous?: DesiredState | undefined;
  allowUnsafePermissions?: boolean | undefined;
  selector?: LabelSelector | undefined;
  cache?: FileCache | undefined;
  /** Where the revision comes from; default: git in the directory (pull mode knows its commit itself). */
  revisionOf?: ((dir: string) => Promise<Revision | null>) | undefined;
  /** How file text is parsed (vaictl puts its parse cache here); default: parseSource. */
  parse?: ParseSource | undefined;
}

function readError(file: string, message: string): FileResult {
  return { file, definitions: [], errors: [{ code: 'VAI_E_MANIFEST_READ', file, line: 1, column: 1, path: '', message }] };
}

export async function loadFile(file: string, cache?: FileCache, stamp?: FileStamp, parse?: ParseSource): Promise<FileResult> {
  const hit = cache?.get(file);
  if (hit && stamp && hit.stamp === stamp.key && hit.readAt - stamp.mtimeMs > RACY_MS) return hit.result;
  let text: string;
  const readAt = Date.now();
  try {
    const bytes = stamp?.size ?? statSync(file).size;
    if (bytes > MAX_FILE_BYTES) {
      return readError(file, `file is ${(bytes / 1024 / 1024).toFixed(1)} MiB, more than the limit of ${MAX_FILE_BYTES / 1024 / 1024} MiB`);
    }
    // Synchronous for the same reason as in scan-tree.ts: small files, many of them.
    text = readFileSync(file, 'utf8');
  } catch (e) {
    return readError(file, `cannot read: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  if (text.length > MAX_FILE_BYTES) return readError(file, `file grew past the limit of ${MAX_FILE_BYTES / 1024 / 1024} MiB while being read`);
  if (hit && hit.text === text) {
    cache?.set(file, { ...hit, ...(stamp ? { stamp: stamp.key } : {}), readAt });
    return hit.result;
  }
  const result = loadFileText(text, file, parse);
  cache?.set(file, { text, ...(stamp ? { stamp: stamp.key } : {}), readAt, result });
  return result;
}

export async function loadFiles(files: readonly string[], stamps: ReadonlyMap<string, FileStamp>, cache?: FileCache, parse?: ParseSource): Promise<Map<string, FileResult>> {
  const out = new Map<string, FileResult>();
  for (const f of files) out.set(f, await loadFile(f, cache, stamps.get(f), parse));
  return out;
}

function sameServices(a: ReadonlyMap<string, DesiredService>, b: ReadonlyMap<string, DesiredService>): boolean {
  if (a.size !== b.size) return false;
  for (const [name, s] of a) {
    const o = b.get(name);
    if (!o) return false;
    if (o !== s && !(o.generation === s.generation && deepEqual(o.annotations, s.annotations) && deepEqual(o.source, s.source) && o.format === s.format)) return false;
  }
  return true;
}

/** Named definitions compared by value (notifiers, maintenance windows). */
function sameNotifiers<T>(a: ReadonlyMap<string, T>, b: ReadonlyMap<string, T>): boolean {
  if (a.size !== b.size) return false;
  for (const [name, n] of a) {
    const o = b.get(name);
    if (!o || (o !== n && !deepEqual(o, n))) return false;
  }
  return true;
}

/** `opts` may also be just the directory (callers that need no previous state). */
export async function loadDesiredState(options: LoadOptions | string): Promise<DesiredState> {
  const opts: LoadOptions = typeof options === 'string' ? { dir: options } : options;
  const [attemptedRevision, scan] = await Promise.all([(opts.revisionOf ?? gitRevision)(opts.dir), scanTree(opts.dir, { checkPermissions: !opts.allowUnsafePermissions })]);
  const results = await loadFiles(scan.files, scan.stats, opts.cache, opts.parse);
  if (opts.cache) for (const k of opts.cache.keys()) if (!results.has(k)) opts.cache.delete(k);
  const { services, notifiers, maintenance, errors } = assembleState({
    root: scan.root,
    results,
    scanErrors: scan.errors,
    refused: scan.failed,
    previous: opts.previous,
    selector: opts.selector,
  });
  const prev = opts.previous;
  const changed = !prev || !sameServices(services, prev.services) || !sameNotifiers(notifiers, prev.notifiers) || !sameNotifiers(maintenance, prev.maintenance ?? new Map());
  return {
    generation: prev ? prev.generation + (changed ? 1 : 0) : 1,
    revision: errors.length === 0 ? attemptedRevision : (prev?.revision ?? null),
    attemptedRevision,
    services,
    notifiers,
    maintenance,
    errors: errors as readonly ManifestError[],
    loadedAt: Date.now(),
  };
}

/** Whether `next` says anything `prev` did not: applied content, errors or revisions. */
export function stateDiffers(prev: DesiredState, next: DesiredState): boolean {
  return (
    prev.generation !== next.generation ||
    !deepEqual(prev.errors, next.errors) ||
    !deepEqual(prev.revision, next.revision) ||
    !deepEqual(prev.attemptedRevision, next.attemptedRevision)
  );
}
