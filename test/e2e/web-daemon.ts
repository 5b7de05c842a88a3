// Real vaid processes for the web and selector tests: the built binary (dist/src/cli/vaid.js)
// in its own process group, its JSON log collected, stopped by group id.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { waitFor } from '../support/wait.js';
import type { StatusDocument } from '../../src/status/schema.js';

export const VAID = path.resolve('dist/src/cli/vaid.js');

export function vaidMissing(): string | false {
  return existsSync(VAID) ? false : `${VAID} not built (make build)`;
}

export interface RunningVaid {
  child: ChildProcess;
  pid: number;
  log(): string;
  /** The web endpoint's URL, from vaid's log (--listen 127.0.0.1:0 picks a free port). */
  url(): Promise<string>;
  status(): StatusDocument | undefined;
  /** SIGTERM the group, SIGKILL it if it has not exited in 20 s. */
  stop(): Promise<void>;
}

export function startVaid(args: string[], opts: { stateDir: string; env?: NodeJS.ProcessEnv }): RunningVaid {
  const child = spawn(process.execPath, [VAID, ...args], { detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, VAI_LOG_LEVEL: 'info', ...opts.env } });
  let out = '';
  child.stdout!.setEncoding('utf8').on('data', (c: string) => (out += c));
  child.stderr!.setEncoding('utf8').on('data', (c: string) => (out += c));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const pid = child.pid!;
  const alive = () => child.exitCode === null && child.signalCode === null;
  return {
    child,
    pid,
    log: () => out,
    async url() {
      return waitFor(() => {
        if (!alive()) throw new Error(`vaid exited (${child.exitCode ?? child.signalCode}):\n${out}`);
        return /"url":"(http:\/\/[^"]+)"/.exec(out)?.[1];
      }, { what: 'vaid web endpoint url in its log', timeoutMs: 60_000 });
    },
    status() {
      try {
        return JSON.parse(readFileSync(path.join(opts.stateDir, 'status.json'), 'utf8')) as StatusDocument;
      } catch {
        return undefined;
      }
    },
    async stop() {
      if (!alive()) return;
      try {
        process.kill(-pid, 'SIGTERM');
      } catch {
        return;
      }
      const timer = setTimeout(() => {
        try {
          process.kill(-pid, 'SIGKILL');
        } catch {
          // gone meanwhile
        }
      }, 20_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Kills a service vaid started (restart_cmd runs it in a group of its own): the pid's whole group. */
export function killGroupOf(pid: number, signal: NodeJS.Signals = 'SIGKILL'): void {
  const pgid = pgidOf(pid);
  // Never our own group: that would take the test runner down with the service.
  const targets = pgid !== undefined && pgid > 1 && pgid !== pgidOf(process.pid) ? [-pgid, pid] : [pid];
  for (const target of targets) {
    try {
      process.kill(target, signal);
    } catch {
      // gone
    }
  }
}

function pgidOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
  } catch {
    return undefined;
  }
}
