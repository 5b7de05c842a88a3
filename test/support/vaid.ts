// Start and stop a real vaid subprocess in a temp state dir, and read its status, for e2e tests.
//
//   const vaid = await startVaid({ manifests: dir.join('manifests'), stateDir: dir.join('state') });
//   await vaid.waitForService('api', (s) => s.phase === 'Healthy');
//   await vaid.stop();            // SIGTERM, waits for exit; vaid.kill9() for a crash
//
// Every status read is validated against the status schema (a test fails on an invalid file).
// vaid runs from dist/ (built by `make test` / `npx tsc -p .`). Services that restart commands
// leave running are the test's to stop: killPidFiles(dir) kills the pids in *.pid files there.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ServiceStatus, StatusDocument } from '../../src/status/schema.js';
import { statusDocumentProblems } from '../../src/status/validate.js';
import { waitFor } from './wait.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const VAID_BIN = path.join(ROOT, 'dist/src/cli/vaid.js');
export const VAICTL_BIN = path.join(ROOT, 'dist/src/cli/vaictl.js');
/** The demo's tiny HTTP service: --name, --port, --pid-file, --depends-on URL. */
export const HTTP_SERVICE = path.join(ROOT, 'manifests/demo/bin/http-service.mjs');

export interface StartVaidOptions {
  manifests: string;
  stateDir: string;
  markerDir?: string;
  args?: string[];
  env?: Record<string, string>;
}

export interface VaidProcess {
  pid: number;
  stateDir: string;
  statusFile: string;
  /** Resolves when the process exits. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** stdout so far (JSON log lines) and stderr. */
  stdout(): string;
  stderr(): string;
  /** Parsed JSON log records so far. */
  records(): Array<Record<string, unknown>>;
  /** The status document now, validated against the schema; null before the first write. */
  readStatus(): StatusDocument | null;
  waitForStatus<T>(probe: (doc: StatusDocument) => T | undefined | null | false, what: string, timeoutMs?: number): Promise<T>;
  waitForService(name: string, pred: (s: ServiceStatus) => boolean, what?: string, timeoutMs?: number): Promise<ServiceStatus>;
  /** SIGTERM and wait for exit (SIGKILL after 20 s). */
  stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGKILL and wait for exit: a crash. */
  kill9(): Promise<void>;
}

export function assertBuilt(): void {
  if (!existsSync(VAID_BIN)) throw new Error(`${VAID_BIN} is missing: run "npx tsc -p ." (make test builds it)`);
}

export async function startVaid(opts: StartVaidOptions): Promise<VaidProcess> {
  assertBuilt();
  const args = [VAID_BIN, '--manifests', opts.manifests, '--state-dir', opts.stateDir, '--log-level', 'debug'];
  if (opts.markerDir) args.push('--marker-dir', opts.markerDir);
  args.push(...(opts.args ?? []));
  const child: ChildProcess = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...opts.env } });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  const statusFile = path.join(opts.stateDir, 'status.json');

  const readStatus = (): StatusDocument | null => {
    let text: string;
    try {
      text = readFileSync(statusFile, 'utf8');
    } catch {
      return null;
    }
    const doc = JSON.parse(text) as unknown;
    const problems = statusDocumentProblems(doc);
    if (problems) throw new Error(`status.json does not validate: ${problems}`);
    return doc as StatusDocument;
  };
  const vaid: VaidProcess = {
    pid: child.pid!,
    stateDir: opts.stateDir,
    statusFile,
    exited,
    stdout: () => out,
    stderr: () => err,
    records: () =>
      out
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as Record<string, unknown>),
    readStatus,
    async waitForStatus(probe, what, timeoutMs = 60_000) {
      return waitFor(
        () => {
          const doc = readStatus();
          return doc ? probe(doc) : undefined;
        },
        { timeoutMs, what: `${what}\n--- vaid stderr:\n${err.slice(-2000)}` },
      );
    },
    async waitForService(name, pred, what = `${name} to match`, timeoutMs = 60_000) {
      return vaid.waitForStatus((doc) => {
        const s = doc.services[name];
        return s && pred(s) ? s : undefined;
      }, what, timeoutMs);
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return exited;
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 20_000);
      const r = await exited;
      clearTimeout(t);
      return r;
    },
    async kill9() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
  return vaid;
}

