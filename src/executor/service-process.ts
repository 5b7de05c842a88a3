// Which process is a host service's own: the pid its pid_file names, else the first match of its
// process check, else the owner of its check's loopback port. The limits and `vaictl top` measure
// the tree under it; a container's processes are found through the engine instead.
import path from 'node:path';
import type { ServiceSpec } from '../manifest/schema.js';
import { readPidFile } from './pid-probe.js';
import { findListenerProcesses, type ListenerQuery } from './listener-process.js';
import { compilePattern, findProcess } from './checks/process.js';
import type { WatchedProcess } from './types.js';

export interface ServiceProcessQuery {
  name: string;
  spec: ServiceSpec;
  /** The manifest's directory, against which a relative pid_file resolves. */
  workingDir: string;
}

/** The main pid, or why there is none; `listener` when it was found as a port's owner (worth keeping: that lookup is the costly one). */
export type ServiceProcess = { pid: number; via: string; listener?: WatchedProcess } | { pid: null; reason: string };

/** One listener-table pass for all queries that need one. */
export async function findServiceProcesses(queries: readonly ServiceProcessQuery[], procDir = '/proc'): Promise<Map<string, ServiceProcess>> {
  const out = new Map<string, ServiceProcess>();
  const byListener: ListenerQuery[] = [];
  for (const q of queries) {
    const { spec } = q;
    if (spec.container !== undefined) {
      out.set(q.name, { pid: null, reason: `runs in container ${spec.container}` });
      continue;
    }
    if (spec.pid_file !== undefined) {
      const file = path.resolve(q.workingDir, spec.pid_file);
      const pid = readPidFile(file);
      out.set(q.name, typeof pid === 'number' ? { pid, via: `pid_file ${file}` } : { pid: null, reason: `pid_file ${file}: ${pid}` });
      continue;
    }
    const hc = spec.health_check;
    if (hc.type === 'process') {
      const re = compilePattern(hc.process_name ?? '');
      const found = typeof re === 'string' ? null : findProcess(re, procDir);
      out.set(q.name, found ? { pid: found.pid, via: 'process check' } : { pid: null, reason: typeof re === 'string' ? re : 'no process matches process_name' });
      continue;
    }
    byListener.push({ name: q.name, check: hc });
  }
  if (byListener.length === 0) return out;
  for (const [name, r] of await findListenerProcesses(byListener, procDir)) {
    out.set(name, r.kind === 'found' ? { pid: r.process.pid, via: r.process.what, listener: r.process } : { pid: null, reason: r.reason });
  }
  return out;
}
