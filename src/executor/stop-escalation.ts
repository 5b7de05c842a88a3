// What supervisord's stopwaitsecs and systemd's TimeoutStopSec do, for a host service: after
// stop_cmd (or, for a hung service without one, a SIGTERM), the service's known process (its
// pid_file's pid, else the owner of its check's listening port) has stop_timeout_seconds to go.
// Still there: SIGCONT (a process frozen with SIGSTOP never handles the SIGTERM a `pkill` sent)
// then SIGKILL, and the result says so. The process is named by pid and start time, so a pid
// reused by another process meanwhile is never signalled.
import { closeSync, constants, fstatSync, lstatSync, openSync, readSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { ServiceTarget, WatchedProcess } from './types.js';
import { parsePid } from './pid-probe.js';
import { findListenerProcesses, parseStat, probeWatched } from './listener-process.js';
import { readStat } from '../core/procfs.js';

export const DEFAULT_STOP_TIMEOUT_SECONDS = 10;
const POLL_MS = 50;
/** After SIGKILL: how long to wait for the kernel to take the process away. */
const KILL_WAIT_MS = 3000;
const MAX_CMDLINE_BYTES = 4096;

export interface KnownProcess extends WatchedProcess {
  /** The command line, NUL-separated words joined by spaces, bounded. */
  command: string;
}

export interface Escalation {
  pid: number;
  command: string;
  /** How long vai waited for the process to go before killing it. */
  waitedMs: number;
  /** SIGCONT + SIGKILL were sent. */
  killed: boolean;
  message: string;
}

/** Reads at most `max` bytes of a small /proc or service-owned file: no links followed, no blocking. */
export function readSmall(file: string, max: number): string | null {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch {
    return null;
  }
  try {
    if (!fstatSync(fd).isFile()) return null;
    const buf = Buffer.alloc(max);
    let n = 0;
    for (;;) {
      const r = readSync(fd, buf, n, max - n, null);
      if (r <= 0) break;
      n += r;
      if (n >= max) break;
    }
    return buf.toString('utf8', 0, n);
  } catch {
    return null;
  } finally {
    closeSync(fd);
  }
}

/** The command line of a pid (comm when the cmdline is empty: a kernel thread or a zombie). */
export function commandLine(pid: number, procDir = '/proc'): string {
  const raw = readSmall(`${procDir}/${pid}/cmdline`, MAX_CMDLINE_BYTES);
  const words = raw?.split('\0').filter(Boolean) ?? [];
  if (words.length > 0) return words.join(' ');
  const stat = readSmall(`${procDir}/${pid}/stat`, 1024);
  const m = stat ? /\((.*)\)/s.exec(stat) : null;
  return m ? `[${m[1]}]` : '?';
}

/** The process a pid names now, with its start time and command line; null when there is none. */
export function processOf(pid: number, what: string, procDir = '/proc'): KnownProcess | null {
  let stat: string;
  try {
    stat = readFileSync(`${procDir}/${pid}/stat`, 'latin1');
  } catch {
    return null;
  }
  const st = parseStat(stat);
  if (!st || st.state === 'Z' || st.state === 'X') return null;
  return { pid, startTime: st.startTime, what, command: commandLine(pid, procDir) };
}

/**
 * vaid itself or a process above it (the supervisor that started it: systemd, a shell, a test
 * runner). A check's port held by one of those is never "the service's process": vaid must not
 * signal the process that supervises it.
 */
export function isSelfOrAncestor(pid: number, procDir = '/proc'): boolean {
  let p = process.pid;
  for (let i = 0; i < 64 && p > 1; i++) {
    if (p === pid) return true;
    p = readStat(p, procDir)?.ppid ?? 0;
  }
  return pid === 1;
}

/** The service's known process: pid_file's pid (safely read), else the listener of its check's loopback port. */
export async function knownProcess(target: ServiceTarget): Promise<KnownProcess | null> {
  const p = await findKnownProcess(target);
  return p && !isSelfOrAncestor(p.pid) ? p : null;
}

async function findKnownProcess(target: ServiceTarget): Promise<KnownProcess | null> {
  const pidFile = target.spec.pid_file;
  if (pidFile !== undefined) {
    const file = path.resolve(target.workingDir, pidFile);
    const text = readSmall(file, 64);
    const pid = text === null ? null : parsePid(text);
    const p = pid === null ? null : processOf(pid, `pid_file ${file}`);
    // A process started after the pid file was written is not the one it names (a reused pid).
    if (p && startedAtMs(p) <= mtimeMs(file) + 1000) return p;
  }
  const found = (await findListenerProcesses([{ name: target.name, check: target.spec.health_check }])).get(target.name);
  if (found?.kind !== 'found') return null;
  return processOf(found.process.pid, found.process.what);
}

const CLOCK_TICKS_PER_SECOND = 100;
let bootMs: number | null = null;

/** When the system booted (epoch ms), from /proc/stat's btime. */
export function bootTimeMs(procDir = '/proc'): number {
  if (bootMs !== null && procDir === '/proc') return bootMs;
  const m = /^btime (\d+)$/m.exec(readSmall(`${procDir}/stat`, 64 * 1024) ?? '');
  const ms = m ? Number(m[1]) * 1000 : 0;
  if (procDir === '/proc') bootMs = ms;
  return ms;
}

/** When a process started (epoch ms, to the clock tick). */
export function startedAtMs(p: WatchedProcess): number {
  return bootTimeMs() + (p.startTime * 1000) / CLOCK_TICKS_PER_SECOND;
}

function mtimeMs(file: string): number {
  try {
    return lstatSync(file).mtimeMs;
  } catch {
    return 0;
  }
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

async function goneWithin(p: KnownProcess, ms: number): Promise<boolean> {
  const until = performance.now() + ms;
  for (;;) {
    if (probeWatched(p) === 'dead') return true;
    if (performance.now() >= until) return false;
    await sleep(POLL_MS);
  }
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // Gone meanwhile.
  }
}

/**
 * Waits up to timeoutMs for `p` to exit (after stop_cmd ran, or after the SIGTERM sent here when
 * `term`), then SIGCONT + SIGKILL. Null when the process went by itself.
 */
export async function escalateStop(p: KnownProcess, timeoutMs: number, opts: { term: boolean; after: string }): Promise<Escalation | null> {
  const started = performance.now();
  if (opts.term && probeWatched(p) !== 'dead') signal(p.pid, 'SIGTERM');
  if (await goneWithin(p, timeoutMs)) return null;
  const waitedMs = Math.round(performance.now() - started);
  // Re-checked just before: the pid must still name the same process.
  if (probeWatched(p) === 'dead') return null;
  signal(p.pid, 'SIGCONT');
  signal(p.pid, 'SIGKILL');
  const gone = await goneWithin(p, KILL_WAIT_MS);
  const secs = Math.round(waitedMs / 100) / 10;
  const message = `process ${p.pid} (${p.command}) was still running ${secs} s after ${opts.after}: sent SIGCONT and SIGKILL${gone ? '' : ', and it has not exited yet'}`;
  return { pid: p.pid, command: p.command, waitedMs, killed: true, message };
}
