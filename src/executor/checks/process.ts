// The process check, as `pgrep -f PATTERN`: some process's full command line (arguments joined by
// spaces) matches the pattern. It reads /proc directly; spawning pgrep would cost a fork per check.
import { closeSync, openSync, readFileSync, readSync, readdirSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import type { HealthCheck } from '../../manifest/schema.js';
import type { CheckResult } from '../types.js';
import { isOwnShell } from '../own-shells.js';
import { oneLine, round } from '../format.js';
import { PROCESS_PROBE } from '../docker-scripts.js';
import { judgeProbe, unknown } from '../container-probe.js';
import type { CheckType, TypeBuilder } from './check-type.js';
import { parseStat } from '../../core/procfs.js';

const patterns = new Map<string, RegExp | string>();
const scratch = Buffer.allocUnsafe(64 * 1024);

export function compilePattern(source: string): RegExp | string {
  let re = patterns.get(source);
  if (re === undefined) {
    try {
      re = new RegExp(source);
    } catch (e) {
      re = `invalid process_name pattern ${JSON.stringify(source)}: ${(e as Error).message}`;
    }
    if (patterns.size > 10_000) patterns.clear();
    patterns.set(source, re);
  }
  return re;
}

export interface ProcessMatch {
  pid: number;
  cmdline: string;
}

/** First process (other than vai and vai's own shells) whose command line matches. */
export function findProcess(re: RegExp, procDir = '/proc'): ProcessMatch | null {
  const self = process.pid;
  for (const entry of readdirSync(procDir)) {
    const c = entry.charCodeAt(0);
    if (c < 48 || c > 57) continue;
    const pid = Number(entry);
    if (pid === self) continue;
    const raw = readCmdline(`${procDir}/${entry}/cmdline`);
    if (raw === null || raw.length === 0) continue;
    if (isShellCmdline(raw) && (isOwnShell(pid) || isOwnShell(processGroup(`${procDir}/${entry}/stat`)))) continue;
    const cmdline = raw.toString('utf8', 0, raw.at(-1) === 0 ? raw.length - 1 : raw.length).replaceAll('\0', ' ');
    if (re.test(cmdline)) return { pid, cmdline };
  }
  return null;
}

function readCmdline(file: string): Buffer | null {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return null;
  }
  try {
    const n = readSync(fd, scratch, 0, scratch.length, 0);
    return scratch.subarray(0, n);
  } catch {
    return null;
  } finally {
    closeSync(fd);
  }
}

/**
 * The process group of a process, or -1. A shell of ours forks before it execs each command: for
 * that instant the child is a copy of the shell, with its command line, under another pid but in
 * the shell's group (a loaded machine caught a check there).
 */
function processGroup(statFile: string): number {
  let text: string;
  try {
    // Not readCmdline: its scratch buffer still holds the command line being matched.
    text = readFileSync(statFile, 'latin1');
  } catch {
    return -1;
  }
  const pgrp = parseStat(text)?.pgrp;
  return pgrp !== undefined && Number.isInteger(pgrp) ? pgrp : -1;
}

// A shell of ours that has since exec'd the service (`exec minio server`) is the service.
function isShellCmdline(raw: Buffer): boolean {
  const argv0End = raw.indexOf(0);
  const argv0 = raw.toString('latin1', 0, argv0End < 0 ? raw.length : argv0End);
  return /(?:^|\/)(?:ba)?sh$/.test(argv0) && raw.toString('latin1', argv0End + 1, argv0End + 4) === '-c\0';
}

export function processCheck(hc: HealthCheck): CheckResult {
  const started = performance.now();
  const source = hc.process_name ?? '';
  const re = compilePattern(source);
  if (typeof re === 'string') return { health: 'unknown', reason: 'CheckError', message: re, latencyMs: 0 };
  let match: ProcessMatch | null;
  try {
    match = findProcess(re);
  } catch (e) {
    return { health: 'unknown', reason: 'CheckError', message: `cannot read /proc: ${(e as Error).message}`, latencyMs: 0 };
  }
  const latencyMs = round(performance.now() - started);
  if (!match) return { health: 'unhealthy', reason: 'ProcessNotFound', message: `no process matches ${JSON.stringify(source)}`, latencyMs };
  return { health: 'healthy', reason: 'CheckPassed', message: oneLine(`pid ${match.pid} matches ${JSON.stringify(source)}: ${match.cmdline}`, 200), latencyMs };
}

export const PROCESS_FIELDS = (Type: TypeBuilder) => ({
  process_name: Type.Optional(Type.String({ minLength: 1, maxLength: 1024, description: 'process: pattern matched against full command lines, as pgrep -f does.' })),
});

export const PROCESS: CheckType<'process', ReturnType<typeof PROCESS_FIELDS>> = {
  type: 'process',
  summary: 'process: a command line matches process_name (pgrep -f)',
  fields: PROCESS_FIELDS,
  required: ['process_name'],
  host: ({ hc }) => processCheck(hc),
  container: async ({ hc, container, probe }) => {
    const o = await probe(PROCESS_PROBE, { VAI_PATTERN: hc.process_name ?? '' }, hc.timeout_seconds * 1000);
    if (o.kind === 'failed') return unknown(o.reason, o.message, o.durationMs);
    const where = `in container ${container}`;
    if (o.exitCode === 1 && !o.timedOut) {
      return { health: 'unhealthy', reason: 'ProcessNotFound', message: `no process matches ${JSON.stringify(hc.process_name)} ${where}`, latencyMs: round(o.durationMs) };
    }
    return judgeProbe(o, hc, where, oneLine(`pid ${o.stdout.toString('utf8').trim()} matches ${JSON.stringify(hc.process_name)} ${where}`, 200), 'ProcessNotFound');
  },
  target: (hc) => `process ${hc.process_name ?? ''}`,
  sentence: (hc) => `a process whose command line matches ${JSON.stringify(hc.process_name ?? '')}`,
  alertText: (hc) => `process matching "${hc.process_name ?? ''}"`,
};
