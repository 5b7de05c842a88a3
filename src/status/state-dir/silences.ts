// Ad-hoc silences (`vaictl silence NAME|-l SELECTOR --for 30m --reason TEXT`): one file each,
// STATE_DIR/silences/<id>.json, written atomically by vaictl and read by vaid, so a silence
// survives a vaid restart and ends by itself at endsAt (an expired file is only removed). The
// dir follows the markers' rule (dir-rule.ts: root-owned, not group/world-writable; entries of
// other owners ignored) and files are read through safe-open: no FIFO, symlink or huge file.
import { readdirSync, lstatSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { VaiError } from '../../errors.js';
import { readSafe } from '../../core/safe-open.js';
import { writeFileAtomic } from '../../core/atomic-file.js';
import type { Paths } from './layout.js';
import { assertServiceName, ensureSharedDir, removeStateFile, SERVICE_NAME } from './markers.js';
import { foreignOwner, judgeDir } from './dir-rule.js';

export interface Silence {
  id: string;
  /** Services by name (may be empty when a selector is given). */
  names: string[];
  /** A label selector in --selector syntax, or null. */
  selector: string | null;
  reason: string;
  createdAt: string;
  endsAt: string;
}

const SILENCE_MAX_BYTES = 8192;
const ID = /^s-[0-9a-f]{8}$/;
const FILE = /^(s-[0-9a-f]{8})\.json$/;

export function silencesDir(paths: Pick<Paths, 'stateDir'>): string {
  return path.join(paths.stateDir, 'silences');
}

export function newSilenceId(): string {
  return `s-${randomBytes(4).toString('hex')}`;
}

export function assertSilenceId(id: string): void {
  if (!ID.test(id)) throw new VaiError('VAI_E_USAGE', `"${id}" is not a silence id (they look like s-1a2b3c4d; see vaictl silence list)`);
}

export function writeSilence(paths: Pick<Paths, 'stateDir'>, s: Silence): string {
  assertSilenceId(s.id);
  s.names.forEach(assertServiceName);
  const dir = silencesDir(paths);
  ensureSharedDir(dir);
  const file = path.join(dir, `${s.id}.json`);
  try {
    writeFileAtomic(file, `${JSON.stringify(s)}\n`, 0o644);
  } catch (e) {
    throw new VaiError('VAI_E_STATE_DIR', `cannot write ${file}: ${(e as Error).message}`);
  }
  return file;
}

/** Removes a silence; false when there was none. */
export function deleteSilence(paths: Pick<Paths, 'stateDir'>, id: string): boolean {
  assertSilenceId(id);
  return removeStateFile(path.join(silencesDir(paths), `${id}.json`));
}

/** A silence file's content, or null when it is not one (it is then ignored). */
export function parseSilence(text: string, id: string): Silence | null {
  let v: Partial<Silence>;
  try {
    v = JSON.parse(text) as Partial<Silence>;
  } catch {
    return null;
  }
  if (v === null || typeof v !== 'object' || v.id !== id) return null;
  if (!Array.isArray(v.names) || !v.names.every((n) => typeof n === 'string' && SERVICE_NAME.test(n))) return null;
  if (v.selector !== null && typeof v.selector !== 'string') return null;
  if (typeof v.reason !== 'string' || typeof v.createdAt !== 'string' || typeof v.endsAt !== 'string' || Number.isNaN(Date.parse(v.endsAt))) return null;
  if (v.names.length === 0 && !v.selector) return null;
  return { id, names: v.names, selector: v.selector, reason: v.reason.slice(0, 1024), createdAt: v.createdAt, endsAt: v.endsAt };
}

export interface ReadSilences {
  silences: Silence[];
  problems: string[];
}

/**
 * Every silence in the dir, expired ones included (callers compare endsAt with their clock).
 * `entries`: the dir's names as dir-watch reported them (already judged), or read here.
 */
export function readSilences(paths: Pick<Paths, 'stateDir'>, entries?: Iterable<string>): ReadSilences {
  const dir = silencesDir(paths);
  const out: ReadSilences = { silences: [], problems: [] };
  let names: Iterable<string>;
  if (entries) names = entries;
  else {
    const verdict = judgeDir(dir);
    if (!verdict.ok) return { silences: [], problems: [`${verdict.why}; silences are ignored until fixed`] };
    try {
      names = readdirSync(dir);
    } catch {
      return out;
    }
  }
  for (const name of [...names].sort()) {
    const id = FILE.exec(name)?.[1];
    if (!id) continue;
    const file = path.join(dir, name);
    try {
      if (!entries && foreignOwner(lstatSync(file))) {
        out.problems.push(`${file} is not owned by root: ignored`);
        continue;
      }
      const buf = readSafe(file, SILENCE_MAX_BYTES);
      if (buf === null) continue;
      const s = parseSilence(buf.toString('utf8'), id);
      if (s) out.silences.push(s);
      else out.problems.push(`${file} is not a silence: ignored`);
    } catch (e) {
      out.problems.push(`${file}: ${(e as Error).message}`);
    }
  }
  return out;
}

/** Removes the files of silences that ended before `now`; returns their ids. */
export function removeExpiredSilences(paths: Pick<Paths, 'stateDir'>, silences: readonly Silence[], now: number): string[] {
  const gone: string[] = [];
  for (const s of silences) {
    if (Date.parse(s.endsAt) > now) continue;
    try {
      if (deleteSilence(paths, s.id)) gone.push(s.id);
    } catch {
      // Left for the next pass; an expired silence mutes nothing either way.
    }
  }
  return gone;
}
