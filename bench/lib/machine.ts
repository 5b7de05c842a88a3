// The machine a run happened on, as printed above the table and stored in the JSON.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';

export interface Machine {
  nproc: number;
  cpuModel: string;
  memoryGb: number;
  node: string;
  kernel: string;
  loadAverage: number[];
  monit?: string;
  reaper: string;
}

export function describeMachine(reaper: string): Machine {
  let cpuModel = os.cpus()[0]?.model ?? 'unknown';
  try {
    cpuModel = /^model name\s*:\s*(.*)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? cpuModel;
  } catch {
    // keep os.cpus()'s answer
  }
  let nproc = os.availableParallelism();
  try {
    nproc = Number(execFileSync('nproc', { encoding: 'utf8' }).trim()) || nproc;
  } catch {
    // keep Node's answer
  }
  return {
    nproc,
    cpuModel,
    memoryGb: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    kernel: os.release(),
    loadAverage: os.loadavg().map((x) => Math.round(x * 100) / 100),
    reaper,
  };
}

export function machineLine(m: Machine): string {
  return `${m.nproc} CPU (${m.cpuModel}), ${m.memoryGb} GB, Node ${m.node}, Linux ${m.kernel}, load ${m.loadAverage.join(' ')}, orphans reaped by ${m.reaper}${m.monit ? `, monit ${m.monit}` : ''}`;
}