/** A TCP port free on 127.0.0.1 right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

/** Kills (SIGKILL) every pid named in a *.pid file in dir: the services restart commands left. */
export function killPidFiles(dir: string): void {
  let files: string[] = [];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.pid'));
  } catch {
    return;
  }
  for (const f of files) {
    const pid = pidIn(path.join(dir, f));
    if (pid) {
      try {
        process.kill(pid, 'SIGCONT');
        process.kill(pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
  }
}

export function pidIn(file: string): number | null {
  try {
    const pid = Number.parseInt(readFileSync(file, 'utf8').trim(), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

/** GET url; true on a 2xx answer within 1 s. */
export async function answers(url: string): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
    await res.arrayBuffer();
    return res.ok;
  } catch {
    return false;
  }
}

/** YAML for one native Service manifest running HTTP_SERVICE on a port, with a pid file in runDir. */
export function httpServiceManifest(o: {
  name: string;
  port: number;
  runDir: string;
  dependsOn?: { name: string; port: number };
  interval?: number;
  timeout?: number;
  startupDelay?: number;
  restartCmd?: string;
  extra?: string;
  /** false: the manifest names no pid_file (the service still writes one, for stop_cmd and the test). */
  pidFile?: boolean;
}): string {
  const pidFile = path.join(o.runDir, `${o.name}.pid`);
  const dep = o.dependsOn ? ` --depends-on http://127.0.0.1:${o.dependsOn.port}/health` : '';
  const restart = o.restartCmd ?? `echo started >> ${path.join(o.runDir, `${o.name}.starts`)}; node ${HTTP_SERVICE} --name ${o.name} --port ${o.port} --pid-file ${pidFile}${dep} &`;
  return `apiVersion: vai/v1
kind: Service
metadata:
  name: ${o.name}
spec:
  health_check:
    type: http
    endpoint: http://127.0.0.1:${o.port}/health
    interval_seconds: ${o.interval ?? 1}
    timeout_seconds: ${o.timeout ?? 1}
  dependencies: [${o.dependsOn?.name ?? ''}]
${o.pidFile === false ? '' : `  pid_file: ${pidFile}\n`}  stop_cmd: 'kill -9 "$(cat ${pidFile} 2>/dev/null)" 2>/dev/null; echo stopped >> ${path.join(o.runDir, `${o.name}.stops`)}; true'
  restart_cmd: ${JSON.stringify(restart)}
  startup_delay_seconds: ${o.startupDelay ?? 5}
${o.extra ?? ''}`;
}

/** Starts HTTP_SERVICE detached (as a restart_cmd would) and waits until it answers. */
export async function startService(name: string, port: number, runDir: string, dependsOnPort?: number): Promise<number> {
  const args = [HTTP_SERVICE, '--name', name, '--port', String(port), '--pid-file', path.join(runDir, `${name}.pid`)];
  if (dependsOnPort) args.push('--depends-on', `http://127.0.0.1:${dependsOnPort}/health`);
  const child = spawn(process.execPath, args, { detached: true, stdio: 'ignore' });
  child.unref();
  await waitFor(() => answers(`http://127.0.0.1:${port}/health`), { what: `${name} to answer on ${port}` });
  return child.pid!;
}

/** Lines in a file (0 when it does not exist): how often a restart_cmd/stop_cmd ran. */
export function countLines(file: string): number {
  try {
    return readFileSync(file, 'utf8').split('\n').filter(Boolean).length;
  } catch {
    return 0;
  }
}
