// monit under test: Debian's package (installed by the bench when missing), its own control,
// state, id and log files in a temp dir, run in the foreground (-I) in its own process group.
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startSupervised } from './supervised-process.js';
import type { ServiceDef } from './services.js';

function which(cmd: string): string | undefined {
  for (const dir of (process.env.PATH ?? '/usr/bin:/bin').split(':').concat(['/usr/bin', '/usr/sbin', '/bin'])) {
    const p = path.join(dir, cmd);
    if (existsSync(p)) return p;
  }
  return undefined;
}

/** The monit binary, installing Debian's package as root when it is missing. */
export function ensureMonit(log: (s: string) => void): { bin: string; version: string } | { error: string } {
  let bin = which('monit');
  if (!bin) {
    if (process.getuid?.() !== 0) return { error: 'monit is not installed and the bench is not root (apt-get install -y monit)' };
    log('installing monit with apt-get (once) ...');
    try {
      const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
      try {
        execFileSync('apt-get', ['install', '-y', '--no-install-recommends', 'monit'], { stdio: 'ignore', env, timeout: 300_000 });
      } catch {
        execFileSync('apt-get', ['update'], { stdio: 'ignore', env, timeout: 300_000 });
        execFileSync('apt-get', ['install', '-y', '--no-install-recommends', 'monit'], { stdio: 'ignore', env, timeout: 300_000 });
      }
    } catch (e) {
      return { error: `apt-get install monit failed: ${(e as Error).message}` };
    }
    bin = which('monit');
    if (!bin) return { error: 'monit still missing after apt-get install' };
  }
  const version = /version ([\d.]+)/.exec(execFileSync(bin, ['-V'], { encoding: 'utf8' }))?.[1] ?? 'unknown';
  return { bin, version };
}

// monit splits a program string on spaces and honours single quotes, with no escapes.
const programOf = (cmd: string) => {
  if (/['"]/.test(cmd)) throw new Error(`monit cannot express a quote in: ${cmd}`);
  return `"/bin/bash -c '${cmd}'"`;
};

/**
 * monit pauses a process's connection tests for its start timeout after each start (30 s by
 * default); the bench gives monit the same grace vai's startup_delay_seconds gives.
 */
export function controlFile(dir: string, defs: readonly ServiceDef[], startTimeoutSeconds: number, cycleSeconds = 1): string {
  const lines = [
    `set daemon ${cycleSeconds}`,
    `set logfile ${path.join(dir, 'monit.log')}`,
    `set pidfile ${path.join(dir, 'monit.pid')}`,
    `set idfile ${path.join(dir, 'monit.id')}`,
    `set statefile ${path.join(dir, 'monit.state')}`,
    '',
  ];
  for (const d of defs) {
    if (!d.pidFile) throw new Error(`${d.name}: monit's check process needs a pid file`);
    lines.push(`check process ${d.name} with pidfile ${d.pidFile}`);
    if (d.startCmd) lines.push(`  start program = ${programOf(d.startCmd)} with timeout ${startTimeoutSeconds} seconds`);
    if (d.stopCmd) lines.push(`  stop program = ${programOf(d.stopCmd)}`);
    const proto = d.check.type === 'http' ? ' protocol http request "/"' : '';
    lines.push(`  if failed host 127.0.0.1 port ${d.check.port}${proto} with timeout ${d.timeoutSeconds} seconds then restart`);
    lines.push('');
  }
  return lines.join('\n');
}

export interface Monit {
  pid: number;
  logFile: string;
  log(): string;
  stop(): Promise<void>;
}

/** cycleSeconds: monit's `set daemon` (its one check interval for every service). */
export async function startMonit(bin: string, dir: string, defs: readonly ServiceDef[], startTimeoutSeconds: number, cycleSeconds = 1): Promise<Monit> {
  mkdirSync(dir, { recursive: true });
  const ctl = path.join(dir, 'monitrc');
  writeFileSync(ctl, controlFile(dir, defs, startTimeoutSeconds, cycleSeconds));
  chmodSync(ctl, 0o600);
  const logFile = path.join(dir, 'monit.log');
  const proc = await startSupervised(bin, ['-I', '-c', ctl], { cwd: dir, outFile: path.join(dir, 'monit.stdout'), mark: ctl, graceMs: 10_000 });
  return {
    pid: proc.pid,
    logFile,
    log: () => {
      try {
        return readFileSync(logFile, 'utf8');
      } catch {
        return '';
      }
    },
    stop: () => proc.stop(),
  };
}
