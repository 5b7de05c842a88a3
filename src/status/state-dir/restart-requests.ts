// `vaictl restart NAME` leaves STATE_DIR/requests/NAME.restart ({"requestedAt": ISO}, written
// atomically); vaid takes it (reads, deletes, starts a recovery now) and `vaictl plan` shows one
// not taken yet. The request dir may be reached by others, so files are read through safe-open:
// a FIFO or symlink there is refused, not waited on, and a read is at most REQUEST_MAX_BYTES.
import { renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { VaiError } from '../../errors.js';
import { readSafe } from '../../core/safe-open.js';
import type { Paths } from './layout.js';
import { assertServiceName, ensureSharedDir } from './markers.js';

const REQUEST_MAX_BYTES = 4096;
const REQUEST_FILE = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?)\.restart$/;

/** Writes the request atomically; returns its path. */
export function writeRestartRequest(paths: Paths, name: string, now: Date): string {
  assertServiceName(name);
  ensureSharedDir(paths.requestsDir);
  const file = requestFile(paths, name);
  const tmp = path.join(paths.requestsDir, `.${name}.restart.${process.pid}.tmp`);
  try {
    writeFileSync(tmp, `${JSON.stringify({ requestedAt: now.toISOString() })}\n`, { flag: 'wx', mode: 0o644 });
    renameSync(tmp, file);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw new VaiError('VAI_E_STATE_DIR', `cannot write ${file}: ${(e as Error).message}`);
  }
  return file;
}

export function requestFile(paths: Paths, name: string): string {
  return path.join(paths.requestsDir, `${name}.restart`);
}

/** The service a dir entry asks to restart, or null for any other file. */
export function requestedService(file: string): string | null {
  return REQUEST_FILE.exec(file)?.[1] ?? null;
}

/** The request's time; an empty or partial file still asks for a restart, at `now`. */
export function parseRestartRequest(text: string, now: number): number {
  try {
    const parsed = JSON.parse(text) as { requestedAt?: unknown };
    if (typeof parsed.requestedAt === 'string' && !Number.isNaN(Date.parse(parsed.requestedAt))) return Date.parse(parsed.requestedAt);
  } catch {
    // Not JSON: a request all the same.
  }
  return now;
}

export type ReadRequest = { kind: 'request'; at: number } | { kind: 'none' } | { kind: 'refused'; why: string };

/** Reads one request without taking it (vaictl plan, and vaid before deleting). */
export function readRestartRequest(file: string, now: number): ReadRequest {
  try {
    const buf = readSafe(file, REQUEST_MAX_BYTES);
    return buf === null ? { kind: 'none' } : { kind: 'request', at: parseRestartRequest(buf.toString('utf8'), now) };
  } catch (e) {
    return { kind: 'refused', why: (e as Error).message };
  }
}

/** A request vaid has not taken yet, for `vaictl plan`: its time, or null. */
export function pendingRestartRequest(paths: Paths, name: string, now: number): number | null {
  const r = readRestartRequest(requestFile(paths, name), now);
  return r.kind === 'request' ? r.at : null;
}

export interface TakenRequests {
  requests: Array<{ name: string; at: number }>;
  /** Files removed without acting: not regular files, planted links, other owners. */
  refused: Array<{ file: string; why: string }>;
}

/**
 * Takes every request among `names` (entries of the dir, as dir-watch reports them): reads it,
 * deletes it, returns it. A request that cannot be deleted is not returned (another taker won).
 */
export function takeRestartRequests(dir: string, names: Iterable<string>, now: number): TakenRequests {
  const out: TakenRequests = { requests: [], refused: [] };
  for (const file of names) {
    const name = requestedService(file);
    if (name === null) continue;
    const full = path.join(dir, file);
    const r = readRestartRequest(full, now);
    if (r.kind === 'none') continue;
    try {
      unlinkSync(full);
    } catch {
      continue;
    }
    if (r.kind === 'refused') out.refused.push({ file: full, why: r.why });
    else out.requests.push({ name, at: r.at });
  }
  return out;
}
