// Wiring of vaid: the lock, the status store (reloaded from the previous run), the executor,
// the notifier, the manifest watch, the marker and restart-request dirs, and the controller.
// A Daemon exposes what an HTTP endpoint or a test needs: status(), 'change' and 'write'
// events from the store, the daemon-only Prometheus metrics and the /healthz checks.
import { renameSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import { createExecutor } from '../../executor/index.js';
import type { Executor } from '../../executor/types.js';
import { createNotifier, notifierProblem } from '../../notify/index.js';
import { sourceAlert } from '../../notify/source-alert.js';
import type { Notifier } from '../../notify/types.js';
import { watchDesiredState, parseLabelSelector, type DesiredStateWatch, type LabelSelector } from '../../manifest/index.js';
import { StatusStore, defaultVaidInfo } from '../../status/store.js';
import type { StatusDocument } from '../../status/schema.js';
import { ensureDir, removeStaleTemps } from '../../core/atomic-file.js';
import { summaryFileFor } from '../../status/summary.js';
import { loadStatusFile } from '../../status/load.js';
import { HostReconcile } from '../../reconcile/host-reconcile.js';
import { systemClock, type Clock } from '../../core/clock.js';
import { readSilences, removeExpiredSilences, silencesDir } from '../../status/state-dir/silences.js';
import { watchDir, type DirWatch } from '../../reconcile/dir-watch.js';
import { createDaemonMetrics, type DaemonHealth, type DaemonMetrics } from '../../web/index.js';
import { VERSION } from '../../version.js';
import type { Paths } from '../paths.js';
import { feedHealth, type HealthFeed } from './health.js';
import { acquireLock, type Lock } from './lock.js';
import { GitSource, gitManifestsDir, type SourceProblem } from '../../source/index.js';
import { describeError, loadDesiredState } from '../../manifest/index.js';
import type { GitConfig } from './git-flags.js';
import { startHistory, type History } from '../../history/index.js';
import { markerNames } from '../../status/state-dir/markers.js';
import { takeRestartRequests } from '../../status/state-dir/restart-requests.js';
import { takeUndoRequests } from '../../status/state-dir/undo-requests.js';
import { FileLedger } from '../../reconcile/rollout-ledger.js';
import { startSelfWatch, type SelfWatchConfig, type SelfWiring } from './self-watch.js';
import { everyOnGrid, type GridTimer } from '../../core/grid-timer.js';

export interface DaemonOptions {
  paths: Paths;
  log: Logger;
  env: NodeJS.ProcessEnv;
  concurrency: number;
  allowUnsafePermissions: boolean;
  dockerHost: string | undefined;
  selector: string | undefined;
  /** Process metrics (CPU, memory, event-loop lag) for /metrics; only worth their timer when served (--listen). */
  processMetrics?: boolean;
  /** How long shutdown waits for running commands before leaving them to the next vaid. */
  shutdownTimeoutMs?: number;
  clock?: Clock;
  /** Pull mode: vaid fetches the manifests from git itself (src/source/). */
  git?: GitConfig | undefined;
  /** Days of check history kept in STATE_DIR/history.db; 0 for none (default 400). */
  historyDays?: number;
  historyFlushMs?: number | undefined;
  /** Services rolling out a spec change at once (default 1). */
  rolloutConcurrency?: number;
  /** vai's own failures (--notify-self) and the heartbeat (--heartbeat-url). */
  self?: SelfWatchConfig;
}

const ALERTS_REFRESH_MS = 2000;

/** Opens the state shared by vaid and vaictl reconcile --once: lock, reloaded status, executor, notifier. */
export async function openState(paths: Paths, log: Logger, env: NodeJS.ProcessEnv, dockerHost: string | undefined, clock: Clock, mode: 'daemon' | 'once' = 'daemon') {
  ensureDir(paths.stateDir);
  const lock = acquireLock(paths.lockFile);
  try {
    ensureDir(paths.logsDir);
    // Status is written in the background; a vaid killed mid-write leaves its temp file behind.
    removeStaleTemps(paths.statusFile);
    removeStaleTemps(summaryFileFor(paths.statusFile));
    const loaded = loadStatusFile(paths.statusFile);
    if (loaded.kind === 'rejected') {
      const kept = `${paths.statusFile}.rejected`;
      log.warn({ reason: loaded.reason, kept }, `previous status not reloaded (${loaded.reason}); kept as ${kept}; starting afresh`);
      try {
        renameSync(paths.statusFile, kept);
      } catch {
        // Unreadable and unmovable: the first write replaces it.
      }
    }
    const previous = loaded.kind === 'loaded' ? Object.values(loaded.doc.services) : [];
    if (previous.length) log.info({ services: previous.length }, `reloaded the status of ${previous.length} services from ${paths.statusFile}`);
    const store = new StatusStore({
      file: paths.statusFile,
      clock,
      vaid: { ...defaultVaidInfo(VERSION, clock.now()), ...(mode === 'once' ? { mode } : {}) },
      manifestsDir: paths.manifests,
      services: previous,
      ...(loaded.kind === 'loaded' ? { generation: loaded.doc.manifests.generation } : {}),
    });
    store.on('error', (e) => log.error({ err: e.message }, `cannot write ${paths.statusFile}: ${e.message}`));
    const executor = createExecutor({ logsDir: paths.logsDir, dockerHost, log });
    const notifier = await createNotifier({ outboxDir: paths.outboxDir, env, log });
    return { lock, store, executor, notifier };
  } catch (e) {
    lock.release();
    throw e;
  }
}

export class Daemon {
  readonly metrics: DaemonMetrics;
  private readonly healthFeed: HealthFeed;
  private watches: DirWatch[] = [];
  private manifests: DesiredStateWatch | null = null;
  private alertsTimer: GridTimer | null = null;
  private stopping: Promise<void> | null = null;
  /** The git source in pull mode, else null. */
  source: GitSource | null = null;
  /** Source problems seen before the first manifests loaded (null after). */
  private heldProblems: SourceProblem[] | null = [];
  private history: History | null = null;
  private self: SelfWiring | null = null;

  private constructor(
    private readonly opts: DaemonOptions,
    readonly store: StatusStore,
    readonly controller: HostReconcile,
    private readonly executor: Executor,
    private readonly notifier: Notifier,
    private readonly lock: Lock,
    clock: Clock,
  ) {
    this.metrics = createDaemonMetrics({ processMetrics: opts.processMetrics ?? true });
    store.on('write', (w) => {
      this.metrics.statusWrites.inc();
      this.metrics.statusWriteDuration.observe(w.durationMs / 1000);
      this.metrics.statusWriteBlocking.observe(w.blockingMs / 1000);
    });
    store.on('error', () => this.metrics.statusWriteFailures.inc());
    controller.onReconciled = (ms, ok) => this.metrics.reconcileDuration.observe({ result: ok ? 'ok' : 'error' }, ms / 1000);
    this.healthFeed = feedHealth({ clock, store, controller, manifestsDir: opts.paths.manifests });
    if (opts.historyDays !== 0) this.history = startHistory({ stateDir: opts.paths.stateDir, clock, historyDays: opts.historyDays ?? 400, flushIntervalMs: opts.historyFlushMs, log: opts.log, store });
  }

  /** What /healthz checks: the reconcile loop, status writes, the manifest directory. */
  get healthChecks(): DaemonHealth['checks'] {
    const checks = [...this.healthFeed.health.checks, { name: 'notifiers', check: () => notifierProblem(this.notifier.snapshot()) }];
    if (this.self) checks.push({ name: 'self', check: () => this.self?.watch.problems().map((p) => `${p.title}: ${p.problem}`).join('; ') || null });
    return this.history ? [...checks, this.history.healthCheck] : checks;
  }

  static async start(options: DaemonOptions): Promise<Daemon> {
    // In pull mode the manifests are the applied commit's tree, whatever --manifests says.
    const opts = options.git ? { ...options, paths: { ...options.paths, manifests: gitManifestsDir(options.paths.stateDir, options.git.path) } } : options;
    const { paths, log } = opts;
    const clock = opts.clock ?? systemClock();
    const selector: LabelSelector | undefined = opts.selector ? parseLabelSelector(opts.selector) : undefined;
    const { lock, store, executor, notifier } = await openState(paths, log, opts.env, opts.dockerHost, clock);
    const controller = new HostReconcile({
      clock,
      executor,
      notifier,
      store,
      log,
      logsDir: paths.logsDir,
      concurrency: opts.concurrency,
      selectorText: opts.selector ?? null,
      rolloutLedger: new FileLedger(path.join(paths.stateDir, 'rollout')),
      ...(opts.rolloutConcurrency !== undefined ? { rolloutConcurrency: opts.rolloutConcurrency } : {}),
    });
    const d = new Daemon(opts, store, controller, executor, notifier, lock, clock);
    try {
      await d.wire(selector);
    } catch (e) {
      await d.stop();
      throw e;
    }
    return d;
  }

  private async wire(selector: LabelSelector | undefined): Promise<void> {
    const { paths, log } = this.opts;
    const c = this.controller;
    ensureDir(paths.markerDir);
    ensureDir(paths.requestsDir);
    ensureDir(silencesDir(paths));
    if (this.opts.git) await this.startSource(this.opts.git, selector);
    const source = this.source;
    this.manifests = await watchDesiredState({
      dir: paths.manifests,
      ...(source ? { revisionOf: async () => ({ commit: source.trees.applied(), dirty: false }) } : {}),
      allowUnsafePermissions: this.opts.allowUnsafePermissions,
      ...(selector ? { selector } : {}),
      onChange: (state) => {
        log.info({ generation: state.generation, services: state.services.size, errors: state.errors.length, revision: state.revision?.commit ?? null }, `manifests: generation ${state.generation} applied`);
        for (const e of state.errors) log.warn({ code: e.code, file: e.file, line: e.line, column: e.column, path: e.path }, `manifest error: ${e.file}:${e.line}:${e.column} ${e.path ? `${e.path}: ` : ''}${e.message}`);
        c.setDesired(state);
        this.healthFeed.desired(state);
      },
      onError: (e) => log.error({ err: String(e) }, 'manifest watch failed'),
    });
    const initial = this.manifests.current();
    log.info({ dir: paths.manifests, generation: initial.generation, services: initial.services.size, errors: initial.errors.length }, `manifests: ${initial.services.size} services from ${paths.manifests}`);
    for (const e of initial.errors) log.warn({ code: e.code, file: e.file, line: e.line, column: e.column, path: e.path }, `manifest error: ${e.file}:${e.line}:${e.column} ${e.path ? `${e.path}: ` : ''}${e.message}`);
    c.setDesired(initial);
    this.healthFeed.desired(initial);
    const held = this.heldProblems ?? [];
    this.heldProblems = null;
    if (this.opts.git?.notify) for (const p of held) this.tellProblem(p, this.opts.git.notify);
    const dirOpts = { warn: (message: string, details: Record<string, unknown>) => log.warn(details, message), allowUnsafeDir: this.opts.allowUnsafePermissions };
    const markers = watchDir(paths.markerDir, (names) => c.setMarkers(markerNames(names)), dirOpts);
    c.setMarkers(markerNames(markers.names()));
    const requests = watchDir(paths.requestsDir, (names) => this.takeRequests(names), dirOpts);
    const silences = watchDir(silencesDir(paths), (names) => this.takeSilences(names), dirOpts);
    this.takeSilences(silences.names());
    this.watches.push(markers, requests, silences);
    this.metrics.queueDepth.set(0);
    c.start();
    this.takeRequests(requests.names());
    this.alertsTimer = everyOnGrid(ALERTS_REFRESH_MS, () => {
      this.store.setAlerts(this.notifier.snapshot());
      this.metrics.queueDepth.set(c.queue.length);
    });
    this.self = await startSelfWatch({
      config: this.opts.self ?? { target: null, afterMs: 60_000, heartbeat: null },
      stateDir: paths.stateDir,
      store: this.store,
      notifier: this.notifier,
      checks: () => [...this.healthFeed.health.checks, { name: 'notifiers', check: () => notifierProblem(this.notifier.snapshot()) }],
      log,
    });
  }

  private async startSource(git: GitConfig, selector: LabelSelector | undefined): Promise<void> {
    const { paths, log } = this.opts;
    const source = new GitSource({
      url: git.url,
      ref: git.ref,
      path: git.path,
      intervalMs: git.intervalMs,
      stateDir: paths.stateDir,
      creds: { sshKeyFile: git.sshKeyFile, token: git.token, knownHostsFile: path.join(paths.stateDir, 'source', 'known_hosts') },
      allowedSigners: git.allowedSigners,
      validate: async (dir) => {
        const state = await loadDesiredState({ dir, allowUnsafePermissions: this.opts.allowUnsafePermissions, selector, revisionOf: async () => null });
        return state.errors.map((e) => `${e.file}:${e.line}:${e.column}: ${describeError(e)}`);
      },
      onApplied: async () => {
        await this.manifests?.reload();
      },
      onStatus: (s) => this.store.setSource(s),
      onEvent: (e) => (e.type === 'Warning' ? log.warn : log.info).call(log, { source: git.url.replace(/\/\/[^@/]*@/, '//'), reason: e.reason }, `source: ${e.message}`),
      alertAfterMs: git.alertAfterMs,
      onProblem: (p) => {
        if (!git.notify) return log.warn({ reason: p.reason }, `source: ${p.message} (no --git-notify: no alert sent)`);
        // Before the first manifests load the notifier knows no Notifier by name yet.
        if (this.heldProblems) this.heldProblems.push(p);
        else this.tellProblem(p, git.notify);
      },
    });
    this.source = source;
    this.store.setSource(source.snapshot());
    await source.start();
    log.info({ applied: source.snapshot().appliedRevision }, `source: pulling ${source.snapshot().url} ${source.snapshot().ref} every ${git.intervalMs / 1000} s`);
  }

  private tellProblem(p: SourceProblem, notify: string): void {
    this.notifier.submit(sourceAlert(p, notify, new Date())).catch((e: unknown) => this.opts.log.error({ err: String(e) }, 'source: alert not accepted'));
  }

  /** `vaictl silence` files: in force until their end (expired ones are removed here, as root). */
  private takeSilences(names: ReadonlySet<string>): void {
    const { paths, log } = this.opts;
    const read = readSilences(paths, names);
    for (const p of read.problems) log.warn({}, `silence: ${p}`);
    const gone = new Set(removeExpiredSilences(paths, read.silences, Date.now()));
    this.controller.setSilences(read.silences.filter((s) => !gone.has(s.id)));
  }

  /** `vaictl restart NAME` leaves STATE_DIR/requests/NAME.restart; take it, delete it, act. */
  private takeRequests(names: ReadonlySet<string>): void {
    const { paths, log } = this.opts;
    const taken = takeRestartRequests(paths.requestsDir, names, Date.now());
    for (const r of taken.refused) log.warn({ file: r.file }, `restart request refused and removed: ${r.why}`);
    for (const { name, at } of taken.requests) {
      if (!this.controller.requestRestart(name, at)) log.warn({ service: name }, `restart requested for unknown service ${name}; ignored`);
    }
    const undos = takeUndoRequests(paths.requestsDir, names);
    for (const r of undos.refused) log.warn({ file: r.file }, `rollout undo request refused and removed: ${r.why}`);
    for (const r of undos.requests) {
      if (this.controller.requestUndo(r.name, r)) log.info({ service: r.name, revision: r.revision }, `${r.name}: rollout undo to ${r.revision} requested`);
      else log.warn({ service: r.name, revision: r.revision }, `rollout undo of ${r.name} to ${r.revision} ignored: unknown service, rollout off, or that spec is not in the rollout ledger`);
    }
  }

  status(): StatusDocument {
    return this.store.document();
  }

  /** Stops taking work, waits (bounded) for running commands, flushes status, releases the lock. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      const { log } = this.opts;
      this.alertsTimer?.stop();
      await this.self?.close(true);
      for (const w of this.watches) w.close();
      await this.source?.close();
      await this.manifests?.close();
      const finished = await this.controller.stop(this.opts.shutdownTimeoutMs ?? 10_000);
      if (!finished) log.warn({}, 'shutdown: commands still running are left to finish; the next vaid verifies their services');
      this.store.setAlerts(this.notifier.snapshot());
      this.store.close();
      await this.history?.close();
      await this.notifier.close();
      await this.executor.close();
      this.lock.release();
      log.info({ writes: this.store.writes }, 'vaid stopped');
    })();
    return this.stopping;
  }
}
