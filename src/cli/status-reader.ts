// Reads STATE_DIR/status.json for vaictl and says plainly what is wrong when it cannot: no file
// (is vaid running? how to start it), a file vaid is no longer updating (its pid is gone), a
// newer format than this vaictl reads, or a damaged file (which field). The check of the shape
// is hand-written on purpose: `vaictl get` must stay fast, and ajv plus the TypeBox schema cost
// ~200 ms to load. The full schema check lives in test/unit/cli (fixtures) and in status/validate.ts.
import { readFileSync } from 'node:fs';
import type { Paths } from './paths.js';
import { VaiError } from '../errors.js';
import { STATUS_API_VERSION, STATUS_FORMAT_VERSION } from '../status/format-version.js';
import type { StatusDocument } from '../status/schema.js';
import { age } from './printers/age.js';
import { isVaiProcess } from './daemon/lock.js';

export interface DaemonState {
  running: boolean;
  /** Pid from the lock file (or the status file when there is no lock); null when neither names one. */
  pid: number | null;
}

export interface StatusSnapshot<D = StatusDocument> {
  doc: D;
  daemon: DaemonState;
  /** Set when the file is no longer being updated: says so and how to start vaid. */
  staleWarning: string | null;
  /** Cron mode (`vaictl reconcile --once` wrote the file): said on stderr when its last pass is long ago; not an error. */
  note?: string | null;
}

// A cron line runs the pass every few minutes (deploy/vai.cron: 5); an hour without one means the job stopped.
const CRON_QUIET_MS = 60 * 60 * 1000;

function cronNote(writtenAt: string, now: number): string | null {
  const t = Date.parse(writtenAt);
  return Number.isNaN(t) || now - t < CRON_QUIET_MS ? null : `cron mode: the last "vaictl reconcile --once" pass was ${age(writtenAt, now)} ago; is its cron job still running?`;
}

export interface ReadOptions {
  /**
   * The caller prints neither conditions nor events (the `get` table, -o wide, -o name): both
   * come back as empty arrays. They are about half of the file, and not building them saves
   * the parse and the young-generation copies of 1,000 services' worth of objects.
   */
  withoutHistory?: boolean;
}

export function readStatus(paths: Paths, now: number, opts: ReadOptions = {}): StatusSnapshot {
  let text: string;
  try {
    // Read as bytes, then decoded: for a 1.7 MB file (1,000 services) readFileSync(f, 'utf8')
    // took ~25 ms of CPU here against ~18 ms this way.
    text = readFileSync(paths.statusFile).toString('utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new VaiError('VAI_E_STATUS_INVALID', `cannot read ${paths.statusFile}: ${(e as Error).message}`);
    }
    throw missingStatus(paths);
  }
  const doc = opts.withoutHistory ? parseWithoutHistory(text, paths.statusFile) : parseStatus(text, paths.statusFile);
  return snapshotOf(paths, doc, now);
}

/** The snapshot of a document read just now: whether vaid is still writing it, and if not, what to do. */
export function snapshotOf<D extends { vaid: { pid: number; mode?: string }; writtenAt: string; manifests: { dir: string } }>(paths: Paths, doc: D, now: number): StatusSnapshot<D> {
  const daemon = daemonState(paths, doc.vaid.pid);
  if (doc.vaid.mode === 'once' && !daemon.running) return { doc, daemon, staleWarning: null, note: cronNote(doc.writtenAt, now) };
  const staleWarning = daemon.running
    ? null
    : `vaid is not running (${daemon.pid === null ? 'no pid in the lock' : `pid ${daemon.pid} is gone`}); ` +
      `${paths.statusFile} was written ${age(doc.writtenAt, now)} ago and is not being updated. Start it: ${startHint(paths, doc.manifests.dir)}`;
  return { doc, daemon, staleWarning };
}

function missingStatus(paths: Paths): VaiError {
  const d = daemonState(paths, null);
  const why = d.running
    ? `vaid is running (pid ${d.pid}) but has not written its first status yet; try again in a moment`
    : `vaid is not running${d.pid !== null ? ` (pid ${d.pid} in ${paths.lockFile} is gone)` : ''}. Start it: ${startHint(paths)}`;
  return new VaiError('VAI_E_STATUS_MISSING', `no status file at ${paths.statusFile}: ${why}`);
}

/** The command that starts vaid on this state dir; `manifests` is the dir it last applied, if known. */
export function startHint(paths: Paths, manifests = paths.manifests): string {
  return `vaid --manifests ${manifests} --state-dir ${paths.stateDir}` + (isDefaultMarkerDir(paths) ? '' : ` --marker-dir ${paths.markerDir}`);
}

function isDefaultMarkerDir(paths: Paths): boolean {
  return paths.markerDir === `${paths.stateDir}/manual-stop`;
}

/**
 * Whether vaid holds the state dir: the lock's pid (plain number or JSON {"pid": N}) is a live,
 * non-zombie vai process, judged as vaid judges a stale lock (a zombie still answers kill(pid, 0),
 * and a pid may have been reused by another program).
 */
