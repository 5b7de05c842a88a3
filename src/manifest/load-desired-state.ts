// loadDesiredState: one pass over the manifest directory into a DesiredState, relative to
// the previous one (last good specs, generations, revisions).
import { readFile, stat } from 'node:fs/promises';
import type { DesiredNotifier, DesiredService, DesiredState, ManifestError } from './types.js';
import type { LabelSelector } from './label-selector.js';
import { scanTree } from './scan-tree.js';
import { loadFileText, type FileResult } from './load-file.js';
import { assembleState } from './assemble-state.js';
import { gitRevision } from './git-revision.js';
import { deepEqual } from './deep.js';
import { MAX_FILE_BYTES } from './limits.js';

/** Parsed files by path, reused while their text is unchanged (the watcher keeps one). */
export type FileCache = Map<string, { text: string; result: FileResult }>;

export interface LoadOptions {
  dir: string;
  previous?: DesiredState | undefined;
  allowUnsafePermissions?: boolean | undefined;
  selector?: LabelSelector | undefined;
  cache?: FileCache | undefined;
}

function readError(file: string, message: string): FileResult {
  return { file, definitions: [], errors: [{ code: 'VAI_E_MANIFEST_READ', file, line: 1, column: 1, path: '', message }] };
}

export async function loadFile(file: string, cache?: FileCache): Promise<FileResult> {
  let text: string;
  try {
    const st = await stat(file);
    if (st.size > MAX_FILE_BYTES) {
      return readError(file, `file is ${(st.size / 1024 / 1024).toFixed(1)} MiB, more than the limit of ${MAX_FILE_BYTES / 1024 / 1024} MiB`);
    }
    text = await readFile(file, 'utf8');
  } catch (e) {
    return readError(file, `cannot read: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  if (text.length > MAX_FILE_BYTES) return readError(file, `file grew past the limit of ${MAX_FILE_BYTES / 1024 / 1024} MiB while being read`);
  const hit = cache?.get(file);
  if (hit && hit.text === text) return hit.result;
  const result = loadFileText(text, file);
  cache?.set(file, { text, result });
  return result;
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

function sameNotifiers(a: ReadonlyMap<string, DesiredNotifier>, b: ReadonlyMap<string, DesiredNotifier>): boolean {
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
  const attemptedRevision = await gitRevision(opts.dir);
  const scan = await scanTree(opts.dir, { checkPermissions: !opts.allowUnsafePermissions });
  const results = new Map<string, FileResult>();
  for (const file of scan.files) results.set(file, await loadFile(file, opts.cache));
  if (opts.cache) for (const k of opts.cache.keys()) if (!results.has(k)) opts.cache.delete(k);
  const { services, notifiers, errors } = assembleState({
    root: scan.root,
    results,
    scanErrors: scan.errors,
    refused: scan.failed,
    previous: opts.previous,
    selector: opts.selector,
  });
  const prev = opts.previous;
  const changed = !prev || !sameServices(services, prev.services) || !sameNotifiers(notifiers, prev.notifiers);
  return {
    generation: prev ? prev.generation + (changed ? 1 : 0) : 1,
    revision: errors.length === 0 ? attemptedRevision : (prev?.revision ?? null),
    attemptedRevision,
    services,
    notifiers,
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
