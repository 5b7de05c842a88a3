// A supervisor under test (vaid or monit), started under tini in its own process group with its
// output in a file, tracked for the reaper, and stopped the way an operator would: SIGTERM to
// the real process, a grace period, then SIGKILL to whatever is left.
import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { isAlive } from './proc-stat.js';
import { supervisedPid, underInit } from './reaping-init.js';
import { trackGroup, trackPid, untrackGroup, untrackPid } from './reaper.js';

export interface SupervisedProcess {
  /** The supervisor itself (tini's child when tini is installed). */
  pid: number;
  stop(): Promise<void>;
}

export interface SupervisedOptions {
  cwd: string;
  /** File that receives stdout and stderr (appended). */
  outFile: string;
  /** Text of the process's command line, so the reaper leaves a reused pid alone. */
  mark: string;
  graceMs: number;
}

export async function startSupervised(file: string, args: string[], o: SupervisedOptions): Promise<SupervisedProcess> {
  const out = openSync(o.outFile, 'a');
  const cmd = underInit(file, args);
  const child = spawn(cmd.file, cmd.args, { detached: true, stdio: ['ignore', out, out], cwd: o.cwd });
  closeSync(out);
  const group = child.pid;
  if (!group) throw new Error(`${file} did not start`);
  trackGroup(group);
  let exited = false;
  child.on('exit', () => {
    exited = true;
  });
  const pid = await supervisedPid(group);
  // Tracked by pid too: monit -I moves itself into its own process group, out of reach of the
  // group kill.
  trackPid(pid, o.mark);
  return {
    pid,
    async stop() {
      if (!exited) {
        try {
          process.kill(pid, 'SIGTERM');
        } catch {
          exited = true;
        }
        const deadline = performance.now() + o.graceMs;
        while (!exited && isAlive(pid) && performance.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      }
      const targets = isAlive(pid) ? [-group, pid] : [-group];
      for (const target of targets) {
        try {
          process.kill(target, 'SIGKILL');
        } catch {
          // already gone
        }
      }
      untrackGroup(group);
      untrackPid(pid);
    },
  };
}
