// The executor for services in a container (spec.container): every check and command runs inside
// it through the Engine API, as the seed did with `docker exec`, so http and tcp see the
// container's localhost; each check type's module says how it runs there. Engine trouble is never the service's fault: it comes back `unknown`.
import Docker from 'dockerode';
import { closeSync, writeSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import type { CheckResult, CommandKind, CommandResult, ContainerExit, Executor, PidProbe, ServiceTarget } from './types.js';
import { dockerOptions } from './docker-engine-address.js';
import { classifyDockerError, type DockerFailure } from './docker-errors.js';
import { runWrapped, type WrappedOutcome } from './docker-exec.js';
import { PID_PROBE } from './docker-scripts.js';
import { serviceVars, type Action } from './command-env.js';
import { commandResultOf, skippedCommand, unavailableCommand } from './outcome.js';
import { CHECK_KILL_GRACE_MS } from './checks/custom.js';
import { COMMAND_KILL_GRACE_MS } from './local-executor.js';
import { openLogFile } from './log-file.js';
import { EngineClient } from './engine-client.js';
import { formatDuration, round } from './format.js';
import { unknown } from './container-probe.js';
import { checkType } from './checks/index.js';

const PROBE_TIMEOUT_MS = 5000;
export const PID_PROBE_MIN_INTERVAL_MS = 2000;

export class DockerExecutor implements Executor {
  /** dockerode for the rare calls (container restart); the lean client for the check path. */
  private readonly docker: Docker | null;
  private readonly engine: EngineClient | null;
  private readonly configError: string | null;
  private readonly pidProbes = new Map<string, { at: number; value: PidProbe; pending: Promise<PidProbe> | null }>();

  constructor(dockerHost: string | undefined, private readonly log?: Logger) {
    const opts = dockerOptions(dockerHost);
    this.configError = typeof opts === 'string' ? opts : null;
    this.docker = typeof opts === 'string' ? null : new Docker(opts);
    this.engine = typeof opts === 'string' ? null : new EngineClient(opts);
  }

  async check(target: ServiceTarget, signal?: AbortSignal): Promise<CheckResult> {
    const hc = target.spec.health_check;
    const container = target.spec.container ?? '';
    if (!this.docker) return unknown('ExecutorUnavailable', this.configError ?? 'no Docker engine', 0);
    const how = checkType(hc.type).container;
    if ('unsupported' in how) return unknown('CheckError', how.unsupported, 0);
    return how({ target, hc, container, engine: this.engine!, signal, probe: (script, env, timeoutMs) => this.probe(target, script, env, timeoutMs, signal) });
  }

  async run(target: ServiceTarget, kind: CommandKind, signal?: AbortSignal): Promise<CommandResult> {
    const { spec } = target;
    const container = spec.container ?? '';
    if (!this.docker) return unavailableCommand(this.configError ?? 'no Docker engine');
    if (kind === 'restart' && spec.restart_container) return this.restartContainer(target);
    const command = kind === 'stop' ? spec.stop_cmd : spec.restart_cmd;
    if (command === undefined) return skippedCommand(`no ${kind}_cmd`, kind === 'stop');
    const timeoutMs = spec.command_timeout_seconds * 1000;
    const o = await runWrapped(
      this.engine!,
      container,
      {
        command,
        env: serviceVars(target, kind as Action, spec.log_path ?? ''),
        timeoutMs,
        graceMs: COMMAND_KILL_GRACE_MS,
        posixSh: false,
        killGroupOnExit: false,
        outPath: spec.log_path ?? '',
        keep: 'tail',
      },
      signal,
    );
    if (o.kind === 'failed') return unavailableCommand(o.message, o.durationMs);
    const result = commandResultOf({
      exitCode: o.timedOut ? null : o.exitCode,
      signal: null,
      timedOut: o.timedOut,
      aborted: false,
      durationMs: o.durationMs,
      timeoutMs,
      spawnError: null,
    });
    if (!spec.log_path) this.appendHostLog(target.defaultLogPath, kind, o, result.message);
    this.log?.debug({ service: target.name, container, kind, ok: result.ok, ms: result.durationMs }, 'container command finished');
    return result;
  }

  /**
   * Inside a container the probe is a docker exec (~10 ms of vai's CPU and more in the engine),
   * while the reconciler may probe every 100 ms: at most one exec per service per
   * PID_PROBE_MIN_INTERVAL_MS, the last answer in between.
   */
  async probePid(target: ServiceTarget): Promise<PidProbe> {
    const pidFile = target.spec.pid_file;
    if (pidFile === undefined || !this.docker) return 'unknown';
    const key = `${target.spec.container}\0${pidFile}`;
    const cached = this.pidProbes.get(key);
    const now = performance.now();
    if (cached && (cached.pending || now - cached.at < PID_PROBE_MIN_INTERVAL_MS)) return cached.pending ?? cached.value;
    const pending = this.execPidProbe(target, pidFile);
    this.pidProbes.set(key, { at: now, value: cached?.value ?? 'unknown', pending });
    const value = await pending;
    this.pidProbes.set(key, { at: performance.now(), value, pending: null });
    return value;
  }

  private async execPidProbe(target: ServiceTarget, pidFile: string): Promise<PidProbe> {
    const o = await this.probe(target, PID_PROBE, { VAI_PID_FILE: pidFile }, PROBE_TIMEOUT_MS);
    if (o.kind === 'failed' || o.timedOut) return 'unknown';
    const word = o.stdout.toString('utf8').trim();
    return word === 'alive' || word === 'dead' ? word : 'unknown';
  }

  async close(): Promise<void> {
    this.engine?.close();
  }

  private probe(target: ServiceTarget, script: string, env: Record<string, string>, timeoutMs: number, signal?: AbortSignal): Promise<WrappedOutcome> {
    return runWrapped(
      this.engine!,
      target.spec.container ?? '',
      {
        command: script,
        env: { ...serviceVars(target, 'check', target.spec.log_path ?? ''), ...env },
        timeoutMs,
        graceMs: CHECK_KILL_GRACE_MS,
        posixSh: true,
        killGroupOnExit: true,
        outPath: '',
        keep: 'head',
      },
      signal,
    );
  }

  async containerExit(target: ServiceTarget): Promise<ContainerExit | undefined> {
    if (!this.engine || !target.spec.container) return undefined;
    try {
      const st = (await this.engine.json<Docker.ContainerInspectInfo>('GET', `/containers/${encodeURIComponent(target.spec.container)}/json`)).State;
      if (st.Running && !st.OOMKilled) return undefined;
      const at = st.FinishedAt && !st.FinishedAt.startsWith('0001-') ? st.FinishedAt : null;
      return { code: st.ExitCode ?? null, oomKilled: st.OOMKilled === true, at };
    } catch {
      return undefined;
    }
  }

  private async restartContainer(target: ServiceTarget): Promise<CommandResult> {
    const container = target.spec.container ?? '';
    const started = performance.now();
    const graceS = Math.max(1, Math.floor(Math.min(COMMAND_KILL_GRACE_MS / 1000, target.spec.command_timeout_seconds)));
    try {
      await this.docker!.getContainer(container).restart({ t: graceS });
      const ms = performance.now() - started;
      return { ok: true, exitCode: 0, signal: null, timedOut: false, unavailable: false, durationMs: round(ms), message: `container ${container} restarted in ${formatDuration(ms)}` };
    } catch (e) {
      const f: DockerFailure = classifyDockerError(e, container);
      return unavailableCommand(f.message, performance.now() - started);
    }
  }

  private appendHostLog(file: string, kind: CommandKind, o: Extract<WrappedOutcome, { kind: 'done' }>, summary: string): void {
    let fd: number | null = null;
    try {
      fd = openLogFile(file);
      writeSync(fd, `[vai ${new Date().toISOString()}] ${kind}_cmd ran in the container\n`);
      if (o.stdout.length) writeSync(fd, o.stdout);
      if (o.stderr.length) writeSync(fd, o.stderr);
      writeSync(fd, `[vai ${new Date().toISOString()}] ${kind}_cmd: ${summary}\n`);
    } catch (e) {
      this.log?.warn({ file, err: (e as Error).message }, 'cannot write the command log');
    } finally {
      if (fd !== null) closeSync(fd);
    }
  }
}

/** Status and body match of a probe's raw response: moved to container-probe.ts with the other probe judges. */
export { parseProbeResponse } from './container-probe.js';
