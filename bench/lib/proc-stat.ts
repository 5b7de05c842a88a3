// Whole-process CPU and memory of a real pid, read from /proc (Linux only).
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

let clockTicks: number | undefined;

function ticksPerSecond(): number {
  if (clockTicks === undefined) {
    const out = execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim();
    clockTicks = Number(out) > 0 ? Number(out) : 100;
  }
  return clockTicks;
}

export interface CpuSample {
  /** user + system CPU of the process itself, in ms. */
  selfMs: number;
  /** user + system CPU of its waited-for children (commands it ran), in ms. */
  childrenMs: number;
  /** When the sample was taken (performance.now()). */
  at: number;
}

/** Fields of /proc/PID/stat after the command name, which may itself hold spaces or ')'. */
function statFields(pid: number): string[] {
  const raw = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return raw.slice(raw.lastIndexOf(')') + 2).split(' ');
}

export function readCpu(pid: number): CpuSample {
  const f = statFields(pid);
  const tick = 1000 / ticksPerSecond();
  const n = (i: number) => Number(f[i] ?? 0);
  // Indexes are stat(5) field numbers minus 3 (pid and comm come first).
  return { selfMs: (n(11) + n(12)) * tick, childrenMs: (n(13) + n(14)) * tick, at: performance.now() };
}

export interface MemSample {
  rssMb: number;
  /** Peak RSS since the process started. */
  hwmMb: number;
}

export function readMem(pid: number): MemSample {
  const text = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? Number.NaN);
  return { rssMb: kb('VmRSS') / 1024, hwmMb: kb('VmHWM') / 1024 };
}

/** Process state letter (R, S, T, Z, ...) or undefined when the pid is gone. */
export function processState(pid: number): string | undefined {
  try {
    return statFields(pid)[0];
  } catch {
    return undefined;
  }
}

export function isAlive(pid: number): boolean {
  const s = processState(pid);
  return s !== undefined && s !== 'Z' && s !== 'X';
}

/**
 * On-CPU time of all threads of a process, in ms, from /proc/PID/task/TID/schedstat: nanosecond
 * resolution, where utime/stime count 10 ms ticks. Threads that already exited are not counted
 * (Node's threads live as long as the process).
 */
export function readCpuPreciseMs(pid: number): number {
  let ns = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0] ?? 0);
    } catch {
      // thread exited between readdir and read
    }
  }
  return ns / 1e6;
}

/**
 * CPU of a whole process tree, in ms: the root and every live descendant (all threads, from
 * schedstat), plus what the root's reaped children used (cutime + cstime, 10 ms ticks). A check
 * a supervisor runs as a child process counts as much as one it runs in-process.
 */
export function readTreeCpuMs(root: number): number {
  const children = new Map<number, number[]>();
  for (const e of readdirSync('/proc')) {
    const c = e.charCodeAt(0);
    if (c < 48 || c > 57) continue;
    try {
      const ppid = Number(statFields(Number(e))[1]);
      const list = children.get(ppid) ?? [];
      list.push(Number(e));
      children.set(ppid, list);
    } catch {
      // exited meanwhile
    }
  }
  let ms = 0;
  const todo = [root];
  for (let i = 0; i < todo.length && i < 10_000; i++) {
    const pid = todo[i] as number;
    try {
      ms += readCpuPreciseMs(pid);
    } catch {
      continue;
    }
    todo.push(...(children.get(pid) ?? []));
  }
  try {
    ms += readCpu(root).childrenMs;
  } catch {
    // root gone
  }
  return ms;
}

/** On-CPU ms of a process's threads summed by thread name (/proc/PID/task/TID/comm). */
export function readThreadCpuMs(pid: number): Map<string, number> {
  const out = new Map<string, number>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const comm = readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim();
      const ns = Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0] ?? 0);
      out.set(comm, (out.get(comm) ?? 0) + ns / 1e6);
    } catch {
      // thread exited between readdir and read
    }
  }
  return out;
}
