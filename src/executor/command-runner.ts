// Runs `bash -c COMMAND` in its own process group (a new session) and its own cgroup where the
// machine allows (cgroup.ts), and bounds it: after the timeout the whole group and cgroup get
// SIGTERM, then SIGKILL after a grace. A child that setsid()s leaves the group but not the
// cgroup. Never throws; always resolves after the shell has been reaped, so no zombie, timer or
// descriptor outlives a run.
import { spawn, type ChildProcess } from 'node:child_process';
import { statSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { openRunCgroup, type RunCgroup } from './cgroup.js';
import { addOwnShell, removeOwnShell } from './own-shells.js';
import { spawnTurn } from './spawn-pacer.js';
import type { OutputTail } from './output-tail.js';

export type CommandOutput = { kind: 'fd'; fd: number } | { kind: 'capture'; tail: OutputTail } | { kind: 'ignore' };

export interface RunOptions {
  command: string;
  cwd: string;
  env: NodeJS.ProcessEnv;
  timeoutMs: number;
  /** Between SIGTERM and SIGKILL of the group after a timeout. */
  graceMs: number;
  output: CommandOutput;
  /**
   * Checks: whatever the shell left in its group is killed when it exits. Commands: no, a
   * restart_cmd's `... &` daemon lives in the shell's group and must keep running.
   */
  killGroupOnExit: boolean;
  signal?: AbortSignal | undefined;
  shell?: string;
}

export interface RunOutcome {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  aborted: boolean;
  durationMs: number;
  /** Set when the shell could not be started at all. */
  spawnError: string | null;
  /** The working directory did not exist (a manifest tree mid re-clone): the nearest existing ancestor was used. */
  cwdFallback?: { wanted: string; used: string };
}

// After the shell exits, how long captured pipes may stay open (held by a process that left
// the group) before vai stops reading them.
const PIPE_DRAIN_MS = 200;
const GROUP_POLL_MS = 25;

export function runCommand(opts: RunOptions): Promise<RunOutcome> {
  const wait = spawnTurn();
  return wait ? wait.then(() => startCommand(opts)) : startCommand(opts);
}

function startCommand(opts: RunOptions): Promise<RunOutcome> {
  return new Promise((resolve) => {
    const started = performance.now();
    const stdio =
      opts.output.kind === 'fd'
        ? (['ignore', opts.output.fd, opts.output.fd] as const)
        : opts.output.kind === 'capture'
          ? (['ignore', 'pipe', 'pipe'] as const)
          : (['ignore', 'ignore', 'ignore'] as const);
    const cwd = existingDir(opts.cwd);
    const cwdFallback = cwd === opts.cwd ? undefined : { wanted: opts.cwd, used: cwd };
    // The shell enters its cgroup before it runs the command: a child forked at once (bash can
    // fork before vaid, racing it, writes the shell's pid from outside) is born inside. On the
    // command's first line, so $LINENO and bash's "line N:" errors count the manifest's lines.
    let cgroup: RunCgroup | null = openRunCgroup(opts.killGroupOnExit);
    const command = cgroup ? `{ echo $$ >${shellQuote(cgroup.procsFile)}; } 2>/dev/null; ${opts.command}` : opts.command;
    let child: ChildProcess;
    try {
      child = spawn(opts.shell ?? 'bash', ['-c', command], { cwd, env: opts.env, detached: true, stdio: [...stdio] });
    } catch (e) {
      cgroup?.remove();
      resolve(failed(started, (e as Error).message));
      return;
    }

    let timedOut = false;
    let aborted = false;
    let exit: { code: number | null; signal: NodeJS.Signals | null } | null = null;
    let timer: NodeJS.Timeout | undefined;
    let killTimer: NodeJS.Timeout | undefined;
    let pollTimer: NodeJS.Timeout | undefined;
    let drainTimer: NodeJS.Timeout | undefined;
    let pipesClosed = opts.output.kind !== 'capture';
    let done = false;
    // After SIGKILL nothing in the group can linger but as a zombie, which is PID 1's to reap.
    let killed = false;
    const pgid = child.pid;
    // Written from here too: a refusal shows here, and the run falls back to the process group
    // (killGroup signals both). The shell's own write may have placed it already: only a cgroup
    // left empty is given up.
    if (cgroup && pgid === undefined) {
      cgroup.remove();
      cgroup = null;
    } else if (cgroup && pgid !== undefined) {
      const cg = cgroup;
      void cg.adopt(pgid).then((ok) => {
        if (ok || cgroup !== cg || done || cg.pids().length > 0) return;
        cg.remove();
        cgroup = null;
      });
    }

    const killGroup = (sig: NodeJS.Signals): boolean => {
      if (cgroup) {
        if (sig === 'SIGKILL') cgroup.kill();
        else for (const pid of cgroup.pids()) signalPid(pid, sig);
      }
      if (pgid === undefined) return false;
      try {
        process.kill(-pgid, sig);
        return true;
      } catch {
        return false;
      }
    };
    const groupAlive = (): boolean => {
      if (cgroup && cgroup.pids().length > 0) return true;
      if (pgid === undefined) return false;
      try {
        process.kill(-pgid, 0);
        return true;
      } catch {
        return false;
      }
    };

    const finish = (spawnError: string | null = null): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      clearTimeout(killTimer);
      clearTimeout(pollTimer);
      clearTimeout(drainTimer);
      opts.signal?.removeEventListener('abort', onAbort);
      if (pgid !== undefined) removeOwnShell(pgid);
      if (cgroup) settleCgroup(cgroup, opts.killGroupOnExit || timedOut || aborted);
      child.stdout?.destroy();
      child.stderr?.destroy();
      resolve({
        exitCode: exit?.code ?? null,
        signal: exit?.signal ?? null,
        timedOut,
        aborted,
        durationMs: performance.now() - started,
        spawnError,
        ...(cwdFallback ? { cwdFallback } : {}),
      });
    };

    // Resolve once the shell is reaped, its pipes are drained and, after a timeout, its group is gone.
    const maybeFinish = (): void => {
      if (done || exit === null) return;
      if (!pipesClosed) {
        drainTimer ??= setTimeout(() => {
          pipesClosed = true;
          maybeFinish();
        }, PIPE_DRAIN_MS);
        return;
      }
      if ((timedOut || aborted) && !killed && groupAlive()) {
        clearTimeout(pollTimer);
        pollTimer = setTimeout(maybeFinish, GROUP_POLL_MS);
        return;
      }
      finish();
    };

    const stop = (): void => {
      clearTimeout(timer);
      killGroup('SIGTERM');
      killTimer = setTimeout(() => {
        killed = true;
        killGroup('SIGKILL');
        maybeFinish();
      }, opts.graceMs);
    };
    const onAbort = (): void => {
      if (done || timedOut || aborted) return;
      aborted = true;
      stop();
    };

    child.once('error', (err: NodeJS.ErrnoException) => {
      // spawn failures arrive here; a missing cwd shows as ENOENT of the shell, so say which.
      if (exit !== null) return;
      let message = err.message;
      if (err.code === 'ENOENT') {
        try {
          statSync(opts.cwd);
        } catch {
          message = `working directory ${opts.cwd} does not exist`;
        }
      }
      exit = { code: null, signal: null };
      pipesClosed = true;
      finish(message);
    });
    if (pgid === undefined) return;
    addOwnShell(pgid);

    if (opts.output.kind === 'capture') {
      const tail = opts.output.tail;
      let open = 2;
      const onClose = () => {
        if (--open === 0) {
          pipesClosed = true;
          maybeFinish();
        }
      };
      for (const s of [child.stdout!, child.stderr!]) {
        s.on('data', (c: Buffer) => tail.push(c));
        s.once('close', onClose);
        s.once('error', () => undefined);
      }
    }

    child.once('exit', (code, signal) => {
      exit = { code, signal };
      removeOwnShell(pgid);
      if (opts.killGroupOnExit) {
        killGroup('SIGKILL');
        killed = true;
      }
      maybeFinish();
    });

    timer = setTimeout(() => {
      if (exit !== null || aborted) return;
      timedOut = true;
      stop();
    }, opts.timeoutMs);
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    if (opts.signal?.aborted) onAbort();
  });
}

/** `dir` when it is a directory, else its nearest existing ancestor (at worst `/`). */
export function existingDir(dir: string): string {
  let d = path.resolve(dir);
  for (let i = 0; i < 256; i++) {
    try {
      if (statSync(d).isDirectory()) return d;
    } catch {
      // Missing: try the parent.
    }
    const up = path.dirname(d);
    if (up === d) break;
    d = up;
  }
  return '/';
}

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

function signalPid(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // Gone already.
  }
}

/**
 * A check's cgroup, or a timed-out or aborted command's, is killed and removed; a command that
 * ended on its own keeps what it started (the `... &` daemon), moved back to vaid's own cgroup.
 */
function settleCgroup(cg: RunCgroup, kill: boolean): void {
  if (!kill) {
    cg.release();
    return;
  }
  cg.kill();
  // The killed processes leave the cgroup as the kernel finishes them: retry the rmdir briefly.
  let tries = 0;
  const retry = (): void => {
    if (cg.remove() || ++tries >= 40) return;
    setTimeout(retry, 50).unref();
  };
  retry();
}

function failed(started: number, message: string): RunOutcome {
  return { exitCode: null, signal: null, timedOut: false, aborted: false, durationMs: performance.now() - started, spawnError: message };
}
