// Definitions of the services under test and the shell commands that start and stop them,
// shared by the vai manifests and the monit control file so both supervise the same thing.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { trackPid, trackPidFile } from './reaper.js';
import { serviceProgram } from './service-binary.js';

/** keepAlive: vai's health_check.keep_alive (monit has no such check). */
export type Check = { type: 'http'; port: number; keepAlive?: boolean } | { type: 'tcp'; port: number };

export interface ServiceDef {
  name: string;
  check: Check;
  /** Shell command that starts the service in the background (the seed's `... &`). */
  startCmd?: string | undefined;
  /** Shell command that kills the service by its pid file (needed for a frozen one). */
  stopCmd?: string | undefined;
  /** Where the service writes its pid; shown to the supervisor only when `usePidFile`. */
  pidFile?: string | undefined;
  usePidFile: boolean;
  intervalSeconds: number;
  timeoutSeconds: number;
  /** vai's startup_delay_seconds and monit's start timeout: the same grace for both. */
  startupDelaySeconds: number;
}

// Paths go into both bash and monit's program strings (monit splits on spaces and has no
// escape for quotes), so they must need no quoting at all.
const q = (s: string) => {
  if (!/^[A-Za-z0-9/._+-]+$/.test(s)) throw new Error(`path needs quoting, which monit cannot express: ${s}`);
  return s;
};

/** A real HTTP service process that a supervisor can restart from its commands. */
export function httpServiceDef(name: string, port: number, dir: string, usePidFile: boolean): ServiceDef {
  const pidFile = path.join(dir, `${name}.pid`);
  trackPidFile(pidFile);
  const start = `${serviceProgram().argv.map(q).join(' ')} ${port} ${q(pidFile)} ${process.pid} >/dev/null 2>&1 &`;
  return {
    name,
    check: { type: 'http', port },
    startCmd: start,
    stopCmd: `kill -9 $(cat ${q(pidFile)}) 2>/dev/null; true`,
    pidFile,
    usePidFile,
    intervalSeconds: 1,
    timeoutSeconds: 1,
    startupDelaySeconds: 2,
  };
}

export function readPid(file: string): number | undefined {
  try {
    const pid = Number(readFileSync(file, 'utf8').trim());
    return Number.isInteger(pid) && pid > 1 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Starts the service directly (before any supervisor), and resolves its pid once it listens. */
export async function launchService(def: ServiceDef): Promise<number> {
  if (!def.pidFile || def.check.type !== 'http') throw new Error(`${def.name}: not a launchable service`);
  const [file, ...pre] = serviceProgram().argv as [string, ...string[]];
  const child = spawn(file, [...pre, String(def.check.port), def.pidFile, String(process.pid)], {
    detached: true,
    stdio: 'ignore',
  });
  child.unref();
  if (child.pid) trackPid(child.pid, def.pidFile);
  const deadline = performance.now() + 30_000;
  for (;;) {
    const pid = readPid(def.pidFile);
    if (pid !== undefined && pid === child.pid) return pid;
    if (performance.now() > deadline) throw new Error(`${def.name} did not write ${def.pidFile} within 30 s`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