export function daemonState(paths: Paths, statusPid: number | null): DaemonState {
  const pid = lockPid(paths.lockFile) ?? statusPid;
  return { pid, running: pid !== null && isVaiProcess(pid) };
}

function lockPid(file: string): number | null {
  let text: string;
  try {
    text = readFileSync(file, 'utf8').trim();
  } catch {
    return null;
  }
  try {
    const parsed = JSON.parse(text) as unknown;
    if (typeof parsed === 'number') return validPid(parsed);
    if (parsed && typeof parsed === 'object' && 'pid' in parsed) return validPid((parsed as { pid: unknown }).pid);
  } catch {
    const m = /\d+/.exec(text);
    if (m) return validPid(Number(m[0]));
  }
  return null;
}

function validPid(v: unknown): number | null {
  return typeof v === 'number' && Number.isInteger(v) && v > 0 ? v : null;
}

export function parseStatus(text: string, file: string): StatusDocument {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new VaiError('VAI_E_STATUS_INVALID', `${file} is not valid JSON (${(e as Error).message}); vaid rewrites it on its next change`);
  }
  return checkStatus(doc, file);
}

function checkStatus(doc: unknown, file: string): StatusDocument {
  const top = doc as Record<string, unknown> | null;
  if (!top || typeof top !== 'object' || Array.isArray(top)) throw invalid(file, '', 'an object', doc);
  if (top.apiVersion !== STATUS_API_VERSION || top.kind !== 'Status') {
    throw new VaiError('VAI_E_STATUS_VERSION', `${file} is not a vai status document this vaictl reads (apiVersion ${JSON.stringify(top.apiVersion)}, kind ${JSON.stringify(top.kind)}; expected ${STATUS_API_VERSION} Status)`);
  }
  const fv = top.formatVersion;
  if (typeof fv !== 'number' || !Number.isInteger(fv) || fv < 1) throw invalid(file, 'formatVersion', 'a positive integer', fv);
  if (fv > STATUS_FORMAT_VERSION) {
    const by = (top.vaid as { version?: unknown } | undefined)?.version;
    throw new VaiError(
      'VAI_E_STATUS_VERSION',
      `${file} has formatVersion ${fv}${typeof by === 'string' ? ` (written by vaid ${by})` : ''}; this vaictl reads formatVersion ${STATUS_FORMAT_VERSION}. Upgrade vaictl to the version of vaid.`,
    );
  }
  const problem = shapeProblem(top);
  if (problem) throw invalid(file, problem.path, problem.expected, problem.got);
  return doc as StatusDocument;
}

