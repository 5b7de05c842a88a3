// The executor for services in a container (spec.container): every check and command runs inside
// it through the Engine API, as the seed did with `docker exec`, so http and tcp see the
// container's localhost. Engine trouble is never the service's fault: it comes back `unknown`.
import Docker from 'dockerode';
import { closeSync, writeSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import type { CheckReason, CheckResult, CommandKind, CommandResult, Executor, PidProbe, ServiceTarget } from './types.js';
import type { HealthCheck } from '../manifest/schema.js';
import { dockerOptions } from './docker-engine-address.js';
import { classifyDockerError, type DockerFailure } from './docker-errors.js';
import { runWrapped, type WrappedOutcome } from './docker-exec.js';
import { HTTP_PROBE, PID_PROBE, PROCESS_PROBE, TCP_PROBE } from './docker-scripts.js';
import { parseHttpEndpoint } from './http-endpoint.js';
import { decodeBody, parseHead } from './http-response-parser.js';
import { judgeHttp, round } from './checks/http.js';
import { serviceVars, type Action } from './command-env.js';
import { checkResultOf, commandResultOf, skippedCommand, unavailableCommand } from './outcome.js';
import { CHECK_KILL_GRACE_MS } from './checks/custom.js';
import { COMMAND_KILL_GRACE_MS } from './local-executor.js';
import { openLogFile } from './log-file.js';
import { EngineClient } from './engine-client.js';
import { formatDuration, oneLine } from './format.js';
import { OutputTail } from './output-tail.js';

const PROBE_TIMEOUT_MS = 5000;
export const PID_PROBE_MIN_INTERVAL_MS = 2000;
const EXIT_NO_TOOL = 69;

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
    switch (hc.type) {
      case 'docker':
        return this.containerCheck(container);
      case 'http':
        return this.httpCheck(target, hc, signal);
      case 'tcp': {
        const o = await this.probe(target, TCP_PROBE, { VAI_TCP_HOST: hc.host ?? '127.0.0.1', VAI_TCP_PORT: String(hc.port ?? 0) }, hc.timeout_seconds * 1000, signal);
        if (o.kind === 'failed') return unknown(o.reason, o.message, o.durationMs);
        const target_ = `${hc.host ?? '127.0.0.1'}:${hc.port} in container ${container}`;
        return judgeProbe(o, hc, target_, `connected to ${target_}`, 'ConnectFailed');
      }
      case 'process': {
        const o = await this.probe(target, PROCESS_PROBE, { VAI_PATTERN: hc.process_name ?? '' }, hc.timeout_seconds * 1000, signal);
        if (o.kind === 'failed') return unknown(o.reason, o.message, o.durationMs);
        const where = `in container ${container}`;
        if (o.exitCode === 1 && !o.timedOut) {
          return { health: 'unhealthy', reason: 'ProcessNotFound', message: `no process matches ${JSON.stringify(hc.process_name)} ${where}`, latencyMs: round(o.durationMs) };
        }
        return judgeProbe(o, hc, where, oneLine(`pid ${o.stdout.toString('utf8').trim()} matches ${JSON.stringify(hc.process_name)} ${where}`, 200), 'ProcessNotFound');
      }
      case 'custom': {
        const timeoutMs = hc.timeout_seconds * 1000;
        const o = await runWrapped(
          this.engine!,
          container,
          {
            command: hc.command ?? 'false',
            env: serviceVars(target, 'check', target.spec.log_path ?? ''),
            timeoutMs,
            graceMs: CHECK_KILL_GRACE_MS,
            posixSh: false,
            killGroupOnExit: true,
            outPath: '',
            keep: 'tail',
          },
          signal,
        );
        if (o.kind === 'failed') return unknown(o.reason, o.message, o.durationMs);
        const tail = new OutputTail();
        tail.push(o.stdout);
        tail.push(o.stderr);
        return checkResultOf({
          exitCode: o.timedOut ? null : o.exitCode,
          signal: null,
          timedOut: o.timedOut,
          aborted: false,
          durationMs: o.durationMs,
          timeoutMs,
          spawnError: null,
          lines: tail.lastLines(3),
        });
      }
    }
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

  private async httpCheck(target: ServiceTarget, hc: HealthCheck, signal?: AbortSignal): Promise<CheckResult> {
    const endpoint = hc.endpoint ?? '';
    const ep = parseHttpEndpoint(endpoint);
    if (typeof ep === 'string') return unknown('CheckError', ep, 0);
    const o = await this.probe(
      target,
      HTTP_PROBE,
      {
        VAI_HTTP_URL: ep.url,
        VAI_HTTP_TLS: ep.tls ? '1' : '0',
        VAI_HTTP_HOST: ep.host,
        VAI_HTTP_PORT: String(ep.port),
        VAI_HTTP_PATH: ep.path,
        VAI_HTTP_HOSTHDR: ep.hostHeader,
      },
      hc.timeout_seconds * 1000,
      signal,
    );
    if (o.kind === 'failed') return unknown(o.reason, o.message, o.durationMs);
    const where = `${endpoint} in container ${target.spec.container}`;
    if (o.timedOut) return { health: 'unhealthy', reason: 'Timeout', message: `timed out after ${formatDuration(hc.timeout_seconds * 1000)} (GET ${where})`, latencyMs: round(o.durationMs) };
    if (!o.captured) return unknown('CheckError', `no writable temp dir in container ${target.spec.container} to capture the response`, o.durationMs);
    if (o.exitCode === EXIT_NO_TOOL) return unknown('CheckError', lastLine(o.stderr), o.durationMs);
    const parsed = parseProbeResponse(o.stdout, o.stderr, hc.body_contains);
    if (parsed === null) {
      return { health: 'unhealthy', reason: 'ConnectFailed', message: oneLine(`${lastLine(o.stderr) || `exit ${o.exitCode}`} (GET ${where})`), latencyMs: round(o.durationMs) };
    }
    return judgeHttp(hc, where, { kind: 'response', status: parsed.status, latencyMs: o.durationMs, bodyMatched: parsed.bodyMatched });
  }

  private async containerCheck(container: string): Promise<CheckResult> {
    const started = performance.now();
    try {
      const info = await this.engine!.json<Docker.ContainerInspectInfo>('GET', `/containers/${encodeURIComponent(container)}/json`);
      const ms = performance.now() - started;
      const st = info.State;
      if (!st.Running || st.Paused || st.Restarting) {
        const what = st.Paused ? 'paused' : st.Restarting ? 'restarting' : `${st.Status} (exit ${st.ExitCode})`;
        return { health: 'unhealthy', reason: 'ContainerNotRunning', message: `container ${container} is ${what}`, latencyMs: round(ms) };
      }
      const health = st.Health?.Status;
      if (health === 'unhealthy') {
        const last = st.Health?.Log?.at(-1)?.Output ?? '';
        return { health: 'unhealthy', reason: 'ContainerUnhealthy', message: oneLine(`container ${container} HEALTHCHECK says unhealthy${last ? `: ${last}` : ''}`), latencyMs: round(ms) };
      }
      if (health === 'starting') {
        return { health: 'unknown', reason: 'ContainerStarting', message: `container ${container} is running; its HEALTHCHECK is still starting`, latencyMs: round(ms) };
      }
      const suffix = health === 'healthy' ? ' and healthy' : '';
      return { health: 'healthy', reason: 'CheckPassed', message: `container ${container} is running${suffix}`, latencyMs: round(ms) };
    } catch (e) {
      const f = classifyDockerError(e, container);
      return unknown(f.reason, f.message, performance.now() - started);
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

function unknown(reason: CheckReason, message: string, ms: number): CheckResult {
  return { health: 'unknown', reason, message, latencyMs: round(ms) };
}

function lastLine(b: Buffer): string {
  return b.toString('utf8').trim().split(/\r?\n/).at(-1)?.trim() ?? '';
}

function judgeProbe(o: Extract<WrappedOutcome, { kind: 'done' }>, hc: HealthCheck, where: string, okMessage: string, failReason: CheckReason): CheckResult {
  const latencyMs = round(o.durationMs);
  if (o.timedOut) return { health: 'unhealthy', reason: 'Timeout', message: `timed out after ${formatDuration(hc.timeout_seconds * 1000)} (${where})`, latencyMs };
  if (o.exitCode === EXIT_NO_TOOL) return { health: 'unknown', reason: 'CheckError', message: lastLine(o.stderr), latencyMs };
  if (o.exitCode === 0) return { health: 'healthy', reason: 'CheckPassed', message: okMessage, latencyMs };
  return { health: 'unhealthy', reason: failReason, message: oneLine(`${lastLine(o.stderr) || `exit ${o.exitCode}`} (${where})`), latencyMs };
}

/** Status and body match from curl -i / bash / nc (raw response) or wget (body, status on stderr). */
export function parseProbeResponse(stdout: Buffer, stderr: Buffer, bodyContains: string | undefined): { status: number; bodyMatched: boolean | null } | null {
  if (stdout.subarray(0, 5).toString('latin1') === 'HTTP/') {
    const head = parseHead(stdout);
    if (head.kind !== 'status') return null;
    if (bodyContains === undefined) return { status: head.status, bodyMatched: null };
    const body = head.headerEnd < 0 ? Buffer.alloc(0) : decodeBody(stdout.subarray(head.headerEnd), head.chunked, head.contentLength).body;
    return { status: head.status, bodyMatched: body.includes(bodyContains) };
  }
  const statuses = [...stderr.toString('latin1').matchAll(/HTTP\/\d(?:\.\d)? (\d{3})/g)];
  const last = statuses.at(-1);
  if (!last) return null;
  return { status: Number(last[1]), bodyMatched: bodyContains === undefined ? null : stdout.includes(bodyContains) };
}
