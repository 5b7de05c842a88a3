// Pull mode, as Flux's source-controller does it: vaid keeps its own bare clone in
// STATE_DIR/source/repo.git, fetches the ref on an interval (or at once on a signed webhook),
// and applies each new commit whole. A commit is applied only when its whole tree loads without
// a manifest error (and, with verification, carries an allowed signature): otherwise it is the
// attempted revision, its errors are reported, and the previous commit stays applied. Applying
// is a switch of the `current` symlink (trees.ts), then one reload of the manifests: one
// generation per commit. Suspended, vaid keeps fetching and shows what waits.
import { existsSync, mkdirSync, watch, type FSWatcher } from 'node:fs';
import path from 'node:path';
import { git, extractCommit, GitError, type GitCredentials, type GitRun } from './git.js';
import { SourceTrees } from './trees.js';
import { verifyCommit } from './verify.js';
import { readSuspension } from './suspend.js';
import type { SourceProblem, SourceStatus } from './types.js';

export interface SourceEvent {
  type: 'Normal' | 'Warning';
  reason: 'Fetched' | 'FetchFailed' | 'Applied' | 'CommitRejected' | 'SignatureRejected' | 'Suspended' | 'Resumed';
  message: string;
}

export interface GitSourceOptions {
  url: string;
  /** Branch, tag or commit; default the remote's HEAD. */
  ref?: string | undefined;
  /** Subdirectory of the repository holding the manifests ('' for the top). */
  path?: string | undefined;
  intervalMs: number;
  stateDir: string;
  creds?: GitCredentials | undefined;
  /** An allowed-signers file (ssh-keygen(1) ALLOWED SIGNERS) or armoured OpenPGP public keys: only commits signed by one of its keys apply (verify.ts). */
  allowedSigners?: string | undefined;
  /** Loads a candidate tree the way vaid would; its problems as `file:line:col: message` lines. */
  validate: (dir: string) => Promise<string[]>;
  /** Called after `current` points at a new commit: reload the manifests. */
  onApplied: (commit: string) => Promise<void>;
  onStatus?: (s: SourceStatus) => void;
  onEvent?: (e: SourceEvent) => void;
  /** A refused commit (at once) or fetches failing for alertAfterMs: for a person (notify/source-alert.ts). */
  onProblem?: (p: SourceProblem) => void;
  /** How long fetches may fail before onProblem (default 10 min: a remote's short outage is no news). */
  alertAfterMs?: number | undefined;
  now?: () => number;
}

/** The URL as status, logs and the page may show it: no user info, no query. */
export function displayUrl(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    u.search = '';
    return u.toString();
  } catch {
    // scp-like ssh syntax (git@host:repo.git) carries no secret.
    return url;
  }
}

/** Where the manifests of the applied commit are: STATE_DIR/source/current/PATH. */
export function gitManifestsDir(stateDir: string, sub = ''): string {
  return path.join(stateDir, 'source', 'current', sub);
}

export class GitSource {
  readonly trees: SourceTrees;
  /** Where vaid's manifest watcher looks: `current`, then the configured subdirectory. */
  readonly manifestsDir: string;
  private readonly run: GitRun;
  private readonly status: SourceStatus;
  private timer: NodeJS.Timeout | null = null;
  private watcher: FSWatcher | null = null;
  private syncing: Promise<void> | null = null;
  private again = false;
  private closed = false;
  private readonly now: () => number;
  /** The failure streak (fetchFailingSince) already told of. */
  private fetchProblemTold: string | null = null;