// "conditions" and "events" arrays hold flat objects (schemas/status.schema.json), so each ends
// at its first "]" outside a string; strings are matched whole, so a "]" or a quoted key inside a
// message does not end or start a match. A document this does not fit (a nested array in a
// damaged file) loses its bracket balance and fails JSON.parse: it is then parsed whole, which
// also names what is wrong with it.
const HISTORY = /"(conditions|events)":\[(?:[^"\]]+|"(?:[^"\\]|\\.)*")*\]/g;

export function parseWithoutHistory(text: string, file: string): StatusDocument {
  let doc: unknown;
  try {
    doc = JSON.parse(text.replace(HISTORY, '"$1":[]'));
  } catch {
    return parseStatus(text, file);
  }
  return checkStatus(doc, file);
}

function invalid(file: string, at: string, expected: string, got: unknown): VaiError {
  return new VaiError('VAI_E_STATUS_INVALID', `${file}: ${at || '(document)'}: expected ${expected}, got ${describeValue(got)}`, { path: at });
}

function describeValue(v: unknown): string {
  if (v === undefined) return 'nothing';
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 40 ? `${s.slice(0, 37)}...` : s;
}

interface Problem {
  path: string;
  expected: string;
  got: unknown;
}

type Check = (v: unknown) => boolean;
const isString: Check = (v) => typeof v === 'string';
const isInt: Check = (v) => typeof v === 'number' && Number.isInteger(v) && v >= 0;
const isNum: Check = (v) => typeof v === 'number' && v >= 0;
const isObj: Check = (v) => typeof v === 'object' && v !== null && !Array.isArray(v);
const isArr: Check = (v) => Array.isArray(v);
const orNull = (c: Check): Check => (v) => v === null || c(v);
const oneOf = (...vals: string[]): Check => (v) => typeof v === 'string' && vals.includes(v);
const HEALTH = oneOf('healthy', 'unhealthy', 'unknown');

// The fields vaictl reads, with what each must be; a document missing one is reported by path.
const SERVICE_FIELDS: Array<[string, Check, string]> = [
  ['name', isString, 'a string'],
  ['generation', isInt, 'an integer >= 0'],
  ['observedGeneration', isInt, 'an integer >= 0'],
  ['desired', oneOf('Running', 'Stopped', 'Disabled'), 'Running, Stopped or Disabled'],
  ['phase', isString, 'a phase name'],
  ['phaseSince', isString, 'an ISO time'],
  ['createdAt', isString, 'an ISO time'],
  ['labels', isObj, 'an object'],
  ['source', isObj, 'an object'],
  ['source.file', isString, 'a string'],
  ['source.line', isInt, 'an integer'],
  ['conditions', isArr, 'an array'],
  ['restarts', isObj, 'an object'],
  ['restarts.count', isInt, 'an integer >= 0'],
  ['restarts.lastAt', orNull(isString), 'an ISO time or null'],
  ['lastCheck', orNull(isObj), 'an object or null'],
  ['nextCheckAt', orNull(isString), 'an ISO time or null'],
  ['consecutiveFailures', isInt, 'an integer >= 0'],
  ['counters', isObj, 'an object'],
  ['counters.checks', isInt, 'an integer >= 0'],
  ['counters.failedChecks', isInt, 'an integer >= 0'],
  ['counters.recoveriesAttempted', isInt, 'an integer >= 0'],
  ['counters.recoveriesSucceeded', isInt, 'an integer >= 0'],
  ['backoff', isObj, 'an object'],
  ['backoff.failures', isArr, 'an array'],
  ['backoff.delaySeconds', isNum, 'a number >= 0'],
  ['backoff.nextAttemptAt', orNull(isString), 'an ISO time or null'],
  ['recovery', orNull(isObj), 'an object or null'],
  ['events', isArr, 'an array'],
];

const SERVICE_CHECKS = SERVICE_FIELDS.map(([path, check, expected]) => ({ path, keys: path.split('.'), check, expected }));

function get(obj: unknown, keys: readonly string[]): unknown {
  let v = obj;
  for (const k of keys) v = isObj(v) ? (v as Record<string, unknown>)[k] : undefined;
  return v;
}

function shapeProblem(top: Record<string, unknown>): Problem | null {
  const topFields: Array<[string, Check, string]> = [
    ['vaid', isObj, 'an object'],
    ['vaid.pid', isInt, 'an integer'],
    ['writtenAt', isString, 'an ISO time'],
    ['manifests', isObj, 'an object'],
    ['manifests.errors', isArr, 'an array'],
    ['services', isObj, 'an object'],
  ];
  for (const [path, check, expected] of topFields) {
    const v = get(top, path.split('.'));
    if (!check(v)) return { path, expected, got: v };
  }
  for (const [name, svc] of Object.entries(top.services as Record<string, unknown>)) {
    if (looksRight(svc)) continue;
    for (const { path, keys, check, expected } of SERVICE_CHECKS) {
      const v = get(svc, keys);
      if (!check(v)) return { path: `services.${name}.${path}`, expected, got: v };
    }
    const lastCheck = (svc as { lastCheck: Record<string, unknown> | null }).lastCheck;
    if (lastCheck !== null && !(isString(lastCheck.at) && HEALTH(lastCheck.health))) {
      return { path: `services.${name}.lastCheck`, expected: 'an object with at and health', got: lastCheck };
    }
  }
  return null;
}

// The same checks as SERVICE_FIELDS, written out straight: this runs for every service on every
// `vaictl get`, and a loop of closures over paths cost ~40 ms per 1,000 services cold. The
// table-driven walk above only runs to name the field when this says something is wrong.
function looksRight(s: any): boolean {
  const int = (v: unknown): boolean => typeof v === 'number' && Number.isInteger(v) && v >= 0;
  const time = (v: unknown): boolean => v === null || typeof v === 'string';
  if (typeof s !== 'object' || s === null) return false;
  const { source: src, restarts: r, counters: c, backoff: b, lastCheck: l } = s;
  return (
    typeof s.name === 'string' &&
    int(s.generation) &&
    int(s.observedGeneration) &&
    (s.desired === 'Running' || s.desired === 'Stopped' || s.desired === 'Disabled') &&
    typeof s.phase === 'string' &&
    typeof s.phaseSince === 'string' &&
    typeof s.createdAt === 'string' &&
    isObj(s.labels) &&
    isObj(src) && typeof src.file === 'string' && int(src.line) &&
    Array.isArray(s.conditions) &&
    isObj(r) && int(r.count) && time(r.lastAt) &&
    (l === null || (isObj(l) && typeof l.at === 'string' && HEALTH(l.health))) &&
    time(s.nextCheckAt) &&
    int(s.consecutiveFailures) &&
    isObj(c) && int(c.checks) && int(c.failedChecks) && int(c.recoveriesAttempted) && int(c.recoveriesSucceeded) &&
    isObj(b) && Array.isArray(b.failures) && typeof b.delaySeconds === 'number' && b.delaySeconds >= 0 && time(b.nextAttemptAt) &&
    (s.recovery === null || isObj(s.recovery)) &&
    Array.isArray(s.events)
  );
}
