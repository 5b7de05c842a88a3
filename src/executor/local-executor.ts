// The executor for host services: checks as their type's module says (./checks/), commands through bash in their own process group with output to the log file.
import { closeSync, writeSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import type { CheckResult, CommandKind, CommandResult, Executor, ListenerLookup, PidProbe, ServiceTarget, WatchedProcess } from './types.js';
import { KeptConnections } from './http-keep-alive.js';
import { checkType } from './checks/index.js';
import { ProcessLimits } from './limits.js';
import { probePidFile } from './pid-probe.js';
import { processExitWatcher } from './process-exit-watch.js';
import { findListenerProcesses, probeWatched } from './listener-process.js';
import { runCommand } from './command-runner.js';
import { commandEnv } from './command-env.js';
import { openLogFile } from './log-file.js';
import { LogRotator, rotationPolicy } from './log-rotation.js';
import { commandResultOf, skippedCommand } from './outcome.js';
import { DEFAULT_STOP_TIMEOUT_SECONDS, escalateStop, knownProcess } from './stop-escalation.js';
import { tailLines } from '../core/log-tail.js';

export const COMMAND_KILL_GRACE_MS = 5000;

/** log_path (relative to the manifest's directory) or the per-service file under the state dir. */
export function hostLogPath(target: ServiceTarget): string {
  return target.spec.log_path ? path.resolve(target.workingDir, target.spec.log_path) : target.defaultLogPath;
}

export class LocalExecutor implements Executor {
  /** Connections of http checks with keep_alive, one per service. */
  readonly keptConnections = new KeptConnections();
  /** spec.limits: the process trees' RSS and CPU, measured after each passing check. */
  readonly limits = new ProcessLimits();
  /** Every host service's log, rotated by its log_rotation (log-rotation.ts). */
  readonly logRotator = new LogRotator();

  constructor(
    private readonly log?: Logger,
    private readonly heartbeatsDir?: string,
  ) {}

  check(target: ServiceTarget, signal?: AbortSignal): Promise<CheckResult> {
    const hc = target.spec.health_check;
    const ctx = { target, hc, logPath: hostLogPath(target), keptConnections: this.keptConnections, heartbeatsDir: this.heartbeatsDir, now: Date.now, signal };
    this.logRotator.watch(target.name, ctx.logPath, rotationPolicy(target.spec.log_rotation), !target.spec.log_path);
    const r = checkType(hc.type).host(ctx);
    const checked = target.spec.limits ? Promise.resolve(r).then((base) => this.limits.apply(target, base, performance.now())) : Promise.resolve(r);
    return checked.then((res) => this.withRotationWarning(target.name, res));
  }

  // A log that cannot be kept bounded is said on a healthy check (a Warning event); the warning waits for one.
  private withRotationWarning(name: string, r: CheckResult): CheckResult {
    if (r.health !== 'healthy' || r.warning) return r;
    const w = this.logRotator.warning(name);
    return w ? { ...r, warning: w } : r;
  }

  async run(target: ServiceTarget, kind: CommandKind, signal?: AbortSignal): Promise<CommandResult> {
    const { spec } = target;
    const command = kind === 'stop' ? spec.stop_cmd : spec.restart_cmd;
    if (kind === 'restart' && spec.restart_container) return skippedCommand('restart_container needs spec.container', false);
    // Asked to stop a hung service that has no stop_cmd: TERM, wait, KILL its known process.
    if (command === undefined && kind === 'stop') return this.terminate(target);
    if (command === undefined) return skippedCommand(`no ${kind}_cmd`, false);
    const known = kind === 'stop' ? await knownProcess(target) : null;
    const logPath = hostLogPath(target);
    // A logging problem never prevents a restart: the command runs with its output discarded,
    // and the result says so (an event, a warning in vaid's log).
    const warnings: string[] = [];
    let fd: number | null = null;
    try {
      fd = openLogFile(logPath);
    } catch (e) {
      warnings.push(`ran with its output discarded: cannot open log file ${logPath}: ${(e as Error).message}`);
      this.log?.warn({ service: target.name, kind, file: logPath, err: (e as Error).message }, `${target.name}: ${kind}_cmd output discarded: cannot open ${logPath}`);
    }
    try {
      if (fd !== null) note(fd, `${kind}_cmd started by vai`);
      const timeoutMs = spec.command_timeout_seconds * 1000;
      const o = await runCommand({
        command,
        cwd: target.workingDir,
        env: commandEnv(target, kind, logPath),
        timeoutMs,
        graceMs: COMMAND_KILL_GRACE_MS,
        output: fd !== null ? { kind: 'fd', fd } : { kind: 'ignore' },
        killGroupOnExit: false,
        signal,
      });
      if (o.cwdFallback) warnings.push(`ran in ${o.cwdFallback.used}: its working directory ${o.cwdFallback.wanted} does not exist`);
      const result = commandResultOf({ ...o, timeoutMs });
      if (!result.ok) result.outputTail = tailLines(logPath, { after: `${kind}_cmd started by vai`, dropMarkers: true });
      if (fd !== null) note(fd, `${kind}_cmd: ${result.message}`);
      if (known) {
        const esc = await escalateStop(known, stopTimeoutMs(target), { term: false, after: 'stop_cmd' });
        if (esc) {
          result.escalation = esc.message;
          if (fd !== null) note(fd, esc.message);
        }
      }
      this.log?.debug({ service: target.name, kind, ok: result.ok, ms: result.durationMs }, 'command finished');
      return warnings.length ? { ...result, warnings } : result;
    } finally {
      if (fd !== null) closeSync(fd);
    }
  }

  private async terminate(target: ServiceTarget): Promise<CommandResult> {
    const known = await knownProcess(target);
    if (!known) return skippedCommand('no stop_cmd and no known process to stop', true);
    const started = performance.now();
    const esc = await escalateStop(known, stopTimeoutMs(target), { term: true, after: 'SIGTERM' });
    const result = skippedCommand(`no stop_cmd: sent SIGTERM to process ${known.pid}`, true);
    result.durationMs = Math.round(performance.now() - started);
    if (esc) result.escalation = esc.message;
    return result;
  }

  probePid(target: ServiceTarget): Promise<PidProbe> {
    const pidFile = target.spec.pid_file;
    if (pidFile === undefined) return Promise.resolve('unknown');
    return probePidFile(path.resolve(target.workingDir, pidFile));
  }

  findListeners(targets: readonly ServiceTarget[]): Promise<Map<string, ListenerLookup>> {
    return findListenerProcesses(
      targets.map((t) => ({ name: t.name, check: t.spec.health_check, ...(t.spec.pid_file !== undefined ? { pidFile: path.resolve(t.workingDir, t.spec.pid_file) } : {}) })),
    );
  }

  probeProcess(p: WatchedProcess): PidProbe {
    return probeWatched(p);
  }

  watchExit(p: WatchedProcess, onExit: () => void): (() => void) | null {
    return processExitWatcher().watch(p, onExit);
  }

  async close(): Promise<void> {
    this.keptConnections.closeAll();
    this.logRotator.close();
  }
}

function stopTimeoutMs(target: ServiceTarget): number {
  return (target.spec.stop_timeout_seconds ?? DEFAULT_STOP_TIMEOUT_SECONDS) * 1000;
}

// One line per command in the service's log, so `vaictl logs` shows when vai acted and how it went.
function note(fd: number, text: string): void {
  try {
    writeSync(fd, `[vai ${new Date().toISOString()}] ${text}\n`);
  } catch {
    // A full disk must not stop a restart.
  }
}
