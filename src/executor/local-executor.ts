// The executor for host services: checks in-process (http, tcp, process) or through bash
// (custom), commands through bash in their own process group with output to the log file.
import { closeSync, writeSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import type { CheckResult, CommandKind, CommandResult, Executor, ListenerLookup, PidProbe, ServiceTarget, WatchedProcess } from './types.js';
import { httpCheck } from './http-check.js';
import { KeptConnections } from './http-keep-alive.js';
import { tcpCheck } from './tcp-check.js';
import { processCheck } from './process-check.js';
import { customCheck } from './custom-check.js';
import { probePidFile } from './pid-probe.js';
import { processExitWatcher } from './process-exit-watch.js';
import { findListenerProcesses, probeWatched } from './listener-process.js';
import { runCommand } from './command-runner.js';
import { commandEnv } from './command-env.js';
import { openLogFile } from './log-file.js';
import { commandResultOf, skippedCommand } from './outcome.js';

export const COMMAND_KILL_GRACE_MS = 5000;

/** log_path (relative to the manifest's directory) or the per-service file under the state dir. */
export function hostLogPath(target: ServiceTarget): string {
  return target.spec.log_path ? path.resolve(target.workingDir, target.spec.log_path) : target.defaultLogPath;
}

export class LocalExecutor implements Executor {
  /** Connections of http checks with keep_alive, one per service. */
  readonly keptConnections = new KeptConnections();

  constructor(private readonly log?: Logger) {}

  check(target: ServiceTarget, signal?: AbortSignal): Promise<CheckResult> {
    const hc = target.spec.health_check;
    switch (hc.type) {
      case 'http':
        return hc.keep_alive ? httpCheck(hc, signal, { pool: this.keptConnections, key: target.name }) : httpCheck(hc, signal);
      case 'tcp':
        return tcpCheck(hc, signal);
      case 'process':
        return Promise.resolve(processCheck(hc));
      case 'custom':
        return customCheck(target, hostLogPath(target), signal);
      case 'docker':
        return Promise.resolve({
          health: 'unknown',
          reason: 'CheckError',
          message: 'a docker check needs spec.container (the container to watch)',
          latencyMs: 0,
        });
    }
  }

  async run(target: ServiceTarget, kind: CommandKind, signal?: AbortSignal): Promise<CommandResult> {
    const { spec } = target;
    const command = kind === 'stop' ? spec.stop_cmd : spec.restart_cmd;
    if (kind === 'restart' && spec.restart_container) return skippedCommand('restart_container needs spec.container', false);
    if (command === undefined) return skippedCommand(`no ${kind}_cmd`, kind === 'stop');
    const logPath = hostLogPath(target);
    let fd: number;
    try {
      fd = openLogFile(logPath);
    } catch (e) {
      return { ...skippedCommand(`cannot open log file ${logPath}: ${(e as Error).message}`, false) };
    }
    try {
      note(fd, `${kind}_cmd started by vai`);
      const timeoutMs = spec.command_timeout_seconds * 1000;
      const o = await runCommand({
        command,
        cwd: target.workingDir,
        env: commandEnv(target, kind, logPath),
        timeoutMs,
        graceMs: COMMAND_KILL_GRACE_MS,
        output: { kind: 'fd', fd },
        killGroupOnExit: false,
        signal,
      });
      const result = commandResultOf({ ...o, timeoutMs });
      note(fd, `${kind}_cmd: ${result.message}`);
      this.log?.debug({ service: target.name, kind, ok: result.ok, ms: result.durationMs }, 'command finished');
      return result;
    } finally {
      closeSync(fd);
    }
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
  }
}

// One line per command in the service's log, so `vaictl logs` shows when vai acted and how it went.
function note(fd: number, text: string): void {
  try {
    writeSync(fd, `[vai ${new Date().toISOString()}] ${text}\n`);
  } catch {
    // A full disk must not stop a restart.
  }
}
