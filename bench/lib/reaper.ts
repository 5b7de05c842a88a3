// Every process the bench starts is recorded here and killed by pid or process group when its
// scenario ends, when the bench fails, and when the bench is interrupted — never by name.
import { readFileSync } from 'node:fs';

const groups = new Set<number>();
/** pid -> text its /proc/PID/cmdline must contain, so a pid reused by someone else is left alone. */
const pids = new Map<number, string>();
const pidFiles = new Set<string>();

export function trackGroup(pgid: number): void {
  groups.add(pgid);
}

export function trackPid(pid: number, mark: string): void {
  pids.set(pid, mark);
}

export function untrackPid(pid: number): void {
  pids.delete(pid);
}

function cmdlineHas(pid: number, mark: string): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(mark);
  } catch {
    return false;
  }
}

/** Services restarted by a supervisor have pids the bench never saw: their pid files name them. */
export function trackPidFile(file: string): void {
  pidFiles.add(file);
}

function kill(target: number): void {
  try {
    process.kill(target, 'SIGKILL');
  } catch {
    // already gone
  }
}

function pidFromFile(file: string): number | undefined {
  try {
    const pid = Number(readFileSync(file, 'utf8').trim());
    return Number.isInteger(pid) && pid > 1 ? pid : undefined;
  } catch {
    return undefined;
  }
}

export function untrackGroup(pgid: number): void {
  groups.delete(pgid);
}

export function reapAll(): void {
  for (const file of pidFiles) {
    const pid = pidFromFile(file);
    // the service's own argv names its pid file
    if (pid !== undefined && pid !== process.pid && cmdlineHas(pid, file)) kill(pid);
  }
  for (const g of groups) kill(-g);
  for (const [p, mark] of pids) if (cmdlineHas(p, mark)) kill(p);
  pidFiles.clear();
  groups.clear();
  pids.clear();
}

let installed = false;

export function installReaper(): void {
  if (installed) return;
  installed = true;
  process.on('exit', reapAll);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(sig, () => {
      reapAll();
      process.exit(130);
    });
  }
}
