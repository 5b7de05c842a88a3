// The read side of the status document (store.ts writes it): one reader in three forms behind
// one interface, StatusSource: this host's status.json (full), its status.summary.json (what
// `vaictl get` shows, when it names the status.json on disk now), and the document another
// host's vaid answered (--server, --context). The CLI edge picks the source and injects it
// (CommandContext.status); commands never know which it is. It is a value passed down, not module
// state: vaictl runs from a bundle holding its own copy of these modules (src/cli/vaictl.ts).
// Every form is validated with the writer's schema (reader-validate.ts), and a failed read says
// plainly what is wrong: no file (is vaid running? how to start it), a file vaid no longer
// updates (its pid is gone), a newer format than this vaictl reads, or a damaged file (which field).
import { readFileSync, statSync } from 'node:fs';
import { VaiError } from '../errors.js';
import { isAlive } from '../core/procfs.js';
import { STATUS_API_VERSION, STATUS_FORMAT_VERSION } from './format-version.js';
import type { StatusDocument, StatusSummary } from './schema.js';
import { summaryFileFor, type FileIdentity } from './summary.js';
import type { Paths } from './state-dir/layout.js';
import { describeValue, schemaProblems } from './reader-validate.js';

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

export interface StatusSource {
  /** The server's URL for a remote document; undefined for this host's state dir. */
  readonly server: string | undefined;
  /** The whole document. */
  full(now: number): StatusSnapshot;
  /** The part `get` shows, when a current one is at hand; null means: read `full`. */
  summary(now: number): StatusSnapshot<StatusSummary> | null;
}

/** What the local reader's messages need from the CLI: how an age is written ("5m"). */
export interface LocalReaderOptions {
  age(iso: string, now: number): string;
}

export function localSource(paths: Paths, opts: LocalReaderOptions): StatusSource {
  return { server: undefined, full: (now) => readStatusFile(paths, now, opts), summary: (now) => readSummaryFile(paths, now, opts) };
}

/**
 * A document read over another host's endpoint just now (web/client.ts fetchStatus, which
 * checks it with checkStatusDocument): that vaid answered, so it counts as running.
 */
export function remoteSource(doc: StatusDocument, server: string): StatusSource {
  const snap: StatusSnapshot = { doc, daemon: { running: true, pid: doc.vaid.pid }, staleWarning: null };
  return { server, full: () => snap, summary: () => null };
}

export function readStatusFile(paths: Paths, now: number, opts: LocalReaderOptions): StatusSnapshot {
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
  return snapshotOf(paths, parseStatus(text, paths.statusFile), now, opts);
}

/**
 * status.summary.json when it names the status.json on disk now (same inode, size and mtime).
 * Anything else (no summary, a damaged one, another format, a summary of an older or newer
 * status.json) answers null, and the caller reads status.json, with its error messages.
 */
export function readSummaryFile(paths: Paths, now: number, opts: LocalReaderOptions): StatusSnapshot<StatusSummary> | null {
  let doc: unknown;
  let status: FileIdentity;
  try {
    doc = JSON.parse(readFileSync(summaryFileFor(paths.statusFile)).toString('utf8'));
    status = statSync(paths.statusFile);
  } catch {
    return null;
  }
  if (schemaProblems('StatusSummary', doc, 1) !== null) return null;
  const summary = doc as StatusSummary;
  if (summary.of.ino !== status.ino || summary.of.size !== status.size || summary.of.mtimeMs !== status.mtimeMs) return null;
  return snapshotOf(paths, summary, now, opts);
}

/** The document in text read from `where` (a file, a URL), or a VaiError naming what is wrong. */
export function parseStatus(text: string, where: string): StatusDocument {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new VaiError('VAI_E_STATUS_INVALID', `${where} is not valid JSON (${(e as Error).message}); vaid rewrites it on its next change`);
  }
  return checkStatusDocument(doc, where);
}

