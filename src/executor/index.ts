// Executors: how to check a service and how to run its commands, on the host and in Docker
// containers. Knows nothing of policy (whether to act is reconcile's); imports nothing from
// reconcile, status, notify or cli. Its own failures come back as `unknown`, never `unhealthy`.
import path from 'node:path';
import type { Logger } from 'pino';
import type { CheckResult, CommandKind, CommandResult, Executor, ListenerLookup, PidProbe, ServiceTarget, WatchedProcess } from './types.js';
import { LocalExecutor } from './local-executor.js';
import type { DockerExecutor } from './docker-executor.js';
import { watchDockerEvents } from './docker-events.js';

export type * from './types.js';
export { LocalExecutor, hostLogPath } from './local-executor.js';
export { probePid, probePidFile } from './pid-probe.js';

export interface ExecutorOptions {
  /** Per-service command logs for services without log_path (STATE_DIR/logs). */
  logsDir: string;
  /** Docker engine address (unix:///path or tcp://host:port); default DOCKER_HOST, else /var/run/docker.sock. */
  dockerHost?: string | undefined;
  log?: Logger | undefined;
  /** Where heartbeats arrive; default STATE_DIR/heartbeats beside logsDir. */
  heartbeatsDir?: string | undefined;
}

/**
 * Routes each service to the host executor, or to Docker when spec.container is set. The Docker
 * executor (and dockerode, ~28 MB of RSS) is loaded on the first container service, not before.
 */
export function createExecutor(opts: ExecutorOptions): Executor {
  // Beats live beside the logs in the state dir (STATE_DIR/heartbeats), where vaictl heartbeat writes them.
  const local = new LocalExecutor(opts.log, opts.heartbeatsDir ?? path.join(path.dirname(opts.logsDir), 'heartbeats'));
  let docker: Promise<DockerExecutor> | null = null;
  // A host service is called at once (no extra promise turn on the per-check path).
  const on = <R>(t: ServiceTarget, f: (e: Executor) => Promise<R>): Promise<R> => {
    if (!t.spec.container) return f(local);
    docker ??= import('./docker-executor.js').then((m) => new m.DockerExecutor(opts.dockerHost ?? process.env.DOCKER_HOST, opts.log));
    return docker.then(f);
  };
  return {
    check: (t: ServiceTarget, signal?: AbortSignal): Promise<CheckResult> => safe(() => on(t, (e) => e.check(t, signal)), checkFailure),
    run: (t: ServiceTarget, kind: CommandKind, signal?: AbortSignal): Promise<CommandResult> => safe(() => on(t, (e) => e.run(t, kind, signal)), runFailure),
    probePid: (t: ServiceTarget): Promise<PidProbe> => safe(() => on(t, (e) => e.probePid(t)), () => 'unknown' as const),
    findListeners: (targets: readonly ServiceTarget[]): Promise<Map<string, ListenerLookup>> => findListeners(local, targets),
    probeProcess: (p: WatchedProcess): PidProbe => {
      try {
        return local.probeProcess(p);
      } catch {
        return 'unknown';
      }
    },
    containerExit: (t: ServiceTarget) => safe(() => on(t, (e) => e.containerExit?.(t) ?? Promise.resolve(undefined)), () => undefined),
    watchContainerEvents: (watched, onEvent) => watchDockerEvents({ dockerHost: opts.dockerHost, watched, onEvent }),
    watchExit: (p: WatchedProcess, onExit: () => void): (() => void) | null => {
      try {
        return local.watchExit(p, onExit);
      } catch {
        return null;
      }
    },
    close: async () => {
      await local.close();
      await docker?.then((d) => d.close(), () => undefined);
    },
  };
}

// Container services are watched through their check and pid_file only: a listener inside a
// container lives in another network namespace.
async function findListeners(local: LocalExecutor, targets: readonly ServiceTarget[]): Promise<Map<string, ListenerLookup>> {
  const host = targets.filter((t) => !t.spec.container);
  const out = await safe(() => local.findListeners(host), () => new Map<string, ListenerLookup>());
  for (const t of targets) {
    if (t.spec.container) out.set(t.name, { kind: 'none', reason: 'runs in a container', retry: false });
    else if (!out.has(t.name)) out.set(t.name, { kind: 'none', reason: 'the listener lookup failed', retry: true });
  }
  return out;
}

// The contract says "never throws": a bug in an executor must not take the reconciler down.
async function safe<T>(f: () => Promise<T>, onError: (e: unknown) => T): Promise<T> {
  try {
    return await f();
  } catch (e) {
    return onError(e);
  }
}

function checkFailure(e: unknown): CheckResult {
  return { health: 'unknown', reason: 'CheckError', message: `executor error: ${(e as Error)?.message ?? String(e)}`, latencyMs: 0 };
}

function runFailure(e: unknown): CommandResult {
  return { ok: false, exitCode: null, signal: null, timedOut: false, unavailable: true, durationMs: 0, message: `executor error: ${(e as Error)?.message ?? String(e)}` };
}
