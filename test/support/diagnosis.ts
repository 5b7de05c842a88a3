// Shared by the diagnosis e2e tests: a test env with a real vaid, the fault service fixture, a
// real ntfy server, and `vaictl describe -o json` as a user would run it.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { ServiceStatus } from '../../src/status/schema.js';
import { startNtfyServer, type NtfyServer } from './ntfy-server.js';
import { testdir, type TestDir } from './testdir.js';
import { ROOT, killPidFiles, pidIn, startVaid, VAICTL_BIN, type VaidProcess } from './vaid.js';
import { waitFor } from './wait.js';

export const FAULT_SERVICE = path.join(ROOT, 'test/support/services/fault-service.mjs');

export interface FaultEnv {
  dir: TestDir;
  run: string;
  ntfy: NtfyServer;
  vaids: VaidProcess[];
  cleanups: Array<() => void | Promise<void>>;
}

export async function withFaultEnv(fn: (e: FaultEnv) => Promise<void>): Promise<void> {
  const dir = testdir({}, 'vai-diag-');
  const run = dir.join('run');
  mkdirSync(run, { recursive: true });
  const ntfy = await startNtfyServer();
  const e: FaultEnv = { dir, run, ntfy, vaids: [], cleanups: [] };
  try {
    await fn(e);
  } finally {
    for (const v of e.vaids) await v.kill9();
    killPidFiles(run);
    for (const c of e.cleanups.reverse()) {
      try {
        await c();
      } catch {
        // Best effort: the next cleanup still runs.
      }
    }
    await ntfy.close();
    dir.remove();
  }
}

/** The Notifier manifest for the env's ntfy server (topic `diag`); services name it `alerts`. */
export function notifierManifest(e: FaultEnv): string {
  return ['apiVersion: vai/v1', 'kind: Notifier', 'metadata: { name: alerts }', 'spec:', '  type: ntfy', `  server: ${e.ntfy.url}`, '  topic: diag', ''].join('\n');
}

export async function startFaultVaid(e: FaultEnv, manifest: string): Promise<VaidProcess> {
  e.dir.write('manifests/alerts.yaml', notifierManifest(e));
  e.dir.write('manifests/service.yaml', manifest);
  const v = await startVaid({ manifests: e.dir.join('manifests'), stateDir: e.dir.join('state') });
  e.vaids.push(v);
  return v;
}

/** `vaictl describe NAME -o json`: the service's status as a user reads it. */
export function describeJson(stateDir: string, name: string): ServiceStatus {
  const r = spawnSync(process.execPath, [VAICTL_BIN, 'describe', name, '-o', 'json', '--state-dir', stateDir], { encoding: 'utf8', timeout: 30_000 });
  if (r.status !== 0) throw new Error(`vaictl describe -o json exited ${r.status}: ${r.stderr}`);
  return JSON.parse(r.stdout) as ServiceStatus;
}

export function describeText(stateDir: string, name: string): string {
  const r = spawnSync(process.execPath, [VAICTL_BIN, 'describe', name, '--state-dir', stateDir], { encoding: 'utf8', timeout: 30_000 });
  if (r.status !== 0) throw new Error(`vaictl describe exited ${r.status}: ${r.stderr}`);
  return r.stdout;
}

/** Starts the fault service detached (as a restart_cmd would) and waits for its pid file. */
export async function startFault(args: string[], pidFile: string): Promise<number> {
  const child = spawn(process.execPath, [FAULT_SERVICE, ...args, '--pid-file', pidFile], { detached: true, stdio: 'ignore' });
  child.unref();
  return waitFor(() => pidIn(pidFile), { what: `fault service ${args.join(' ')} to write ${pidFile}` });
}

/** True while /proc/PID exists and is not a zombie. */
export function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}