  constructor(private readonly opts: GitSourceOptions) {
    const root = path.join(opts.stateDir, 'source');
    mkdirSync(root, { recursive: true, mode: 0o755 });
    this.trees = new SourceTrees(root);
    const sub = opts.path ?? '';
    if (sub.split(/[\\/]/).includes('..') || path.isAbsolute(sub)) throw new Error(`--git-path ${sub}: a path inside the repository, without '..'`);
    this.manifestsDir = gitManifestsDir(opts.stateDir, sub);
    this.run = { gitDir: path.join(root, 'repo.git'), creds: opts.creds, timeoutMs: 120_000 };
    this.now = opts.now ?? Date.now;
    const applied = this.trees.applied();
    this.status = {
      url: displayUrl(opts.url),
      ref: opts.ref ?? 'HEAD',
      path: sub,
      verify: opts.allowedSigners !== undefined,
      suspended: readSuspension(opts.stateDir) !== null,
      lastFetchAt: null,
      lastFetchError: null,
      fetchFailingSince: null,
      fetchedRevision: null,
      appliedRevision: applied,
      appliedAt: null,
      attemptedRevision: applied,
      attemptErrors: [],
    };
  }

  snapshot(): SourceStatus {
    return { ...this.status, attemptErrors: [...this.status.attemptErrors] };
  }

  /** First sync (bounded by git's timeout), then the interval and the suspend file's watch. */
  async start(): Promise<void> {
    this.trees.prune([this.status.appliedRevision]);
    await this.sync();
    if (this.closed) return;
    this.timer = setInterval(() => void this.fetchNow(), this.opts.intervalMs);
    this.timer.unref();
    try {
      this.watcher = watch(this.trees.root, (_e, file) => {
        if (file === 'suspended') void this.fetchNow();
      });
      this.watcher.on('error', () => undefined);
    } catch {
      // Without inotify, suspend/resume take effect at the next interval.
    }
  }

  /** Fetch and apply now; calls while a sync runs make it run once more after. */
  fetchNow(): Promise<void> {
    if (this.closed) return Promise.resolve();
    if (this.syncing) {
      this.again = true;
      return this.syncing;
    }
    this.syncing = (async () => {
      try {
        do {
          this.again = false;
          await this.sync();
        } while (this.again && !this.closed);
      } finally {
        this.syncing = null;
      }
    })();
    return this.syncing;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.watcher?.close();
    await this.syncing?.catch(() => undefined);
  }

  private emit(e: SourceEvent): void {
    this.opts.onEvent?.(e);
  }

  private publish(): void {
    this.opts.onStatus?.(this.snapshot());
  }

  private async fetch(): Promise<string> {
    if (!existsSync(path.join(this.run.gitDir, 'HEAD'))) {
      mkdirSync(this.run.gitDir, { recursive: true, mode: 0o700 });
      await git(this.run, ['init', '--bare', '--quiet']);
    }
    // The URL goes in argv: it carries no secret (credentials come from the environment; a URL
    // with a password is refused by the flags).
    await git(this.run, ['fetch', '--quiet', '--no-tags', '--force', '--', this.opts.url, `${this.status.ref}`]);
    return (await git(this.run, ['rev-parse', '--verify', 'FETCH_HEAD^{commit}'])).trim();
  }

  private async sync(): Promise<void> {
    const at = new Date(this.now()).toISOString();
    let fetched: string;
    try {
      fetched = await this.fetch();
      if (this.status.lastFetchError) this.emit({ type: 'Normal', reason: 'Fetched', message: `fetch of ${this.status.url} works again` });
      this.status.lastFetchError = null;
      this.status.fetchFailingSince = null;
    } catch (e) {
      const msg = e instanceof GitError ? e.stderr : String(e);
      if (this.status.lastFetchError !== msg) this.emit({ type: 'Warning', reason: 'FetchFailed', message: `fetch of ${this.status.url} ${this.status.ref} failed: ${msg}` });
      this.status.lastFetchError = msg;
      this.status.fetchFailingSince ??= at;
      this.status.lastFetchAt = at;
      this.fetchProblem(msg);
      this.publish();
      return;
    }
    this.status.lastFetchAt = at;
    this.status.fetchedRevision = fetched;
    const suspension = readSuspension(this.opts.stateDir);
    if ((suspension !== null) !== this.status.suspended) {
      this.status.suspended = suspension !== null;
      this.emit(suspension ? { type: 'Normal', reason: 'Suspended', message: `applying new commits is suspended${suspension.reason ? `: ${suspension.reason}` : ''}` } : { type: 'Normal', reason: 'Resumed', message: 'applying new commits resumed' });
    }
    if (suspension || fetched === this.status.appliedRevision || fetched === this.status.attemptedRevision) {
      this.publish();
      return;
    }
    await this.attempt(fetched, at);
    this.publish();
  }