// The identity comes before the schema: a newer format need not match this one's schema, and
// the reader's answer to it is "upgrade", not a field.
export function checkStatusDocument(doc: unknown, where: string): StatusDocument {
  const top = doc as Record<string, unknown> | null;
  if (!top || typeof top !== 'object' || Array.isArray(top)) throw invalid(where, [{ path: '', expected: 'an object', got: doc }]);
  if (top.apiVersion !== STATUS_API_VERSION || top.kind !== 'Status') {
    throw new VaiError('VAI_E_STATUS_VERSION', `${where} is not a vai status document this vaictl reads (apiVersion ${JSON.stringify(top.apiVersion)}, kind ${JSON.stringify(top.kind)}; expected ${STATUS_API_VERSION} Status)`);
  }
  const fv = top.formatVersion;
  if (typeof fv === 'number' && fv > STATUS_FORMAT_VERSION) {
    const by = (top.vaid as { version?: unknown } | undefined)?.version;
    throw new VaiError(
      'VAI_E_STATUS_VERSION',
      `${where} has formatVersion ${fv}${typeof by === 'string' ? ` (written by vaid ${by})` : ''}; this vaictl reads formatVersion ${STATUS_FORMAT_VERSION}. Upgrade vaictl to the version of vaid.`,
    );
  }
  const problems = schemaProblems('StatusDocument', doc);
  if (problems) throw invalid(where, problems);
  return doc as StatusDocument;
}

function invalid(where: string, problems: ReadonlyArray<{ path: string; expected: string; got: unknown }>): VaiError {
  const text = problems.map((p) => `${p.path || '(document)'}: expected ${p.expected}, got ${describeValue(p.got)}`).join('; ');
  return new VaiError('VAI_E_STATUS_INVALID', `${where}: ${text}`, { path: problems[0]?.path ?? '' });
}

// A cron line runs the pass every few minutes (deploy/vai.cron: 5); an hour without one means the job stopped.
const CRON_QUIET_MS = 60 * 60 * 1000;

/** The snapshot of a document read just now: whether vaid is still writing it, and if not, what to do. */
function snapshotOf<D extends { vaid: { pid: number; mode?: string | undefined }; writtenAt: string; manifests: { dir: string } }>(paths: Paths, doc: D, now: number, opts: LocalReaderOptions): StatusSnapshot<D> {
  const daemon = daemonState(paths, doc.vaid.pid);
  if (doc.vaid.mode === 'once' && !daemon.running) return { doc, daemon, staleWarning: null, note: cronNote(doc.writtenAt, now, opts) };
  const staleWarning = daemon.running
    ? null
    : `vaid is not running (${daemon.pid === null ? 'no pid in the lock' : `pid ${daemon.pid} is gone`}); ` +
      `${paths.statusFile} was written ${opts.age(doc.writtenAt, now)} ago and is not being updated. Start it: ${startHint(paths, doc.manifests.dir)}`;
  return { doc, daemon, staleWarning };
}

function cronNote(writtenAt: string, now: number, opts: LocalReaderOptions): string | null {
  const t = Date.parse(writtenAt);
  return Number.isNaN(t) || now - t < CRON_QUIET_MS ? null : `cron mode: the last "vaictl reconcile --once" pass was ${opts.age(writtenAt, now)} ago; is its cron job still running?`;
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
  return `vaid --manifests ${manifests} --state-dir ${paths.stateDir}` + (paths.markerDir === `${paths.stateDir}/manual-stop` ? '' : ` --marker-dir ${paths.markerDir}`);
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

/** The process exists, is not a zombie, and runs vaid or vaictl (information for vaictl's messages, never the lock's decision). */
export function isVaiProcess(pid: number): boolean {
  if (!isAlive(pid)) return false;
  try {
    return /vaid|vaictl/.test(readFileSync(`/proc/${pid}/cmdline`, 'utf8'));
  } catch {
    return false;
  }
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
