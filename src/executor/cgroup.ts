// One cgroup (v2) per command vaid runs, so that nothing a command starts can escape it: a
// child that calls setsid(2) leaves the shell's process group and session, but never its cgroup.
// Layout: <vaid's own cgroup>/vai-<vaid pid>/run-<n>. When a check's shell exits, or any command
// times out, the whole cgroup is killed (cgroup.kill, or SIGKILL to each pid where the kernel
// predates 5.14). After a restart_cmd or stop_cmd that ended on its own, whatever it left running
// (the `... &` daemon) is moved back to vaid's own cgroup, where it ran before this module
// existed, and keeps running. Where no writable cgroup2 hierarchy exists (not root, a container
// without a delegated cgroup, cgroup v1 only), `openRunCgroup` returns null and the caller falls
// back to killing the process group (docs/security.md says what then remains).
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync } from 'node:fs';
import { appendFile } from 'node:fs/promises';
import path from 'node:path';

interface Hierarchy {
  /** vai-<pid> under vaid's own cgroup: every run's cgroup is made here. */
  base: string;
  /** vaid's own cgroup, where survivors of a finished command go back to. */
  home: string;
}

let hierarchy: Hierarchy | null | undefined;
let seq = 0;

/** The cgroup2 mount point, from /proc/self/mountinfo (e.g. /sys/fs/cgroup or /sys/fs/cgroup/unified). */
export function cgroup2Mount(mountinfo: string): string | null {
  for (const line of mountinfo.split('\n')) {
    const sep = line.indexOf(' - ');
    if (sep < 0) continue;
    if (line.slice(sep + 3).split(' ')[0] !== 'cgroup2') continue;
    const mountPoint = line.slice(0, sep).split(' ')[4];
    if (mountPoint) return mountPoint.replace(/\\040/g, ' ');
  }
  return null;
}

/** The v2 path of this process ("0::/system.slice/vaid.service"), from /proc/self/cgroup. */
export function ownCgroupPath(procCgroup: string): string | null {
  for (const line of procCgroup.split('\n')) if (line.startsWith('0::')) return line.slice(3).trim() || '/';
  return null;
}

function detect(): Hierarchy | null {
  if (process.env.VAI_NO_CGROUP === '1') return null;
  try {
    const mount = cgroup2Mount(readFileSync('/proc/self/mountinfo', 'utf8'));
    const own = ownCgroupPath(readFileSync('/proc/self/cgroup', 'utf8'));
    if (!mount || own === null) return null;
    const home = path.join(mount, own);
    const base = path.join(home, `vai-${process.pid}`);
    removeStale(home);
    mkdirSync(base, { recursive: true });
    process.once('exit', onExit);
    return { base, home };
  } catch {
    return null;
  }
}

function available(): Hierarchy | null {
  if (hierarchy === undefined) hierarchy = detect();
  return hierarchy;
}

export interface RunCgroup {
  readonly dir: string;
  readonly procsFile: string;
  /** Moves `pid` in; false when the kernel refused (the caller falls back to the process group). */
  /** Moves `pid` in, on the thread pool: a cgroup migration can take milliseconds under load, and 1,000 of them at once held the event loop. */
  adopt(pid: number): Promise<boolean>;
  pids(): number[];
  /** Kills every process in it (cgroup.kill, else SIGKILL each pid). */
  kill(): void;
  /** Survivors go back to vaid's own cgroup and keep running; the cgroup is removed. */
  release(): void;
  /** Removes the cgroup once it is empty; true when it is gone. */
  remove(): boolean;
}

/** Cgroups of checks still running: killed if vaid exits before they end. */
const killOnExit = new Set<RunCgroup>();

function onExit(): void {
  for (const cg of killOnExit) cg.kill();
  removeCgroupBase();
}

/**
 * A fresh cgroup for one command, or null where the machine allows none. `killAtVaidExit`: a
 * check's cgroup, killed if vaid exits while it runs (a command's is left: it may be starting a daemon).
 */
export function openRunCgroup(killAtVaidExit = false): RunCgroup | null {
  const h = available();
  if (!h) return null;
  const dir = path.join(h.base, `run-${++seq}`);
  try {
    mkdirSync(dir);
  } catch {
    return null;
  }
  const pids = (): number[] => {
    try {
      return readFileSync(path.join(dir, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean).map(Number);
    } catch {
      return [];
    }
  };
  const remove = (): boolean => {
    try {
      rmdirSync(dir);
      return true;
    } catch (e) {
      return (e as NodeJS.ErrnoException).code === 'ENOENT';
    }
  };
  const cg: RunCgroup = {
    dir,
    procsFile: path.join(dir, 'cgroup.procs'),
    adopt(pid) {
      return appendFile(path.join(dir, 'cgroup.procs'), `${pid}\n`).then(
        () => true,
        () => false,
      );
    },
    pids,
    kill() {
      const killFile = path.join(dir, 'cgroup.kill');
      if (existsSync(killFile)) {
        try {
          appendFileSync(killFile, '1');
          return;
        } catch {
          // Fall through to one signal per pid.
        }
      }
      // A process may fork between the read and the signals: a few rounds catch those children.
      for (let round = 0; round < 8; round++) {
        const list = pids();
        if (list.length === 0) return;
        for (const pid of list) {
          try {
            process.kill(pid, 'SIGKILL');
          } catch {
            // Already gone.
          }
        }
      }
    },
    release() {
      for (const pid of pids()) {
        try {
          appendFileSync(path.join(h.home, 'cgroup.procs'), `${pid}\n`);
        } catch {
          // Gone meanwhile, or the kernel refused: it stays in the run cgroup, which then stays too.
        }
      }
      killOnExit.delete(cg);
      remove();
    },
    remove() {
      const gone = remove();
      if (gone) killOnExit.delete(cg);
      return gone;
    },
  };
  if (killAtVaidExit) killOnExit.add(cg);
  return cg;
}

/** At vaid's exit: removes the vai-<pid> directory and any empty run cgroup left in it. */
export function removeCgroupBase(): void {
  const h = hierarchy;
  if (!h) return;
  try {
    for (const name of readdirNames(h.base)) {
      try {
        rmdirSync(path.join(h.base, name));
      } catch {
        // Not empty (a command still running): left for the kernel to report.
      }
    }
    rmdirSync(h.base);
  } catch {
    // Already gone, or a cgroup still holds a process.
  }
}

/** vai-<pid> dirs of a vaid that died without cleaning up (SIGKILL): removed where empty. */
function removeStale(home: string): void {
  for (const name of readdirNames(home)) {
    const m = /^vai-(\d+)$/.exec(name);
    if (!m || Number(m[1]) === process.pid || existsSync(`/proc/${m[1]}`)) continue;
    const base = path.join(home, name);
    for (const run of readdirNames(base)) {
      try {
        rmdirSync(path.join(base, run));
      } catch {
        // Still holds a process (a daemon a timed-out command left): kept.
      }
    }
    try {
      rmdirSync(base);
    } catch {
      // Kept with what it holds.
    }
  }
}

function readdirNames(dir: string): string[] {
  try {
    // cgroup dirs hold control files too; only the subdirectories are run-N.
    return readdirSync(dir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);
  } catch {
    return [];
  }
}
