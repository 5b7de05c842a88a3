// vai under test: manifests written from ServiceDefs, the real vaid binary started as a
// subprocess in its own process group with its own state dir, and its status file read back.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';
import type { StatusDocument } from '../../src/status/schema.js';
import { isAlive } from './proc-stat.js';
import { startSupervised } from './supervised-process.js';
import type { ServiceDef } from './services.js';

export const VAID = fileURLToPath(new URL('../../src/cli/vaid.js', import.meta.url));
export const VAICTL = fileURLToPath(new URL('../../src/cli/vaictl.js', import.meta.url));

export function manifestFor(def: ServiceDef): Record<string, unknown> {
  const health_check: Record<string, unknown> =
    def.check.type === 'http'
      ? { type: 'http', endpoint: `http://127.0.0.1:${def.check.port}/`, ...(def.check.keepAlive ? { keep_alive: true } : {}) }
      : { type: 'tcp', host: '127.0.0.1', port: def.check.port };
  health_check.interval_seconds = def.intervalSeconds;
  health_check.timeout_seconds = def.timeoutSeconds;
  const spec: Record<string, unknown> = { health_check };
  if (def.startCmd) spec.restart_cmd = def.startCmd;
  if (def.stopCmd) spec.stop_cmd = def.stopCmd;
  if (def.usePidFile && def.pidFile) spec.pid_file = def.pidFile;
  // Each MTTR sample must be an independent recovery, not a step towards CrashLoopBackOff.
  spec.max_failures = 1000;
  spec.startup_delay_seconds = def.startupDelaySeconds;
  return { apiVersion: 'vai/v1', kind: 'Service', metadata: { name: def.name, labels: { bench: 'true' } }, spec };
}

/** Writes `perFile` services per YAML file (several documents per file); returns the files. */
export function writeManifests(dir: string, defs: readonly ServiceDef[], perFile = 1): string[] {
  mkdirSync(dir, { recursive: true });
  const files: string[] = [];
  for (let i = 0; i < defs.length; i += perFile) {
    const group = defs.slice(i, i + perFile);
    const file = path.join(dir, perFile === 1 ? `${group[0]?.name}.yaml` : `group-${String(i / perFile).padStart(4, '0')}.yaml`);
    writeFileSync(file, group.map((d) => YAML.stringify(manifestFor(d))).join('---\n'));
    files.push(file);
  }
  return files;
}

export interface Vaid {
  /** The real vaid process (under tini when tini is installed). */
  pid: number;
  stateDir: string;
  logFile: string;
  stop(): Promise<void>;
}

export interface VaidOptions {
  manifestsDir: string;
  stateDir: string;
  extraArgs?: string[];
  nodeArgs?: string[];
  concurrency?: number;
  /** Default warn; the recovery scenarios read info lines to time each step. */
  logLevel?: string;
}

let profileDir: string | undefined;

/** Every vaid started from now on writes a V8 CPU profile (node --cpu-prof) into `dir` when it stops. */
export function profileVaidInto(dir: string): void {
  profileDir = dir;
}

export async function startVaid(opts: VaidOptions): Promise<Vaid> {
  mkdirSync(opts.stateDir, { recursive: true });
  const logFile = path.join(path.dirname(opts.stateDir), `vaid-${path.basename(opts.stateDir)}.log`);
  const args = [
    ...(opts.nodeArgs ?? []),
    ...(profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : []),
    VAID,
    '--manifests',
    opts.manifestsDir,
    '--state-dir',
    opts.stateDir,
    '--log-level',
    opts.logLevel ?? 'warn',
    ...(opts.concurrency ? ['--concurrency', String(opts.concurrency)] : []),
    ...(opts.extraArgs ?? []),
  ];
  const proc = await startSupervised(process.execPath, args, { cwd: path.dirname(opts.stateDir), outFile: logFile, mark: opts.stateDir, graceMs: 15_000 });
  return {
    pid: proc.pid,
    stateDir: opts.stateDir,
    logFile,
    stop: () => proc.stop(),
  };
}

export function readStatus(stateDir: string): StatusDocument | undefined {
  try {
    return JSON.parse(readFileSync(path.join(stateDir, 'status.json'), 'utf8')) as StatusDocument;
  } catch {
    return undefined;
  }
}

export function vaidLogTail(v: Vaid, lines = 20): string {
  try {
    return readFileSync(v.logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

/** Polls status.json until `pred` holds; fails with vaid's last log lines. */
export async function waitStatus<T>(
  v: Vaid,
  pred: (s: StatusDocument) => T | undefined | false,
  { timeoutMs = 60_000, everyMs = 50, what = 'status condition' } = {},
): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const s = readStatus(v.stateDir);
    const r = s ? pred(s) : undefined;
    if (r) return r;
    if (!isAlive(v.pid)) throw new Error(`vaid exited while waiting for ${what}:\n${vaidLogTail(v)}`);
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}:\n${vaidLogTail(v)}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
