// `vaictl rollout undo NAME` leaves STATE_DIR/requests/NAME.undo ({"revision", "hash",
// "requestedAt"}, written atomically); vaid takes it (reads, deletes, pins the service to that
// revision's spec). Read through safe-open like restart requests: the dir may be reached by others.
import { renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { VaiError } from '../../errors.js';
import { readSafe } from '../../core/safe-open.js';
import type { Paths } from './layout.js';
import { assertServiceName, ensureSharedDir } from './markers.js';

const UNDO_FILE = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?)\.undo$/;

export interface UndoRequest {
  name: string;
  revision: string;
  hash: string;
}

export function writeUndoRequest(paths: Paths, r: UndoRequest, now: Date): string {
  assertServiceName(r.name);
  ensureSharedDir(paths.requestsDir);
  const file = path.join(paths.requestsDir, `${r.name}.undo`);
  const tmp = path.join(paths.requestsDir, `.${r.name}.undo.${process.pid}.tmp`);
  try {
    writeFileSync(tmp, `${JSON.stringify({ revision: r.revision, hash: r.hash, requestedAt: now.toISOString() })}\n`, { flag: 'wx', mode: 0o644 });
    renameSync(tmp, file);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw new VaiError('VAI_E_STATE_DIR', `cannot write ${file}: ${(e as Error).message}`);
  }
  return file;
}

/** Takes every undo request among `names` (dir entries): reads, deletes, returns it. */
export function takeUndoRequests(dir: string, names: Iterable<string>): { requests: UndoRequest[]; refused: Array<{ file: string; why: string }> } {
  const out: { requests: UndoRequest[]; refused: Array<{ file: string; why: string }> } = { requests: [], refused: [] };
  for (const file of names) {
    const name = UNDO_FILE.exec(file)?.[1];
    if (!name) continue;
    const full = path.join(dir, file);
    let parsed: { revision?: unknown; hash?: unknown } | null = null;
    let why = '';
    try {
      const buf = readSafe(full, 4096);
      if (buf === null) continue;
      parsed = JSON.parse(buf.toString('utf8')) as { revision?: unknown; hash?: unknown };
    } catch (e) {
      why = (e as Error).message;
    }
    try {
      unlinkSync(full);
    } catch {
      continue;
    }
    if (parsed && typeof parsed.revision === 'string' && typeof parsed.hash === 'string' && /^[0-9a-f]{16}$/.test(parsed.hash)) out.requests.push({ name, revision: parsed.revision.slice(0, 100), hash: parsed.hash });
    else out.refused.push({ file: full, why: why || 'not {"revision": ..., "hash": ...}' });
  }
  return out;
}
