// OOMKilled evidence on the host: the kernel's own record that it killed the service's process
// for memory ("Memory cgroup out of memory: Killed process 4242 (node)" and the oom-kill line
// naming its cgroup), read from /dev/kmsg without blocking and bounded, then the cgroup's
// oom_kill counter (memory.events in cgroup v2, memory.oom_control in v1). Only the pids vai
// knew for the service are matched, so another service's OOM is never blamed on this one.
import { closeSync, constants, openSync, readSync } from 'node:fs';
import { readSmall } from '../executor/stop-escalation.js';

const MAX_KMSG_BYTES = 2 * 1024 * 1024;
const RECORD_BYTES = 8192;

export function oomEvidence(pids: readonly number[], kmsg = '/dev/kmsg', cgroupRoot = '/sys/fs/cgroup'): string[] {
  if (pids.length === 0) return [];
  const wanted = new Set(pids);
  const lines: string[] = [];
  let memcg: string | null = null;
  for (const rec of kmsgRecords(kmsg)) {
    const text = rec.slice(rec.indexOf(';') + 1);
    const killed = /Killed process (\d+) \(([^)]*)\)(.*)$/.exec(text);
    if (killed && wanted.has(Number(killed[1]))) {
      lines.push(`kernel: ${text.split(', UID')[0]}`);
      continue;
    }
    const ctx = /^oom-kill:.*?(?:oom_memcg=([^,]*))?.*task=([^,]*),pid=(\d+)/.exec(text);
    if (ctx && wanted.has(Number(ctx[3]))) memcg = /oom_memcg=([^,]*)/.exec(text)?.[1] ?? null;
  }
  if (lines.length === 0) return [];
  if (memcg && memcg !== '/' && !memcg.includes('..')) {
    const counter = oomKillCounter(cgroupRoot, memcg);
    if (counter) lines.push(counter);
  }
  return lines.slice(-4);
}

function oomKillCounter(root: string, memcg: string): string | null {
  for (const [file, name] of [
    [`${root}${memcg}/memory.events`, 'memory.events'],
    [`${root}/unified${memcg}/memory.events`, 'memory.events'],
    [`${root}/memory${memcg}/memory.oom_control`, 'memory.oom_control'],
  ] as const) {
    const text = readSmall(file, 4096);
    const m = text ? /^oom_kill (\d+)$/m.exec(text) : null;
    if (m) return `cgroup ${memcg}: ${name} oom_kill ${m[1]}`;
  }
  return null;
}

/** Every record /dev/kmsg still holds, oldest first, without waiting for new ones. */
function kmsgRecords(file: string): string[] {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch {
    return [];
  }
  const out: string[] = [];
  const buf = Buffer.alloc(RECORD_BYTES);
  let total = 0;
  try {
    for (let reads = 0; total < MAX_KMSG_BYTES && reads < 100_000; reads++) {
      let n: number;
      try {
        n = readSync(fd, buf, 0, RECORD_BYTES, null);
      } catch (e) {
        // EPIPE: records were overwritten while reading; go on with the next one.
        if ((e as NodeJS.ErrnoException).code === 'EPIPE') continue;
        break;
      }
      if (n <= 0) break;
      total += n;
      out.push(buf.toString('utf8', 0, n).split('\n')[0]!);
    }
  } finally {
    closeSync(fd);
  }
  return out;
}
