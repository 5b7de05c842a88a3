// Real child processes for tests, each in its own process group so a test can kill everything
// it started by group id, never by name.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { waitFor } from '../wait.js';

const here = path.dirname(fileURLToPath(import.meta.url));
export const HTTP_SERVICE = path.join(here, 'http-service.mjs');

export interface Started {
  child: ChildProcess;
  pid: number;
  /** Kills the whole group (SIGKILL) and waits until the leader is gone. */
  kill(): Promise<void>;
}

export function startGroup(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Started {
  const child = spawn(cmd, args, { detached: true, stdio: 'ignore', cwd: opts.cwd, env: opts.env ?? process.env });
  const pid = child.pid!;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  return {
    child,
    pid,
    async kill() {
      try {
        process.kill(-pid, 'SIGCONT');
        process.kill(-pid, 'SIGKILL');
      } catch {
        // already gone
      }
      if (child.exitCode === null && child.signalCode === null) await exited;
    },
  };
}

export interface HttpService extends Started {
  port: number;
  pidFile: string;
  url(p?: string): string;
}

/** Starts test/support/services/http-service.mjs and waits until it listens. */
export async function startHttpService(dir: string, extra: string[] = []): Promise<HttpService> {
  const tag = Math.random().toString(36).slice(2, 8);
  const portFile = path.join(dir, `port-${tag}`);
  const pidFile = path.join(dir, `pid-${tag}`);
  const s = startGroup(process.execPath, [HTTP_SERVICE, '--port-file', portFile, '--pid-file', pidFile, ...extra]);
  const port = await waitFor(() => existsSync(portFile) && Number(readFileSync(portFile, 'utf8')), { what: 'http service port file' });
  return { ...s, port, pidFile, url: (p = '/health') => `http://127.0.0.1:${port}${p}` };
}

/** Pids of processes whose command line contains `marker` (as pgrep -f would list them). */
export function pidsMatching(marker: string): number[] {
  const out: number[] = [];
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e) || Number(e) === process.pid) continue;
    try {
      const cmd = readFileSync(`/proc/${e}/cmdline`, 'utf8').replaceAll('\0', ' ');
      if (cmd.includes(marker)) out.push(Number(e));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** Pids whose process group is `pgid` (zombies included). */
export function groupMembers(pgid: number): number[] {
  const out: number[] = [];
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = readFileSync(`/proc/${e}/stat`, 'latin1');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) === pgid) out.push(Number(e));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

export function openFdCount(): number {
  return readdirSync('/proc/self/fd').length;
}
