// The history database's tables (docs/history.md explains them for readers with the sqlite3 CLI).
// HISTORY_FORMAT_VERSION is PRAGMA user_version: a vai that finds a higher one refuses the file
// rather than guess at a layout it does not know; a lower one is migrated by MIGRATIONS.
// Rollup times (`start`) are unix seconds (bucket starts, UTC); every other time is unix milliseconds.
// Durations are integer milliseconds and latencies integer microseconds: SQLite stores small
// integers in 1-4 bytes and 0/1 in none, which is what keeps 1,000 services for 400 days small.

export const HISTORY_FORMAT_VERSION = 1;

/** Upper bounds (ms) of the latency histogram's buckets h0..h6; h7 counts the rest. Half-decades. */
export const LATENCY_BOUNDS_MS = [1, 3, 10, 30, 100, 300, 1000] as const;
export const LATENCY_BUCKETS = LATENCY_BOUNDS_MS.length + 1;

export const MINUTE = 60;
export const HOUR = 3600;
export const DAY = 86_400;

/** The rollup tables, finest first, with their span (s) and how long their rows are kept (s; days: --history-days). */
export const LEVELS = [
  { table: 'minutes', span: MINUTE, keepS: 48 * HOUR },
  { table: 'hours', span: HOUR, keepS: 32 * DAY },
  { table: 'days', span: DAY, keepS: Infinity },
] as const;
export type Level = (typeof LEVELS)[number];

const HIST_COLUMNS = Array.from({ length: LATENCY_BUCKETS }, (_, i) => `h${i} INTEGER NOT NULL DEFAULT 0`).join(', ');

function rollupTable(name: string): string {
  return `CREATE TABLE IF NOT EXISTS ${name} (
  service_id     INTEGER NOT NULL,
  start          INTEGER NOT NULL,
  checks         INTEGER NOT NULL DEFAULT 0,
  failures       INTEGER NOT NULL DEFAULT 0,
  unknowns       INTEGER NOT NULL DEFAULT 0,
  latency_sum_us INTEGER NOT NULL DEFAULT 0,
  latency_max_us INTEGER NOT NULL DEFAULT 0,
  ${HIST_COLUMNS},
  observed_ms    INTEGER NOT NULL DEFAULT 0,
  down_ms        INTEGER NOT NULL DEFAULT 0,
  restarts       INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (service_id, start)
) WITHOUT ROWID;`;
}

export const SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS services (
  id   INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE
);

-- The rollups, one table per resolution, same columns. Each check is added to its minute, its
-- hour and its day as it is written; minutes are deleted after 48 h and hours after 32 days,
-- their sums living on in the coarser rows; days are kept for --history-days.
-- observed_ms counts time between checks of a service vai keeps running; down_ms the part of it
-- after a failed check. uptime = 1 - down_ms / observed_ms.
${LEVELS.map((l) => rollupTable(l.table)).join('\n')}

-- One row per incident (status' incident.seq), from the first failure to its close.
CREATE TABLE IF NOT EXISTS incidents (
  id             INTEGER PRIMARY KEY,
  service_id     INTEGER NOT NULL,
  seq            INTEGER NOT NULL,
  opened_ms      INTEGER NOT NULL,
  closed_ms      INTEGER,
  duration_ms    INTEGER,
  closed_by      TEXT,            -- recovery | operator | stop; NULL while open
  trigger        TEXT NOT NULL,   -- the failing check's message when it opened
  cause_reason   TEXT,            -- status' cause {reason, message, evidence[]} when vaid gave one
  cause_message  TEXT,
  cause_evidence TEXT,            -- JSON array
  attempts       INTEGER NOT NULL DEFAULT 0,
  restarts       INTEGER NOT NULL DEFAULT 0,
  alerts_sent    INTEGER NOT NULL DEFAULT 0,
  alerts         TEXT NOT NULL DEFAULT '[]', -- JSON [{kind, sink, state, at}]
  UNIQUE (service_id, seq, opened_ms)
);
CREATE INDEX IF NOT EXISTS incidents_by_time ON incidents (opened_ms);

-- Every event vaid recorded (status keeps only the last 50), folded as status folds them.
-- service_id NULL: an event of the history store itself (HistoryReset).
CREATE TABLE IF NOT EXISTS events (
  id         INTEGER PRIMARY KEY,
  service_id INTEGER,
  type       TEXT NOT NULL,
  reason     TEXT NOT NULL,
  message    TEXT NOT NULL,
  count      INTEGER NOT NULL,
  first_ms   INTEGER NOT NULL,
  last_ms    INTEGER NOT NULL,
  UNIQUE (service_id, reason, first_ms, message)
);
CREATE INDEX IF NOT EXISTS events_by_time ON events (last_ms);

-- Each generation of the manifests vaid applied.
CREATE TABLE IF NOT EXISTS generations (
  applied_ms INTEGER NOT NULL,
  generation INTEGER NOT NULL,
  commit_sha TEXT,
  dirty      INTEGER NOT NULL DEFAULT 0,
  errors     INTEGER NOT NULL DEFAULT 0,
  services   INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (applied_ms, generation)
) WITHOUT ROWID;
`;

/** Statements that bring a database of format N-1 to N, by N; empty while there is one format. */
export const MIGRATIONS: Readonly<Record<number, string>> = {};
