// Opening STATE_DIR/history.db: the writer's connection (vaid: WAL, creates and migrates the
// tables) and readers' (vaictl, the endpoint: read-only, never create or migrate). A file a newer
// vai wrote is refused with HistoryTooNew, never rewritten. A file that is not a database, or
// whose pages are damaged, is moved aside by the writer (history.db.corrupt-<time>) and a new
// one started: history is a convenience, and it must never keep vaid from starting.
import { existsSync, renameSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import { VaiError } from '../errors.js';
import { HISTORY_FORMAT_VERSION, MIGRATIONS, SCHEMA_SQL } from './sql-schema.js';

export type Db = BetterSqlite3.Database;

// Loaded with require so a vaictl command that never opens the database never loads the binding.
const require = createRequire(import.meta.url);
let Driver: typeof BetterSqlite3 | null = null;
function driver(): typeof BetterSqlite3 {
  return (Driver ??= require('better-sqlite3') as typeof BetterSqlite3);
}

export const HISTORY_FILE = 'history.db';

export function historyFile(stateDir: string): string {
  return path.join(stateDir, HISTORY_FILE);
}

export class HistoryTooNew extends VaiError {
  constructor(
    readonly file: string,
    readonly found: number,
  ) {
    super('VAI_E_HISTORY_TOO_NEW', `${file} was written by a newer vai (history format ${found}; this vai reads up to ${HISTORY_FORMAT_VERSION}): history is off. Upgrade vai, or move the file away to start a new history.`, { file, found });
  }
}

export class HistoryUnavailable extends VaiError {
  constructor(
    readonly file: string,
    reason: string,
  ) {
    super('VAI_E_HISTORY_UNAVAILABLE', `${file}: ${reason}`, { file });
  }
}

const CORRUPT_CODES = new Set(['SQLITE_CORRUPT', 'SQLITE_NOTADB', 'SQLITE_CORRUPT_INDEX', 'SQLITE_CORRUPT_SEQUENCE', 'SQLITE_CORRUPT_VTAB']);

/** The database file is damaged (as opposed to the disk being full or read-only). */
export function isCorruption(e: unknown): boolean {
  const code = (e as { code?: unknown }).code;
  return typeof code === 'string' && (CORRUPT_CODES.has(code) || code.startsWith('SQLITE_CORRUPT'));
}

export interface OpenedWriter {
  db: Db;
  /** Where a damaged file was moved, when it was. */
  movedAside: string | null;
  reason: string | null;
}

/** vaid's connection. Throws HistoryTooNew; a damaged file is moved aside and a new one made. */
export function openWriter(file: string, nowMs: number): OpenedWriter {
  try {
    return { db: openAndMigrate(file), movedAside: null, reason: null };
  } catch (e) {
    if (e instanceof HistoryTooNew || !isCorruption(e)) throw e;
    const movedAside = moveAside(file, nowMs);
    return { db: openAndMigrate(file), movedAside, reason: (e as Error).message };
  }
}

/** Renames the file and its -wal and -shm to `<file>.corrupt-<ISO time>`; returns the new name. */
export function moveAside(file: string, nowMs: number): string {
  const stamp = new Date(nowMs).toISOString().replace(/[:.]/g, '-');
  let target = `${file}.corrupt-${stamp}`;
  for (let i = 1; existsSync(target); i++) target = `${file}.corrupt-${stamp}-${i}`;
  renameSync(file, target);
  for (const suffix of ['-wal', '-shm']) {
    try {
      renameSync(file + suffix, target + suffix);
    } catch {
      // Absent: nothing to keep.
    }
  }
  return target;
}

function openAndMigrate(file: string): Db {
  const db = new (driver())(file);
  try {
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version > HISTORY_FORMAT_VERSION) throw new HistoryTooNew(file, version);
    db.pragma('journal_mode = WAL');
    // NORMAL in WAL mode: a commit is durable once the WAL is checkpointed, and a power cut can
    // lose the last few batches but never damages the file; fsync on every batch would not buy
    // a monitoring history anything.
    db.pragma('synchronous = NORMAL');
    db.pragma('busy_timeout = 2000');
    // Touches every page of the schema: a file that is not a database fails here, at open.
    db.prepare('SELECT count(*) FROM sqlite_schema').get();
    db.transaction(() => {
      for (let v = version + 1; v <= HISTORY_FORMAT_VERSION && version > 0; v++) {
        const step = MIGRATIONS[v];
        if (step) db.exec(step);
      }
      db.exec(SCHEMA_SQL);
      db.pragma(`user_version = ${HISTORY_FORMAT_VERSION}`);
    })();
    return db;
  } catch (e) {
    db.close();
    throw e;
  }
}

/** A reader's connection, or HistoryUnavailable / HistoryTooNew. Never creates the file. */
export function openReader(file: string): Db {
  if (!existsSync(file)) throw new HistoryUnavailable(file, 'no history yet (vaid writes it once it runs)');
  let db: Db;
  try {
    db = new (driver())(file, { readonly: true, fileMustExist: true });
  } catch (e) {
    throw new HistoryUnavailable(file, (e as Error).message);
  }
  try {
    db.pragma('busy_timeout = 2000');
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version > HISTORY_FORMAT_VERSION) throw new HistoryTooNew(file, version);
    if (version === 0) throw new HistoryUnavailable(file, 'not initialised yet');
    return db;
  } catch (e) {
    db.close();
    if (e instanceof HistoryTooNew || e instanceof HistoryUnavailable) throw e;
    throw new HistoryUnavailable(file, (e as Error).message);
  }
}
