// What the evidence gatherers saw, handed to the planner as data. Gatherers never decide: the
// planner (src/reconcile/failure-cause.ts) turns these sightings into a cause.

/** The service's known process (pid_file's pid, else the watched listener), when a probe saw it stopped or gone. */
export interface ProcessSighting {
  pid: number;
  command: string;
  /** e.g. `pid_file /run/web.pid` or `listener on 127.0.0.1:8080`. */
  via: string;
  /** From the pid file (false: the watched listener). */
  fromPidFile: boolean;
  state: 'stopped' | 'dead';
  /** When vai first saw it in this state (epoch ms). */
  sinceMs: number;
  /** pid_file only: when the file was last written (epoch ms), to tell the new process's pid from the old one's. */
  writtenAtMs?: number;
}

/** Who listens on the check's loopback port. */
export interface ListenerSighting {
  pid: number;
  command: string;
  /** When that process started (epoch ms, to the clock tick). */
  startedAtMs: number;
  /** e.g. `127.0.0.1:8080`. */
  port: string;
}

export interface DiskSighting {
  /** The path named (log_path's directory, the working directory, a watch_paths entry). */
  path: string;
  what: string;
  freeBytes: number;
  totalBytes: number;
  freeInodes: number;
  totalInodes: number;
}

export interface Diagnosis {
  /**
   * The known process: a sighting when stopped or gone; null when it was looked at (a probe had
   * reported it, or a stale pid_file was recorded) and it runs; undefined when not looked at.
   */
  process?: ProcessSighting | null;
  /** Looked up on a failure path: the port's owner; null when nothing listens there. */
  listener?: ListenerSighting | null;
  disks?: DiskSighting[];
  /** Lines showing the kernel killed the service's process for memory (kmsg, memory.events, Docker). */
  oom?: string[];
  /** A container's exit, from the engine (exit code, OOMKilled). */
  exit?: { code: number | null; oomKilled: boolean; at: string | null };
  logTail?: string[];
}
