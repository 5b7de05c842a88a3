// The executor contract: how to observe and act, never whether to. Its own failures
// (engine unreachable, container missing, exec refused) come back as `unknown`, never as
// `unhealthy`, so the reconciler can tell "the service is down" from "we cannot see".
import type { ServiceSpec } from '../manifest/schema.js';
import type { ContainerEvent } from './docker-events.js';

export type { ContainerEvent };

export type Health = 'healthy' | 'unhealthy' | 'unknown';

/** Machine-readable why; CamelCase as Kubernetes reasons are. */
export type CheckReason =
  | 'CheckPassed'
  | 'HttpStatus'
  | 'BodyMismatch'
  | 'TooSlow'
  | 'ConnectFailed'
  | 'Timeout'
  | 'ProcessNotFound'
  | 'CommandFailed'
  | 'ContainerNotRunning'
  | 'ContainerUnhealthy'
  /** The container runs but its HEALTHCHECK has not decided yet (health 'unknown'). */
  | 'ContainerStarting'
  | 'ExecutorUnavailable'
  | 'ContainerMissing'
  | 'CheckError'
  /** Not a check's own verdict: the planner's, when the known process is stopped (state T) too long. */
  | 'ProcessFrozen'
  // Plain reason strings of the newer check types, so diagnosis can join them to its causes.
  | 'DiskFull'
  | 'InodesExhausted'
  | 'CertificateExpired'
  /** Within fail_days of expiry: unhealthy. (Within warn_days it stays healthy, with a warning.) */
  | 'CertificateExpiring'
  | 'CertificateInvalid'
  | 'FileMissing'
  | 'FileTooOld'
  | 'FileTooSmall'
  | 'ChecksumMismatch'
  | 'HeartbeatMissed'
  | 'HeartbeatFailed'
  /** A heartbeat service with no beat yet, still within its first period + grace (health unknown). */
  | 'AwaitingHeartbeat'
  | 'LoadHigh'
  | 'MemoryLow'
  | 'SwapHigh'
  | 'MemoryLimit'
  | 'CpuLimit';

export interface CheckResult {
  health: Health;
  reason: CheckReason;
  /** Human message, e.g. `HTTP 503 from http://127.0.0.1:9000/health after 12 ms`. */
  message: string;
  latencyMs: number;
  /** A healthy check that wants a person's attention (a certificate within warn_days): a Warning, never a restart. */
  warning?: string | undefined;
  /**
   * What the warning is about, stable while it holds (`CertificateExpiring:<expiry>`): the
   * planner sends one notice per key, so a renewed certificate that is short again is news.
   */
  warningKey?: string | undefined;
  /** spec.limits: what the service's process tree used at this check (describe, /metrics). */
  usage?: ProcessUsage | undefined;
}

export interface ProcessUsage {
  rootPid: number;
  processes: number;
  rssBytes: number;
  /** CPU time of the tree (its live processes and the children they waited for), in seconds. */
  cpuSeconds: number;
  /** Share of one core since the previous check, in percent; null on the first sample. */
  cpuPercent: number | null;
}

export interface CommandResult {
  /** Exit 0 within the timeout. */
  ok: boolean;
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  /** The executor could not run the command at all (engine down, container missing). */
  unavailable: boolean;
  durationMs: number;
  /** Human summary, e.g. `exit 1 after 210 ms` or `killed after timeout of 60 s`. */
  message: string;
  /** On failure only: the command's last output lines (bounded, redacted). */
  outputTail?: string[];
  /** stop: the service's process outlived stop_timeout_seconds and was killed (what vai did). */
  escalation?: string;
  /** Something went wrong beside the command that did not stop it (its log could not be opened; its working dir was gone). */
  warnings?: string[];
}

/**
 * 'stopped': the process exists but is frozen by a signal (state T: SIGSTOP, SIGTSTP); it cannot
 * answer until someone sends SIGCONT. Like 'dead' it calls for a check now, never a restart.
 */
export type PidProbe = 'alive' | 'dead' | 'stopped' | 'unknown';

/**
 * A process vai watches for a service that has no pid_file: the one listening on its check's
 * loopback port. Its start time (clock ticks since boot, /proc/PID/stat) tells it from a later
 * process that reuses the pid.
 */
export interface WatchedProcess {
  pid: number;
  startTime: number;
  /** What it was found by, e.g. `listener on 127.0.0.1:8080`. */
  what: string;
}

export type ListenerLookup =
  /** fromPidFile: the pid came from the service's pid_file (else the listener of its port). */
  | { kind: 'found'; process: WatchedProcess; fromPidFile?: boolean }
  /** retry: false when the service can never have one (container, non-loopback or portless check). */
  | { kind: 'none'; reason: string; retry: boolean };

/** What an executor needs to know of a service. */
export interface ServiceTarget {
  name: string;
  spec: ServiceSpec;
  /** Log file for command output when spec.log_path is unset. */
  defaultLogPath: string;
  /**
   * Directory of the manifest file that defined the service: commands and custom checks run
   * there (as docker-compose resolves relative paths), and relative pid_file/log_path resolve
   * against it. Host services only; container commands run in the container's own working dir.
   */
  workingDir: string;
}

export type CommandKind = 'stop' | 'restart';

export interface Executor {
  /** Runs the service's health check, bounded by its timeout. Never throws. */
  check(target: ServiceTarget, signal?: AbortSignal): Promise<CheckResult>;
  /** Runs stop_cmd or restart_cmd (or restarts the container). Never throws. */
  run(target: ServiceTarget, kind: CommandKind, signal?: AbortSignal): Promise<CommandResult>;
  /** Cheap liveness of spec.pid_file's pid; 'unknown' when there is no pid file or it cannot be read. */
  probePid(target: ServiceTarget): Promise<PidProbe>;
  /**
   * Optional. For each host service whose http/tcp check connects to a loopback port, the process
   * listening there. One pass for all targets; a lookup, not a check: call it after a healthy
   * check or a restart, never per check. Never throws.
   */
  findListeners?(targets: readonly ServiceTarget[]): Promise<Map<string, ListenerLookup>>;
  /** Optional. Liveness of a process findListeners returned: one small synchronous read. */
  probeProcess?(p: WatchedProcess): PidProbe;
  /**
   * Optional. A container's last exit as the engine recorded it (State.ExitCode, State.OOMKilled,
   * State.FinishedAt), for a failure's evidence; undefined when it runs or cannot be read.
   */
  containerExit?(target: ServiceTarget): Promise<ContainerExit | undefined>;
  /**
   * Optional. Subscribes to the engine's container events (die, oom, kill, health_status) of the
   * containers `watched` accepts; reconnects by itself. Call only when some service is a container.
   */
  watchContainerEvents?(watched: (container: string) => boolean, onEvent: (e: ContainerEvent) => void): { close(): void };
  /**
   * Optional. Calls onExit once when the process exits (the kernel tells: a pidfd), and returns
   * the function that stops watching; null when the kernel or platform refuses (keep probing).
   */
  watchExit?(p: WatchedProcess, onExit: () => void): (() => void) | null;
  /** Releases timers, sockets and connections. */
  close(): Promise<void>;
}

export interface ContainerExit {
  code: number | null;
  oomKilled: boolean;
  at: string | null;
}