  private fetchProblem(msg: string): void {
    const since = this.status.fetchFailingSince!;
    const failingMs = this.now() - Date.parse(since);
    if (this.fetchProblemTold === since || failingMs < (this.opts.alertAfterMs ?? 600_000)) return;
    this.fetchProblemTold = since;
    const applied = this.status.appliedRevision?.slice(0, 7) ?? 'nothing';
    this.problem({ key: `fetch:${since}`, reason: 'FetchFailed', message: `fetch of ${this.status.url} ${this.status.ref} has failed for ${Math.round(failingMs / 1000)} s; ${applied} stays applied`, evidence: [msg] });
  }

  private rejected(commit: string, reason: 'CommitRejected' | 'SignatureRejected'): void {
    const applied = this.status.appliedRevision?.slice(0, 7) ?? 'nothing';
    this.problem({ key: `commit:${commit}`, reason, message: `commit ${commit.slice(0, 7)} of ${this.status.url} ${this.status.ref} not applied; ${applied} stays applied`, evidence: this.status.attemptErrors.slice(0, 6) });
  }

  private problem(p: SourceProblem): void {
    this.opts.onProblem?.(p);
  }

  private async attempt(commit: string, at: string): Promise<void> {
    const short = commit.slice(0, 7);
    this.status.attemptedRevision = commit;
    this.status.attemptErrors = [];
    if (this.opts.allowedSigners) {
      try {
        await verifyCommit(this.run, commit, this.opts.allowedSigners, this.trees.root);
      } catch (e) {
        const why = e instanceof GitError ? e.stderr : String(e);
        this.status.attemptErrors = [`commit ${short} is not signed by a key in ${this.opts.allowedSigners}: ${why}`];
        this.emit({ type: 'Warning', reason: 'SignatureRejected', message: `commit ${short} not applied: ${this.status.attemptErrors[0]}` });
        this.rejected(commit, 'SignatureRejected');
        return;
      }
    }
    let tree: string;
    try {
      if (!this.trees.has(commit)) {
        const staging = this.trees.staging(commit);
        await extractCommit(this.run, commit, staging);
        this.trees.commit(staging, commit);
      }
      tree = this.trees.tree(commit);
    } catch (e) {
      this.status.attemptErrors = [`cannot check out ${short}: ${e instanceof GitError ? e.stderr : String(e)}`];
      this.emit({ type: 'Warning', reason: 'CommitRejected', message: this.status.attemptErrors[0]! });
      this.rejected(commit, 'CommitRejected');
      return;
    }
    const dir = path.join(tree, this.status.path);
    const problems = existsSync(dir) ? await this.opts.validate(dir) : [`${this.status.path || '.'}: no such directory in commit ${short}`];
    if (problems.length) {
      // Positions name the tree the errors were found in; say them relative to the repository.
      this.status.attemptErrors = problems.slice(0, 50).map((p) => p.split(`${tree}${path.sep}`).join(''));
      this.emit({ type: 'Warning', reason: 'CommitRejected', message: `commit ${short} not applied (${problems.length} problem${problems.length === 1 ? '' : 's'}): ${this.status.attemptErrors[0]}; ${this.status.appliedRevision?.slice(0, 7) ?? 'nothing'} stays applied` });
      this.rejected(commit, 'CommitRejected');
      return;
    }
    const previous = this.status.appliedRevision;
    this.trees.switchTo(commit);
    this.status.appliedRevision = commit;
    this.status.appliedAt = at;
    this.trees.prune([commit, previous]);
    this.emit({ type: 'Normal', reason: 'Applied', message: `commit ${short} applied${previous ? ` (was ${previous.slice(0, 7)})` : ''}` });
    await this.opts.onApplied(commit);
  }
}
