// For a host service without a pid_file whose check connects to a loopback port: which process
// listens there, so the reconciler can watch that pid between two checks as it watches a
// pid_file's. The lookup is done once after a healthy check and after each restart, never per
// check: the listening socket's inode comes from the LISTEN lines at the head of
// /proc/net/tcp{,6} (the kernel lists listeners first, so only their pages are read), its owner
// from /proc/PID/fd links `socket:[INODE]`, newest pids first, in slices that yield to the event
// loop, one pass for every service looked up together, bounded in descriptors read.
import { closeSync, openSync, readSync, readdirSync, readlinkSync } from 'node:fs';
import type { HealthCheck } from '../manifest/schema.js';
import type { ListenerLookup, PidProbe, WatchedProcess } from './types.js';
import { checkType } from './checks/index.js';

import { readPidFile, stateProbe } from './pid-probe.js';
import { parseStat, readStat, readStatText, type ProcStat } from '../core/procfs.js';

export { parseStat, type ProcStat };

/** Where a check connects, when it is a loopback port whose listener vai can look up. */
export interface LoopbackPort {
  /** 4 for 127.0.0.0/8, 6 for ::1, 0 for `localhost` (either). */
  family: 0 | 4 | 6;
  /** Dotted quad for family 4. */
  address: string;
  port: number;
}

/** The loopback port a check connects to (its type's loopbackTarget), or why there is none to watch. */
export function loopbackPortOf(hc: HealthCheck): LoopbackPort | string {
  const where = checkType(hc.type).loopbackTarget?.(hc) ?? `a ${hc.type} check has no port to watch`;
  if (typeof where === 'string') return where;
  const { host, port } = where;
  const h = host.toLowerCase();
  if (h === 'localhost') return { family: 0, address: '127.0.0.1', port };
  if (h === '::1' || h === '0:0:0:0:0:0:0:1') return { family: 6, address: '::1', port };
  if (/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h)) return { family: 4, address: h, port };
  return `${host} is not a loopback address`;
}

export interface ListenEntry {
  family: 4 | 6;
  /** Dotted quad (4) or 32 lower-case hex digits in network order (6). */
  address: string;
  port: number;
  inode: number;
}

const ANY6 = '0'.repeat(32);
const LOOP6 = `${'0'.repeat(31)}1`;

/**
 * The LISTEN (st 0A) lines of /proc/net/tcp or tcp6 text. Stops at the first line in another
 * state: the kernel prints its listening hash first.
 */
export function parseListenLines(text: string, family: 4 | 6, withHeader = true): { entries: ListenEntry[]; complete: boolean } {
  const entries: ListenEntry[] = [];
  const lines = text.split('\n');
  for (let i = withHeader ? 1 : 0; i < lines.length; i++) {
    const f = lines[i]!.trim().split(/\s+/);
    if (f.length < 10) continue;
    if (f[3] !== '0A') return { entries, complete: true };
    const local = f[1]!;
    const colon = local.indexOf(':');
    const inode = Number(f[9]);
    if (colon < 0 || !Number.isInteger(inode) || inode <= 0) continue;
    const hex = local.slice(0, colon);
    const port = Number.parseInt(local.slice(colon + 1), 16);
    const address = family === 4 ? ipv4FromProcHex(hex) : ipv6FromProcHex(hex);
    if (address !== null) entries.push({ family, address, port, inode });
  }
  return { entries, complete: false };
}

/** /proc/net/tcp prints an IPv4 address as one 32-bit word in host (little-endian) order. */
function ipv4FromProcHex(hex: string): string | null {
  if (hex.length !== 8) return null;
  const b = [6, 4, 2, 0].map((i) => Number.parseInt(hex.slice(i, i + 2), 16));
  return b.join('.');
}

/** /proc/net/tcp6: four 32-bit words, each in host order; returned in network order. */
function ipv6FromProcHex(hex: string): string | null {
  if (hex.length !== 32) return null;
  let out = '';
  for (let w = 0; w < 32; w += 8) out += hex.slice(w + 6, w + 8) + hex.slice(w + 4, w + 6) + hex.slice(w + 2, w + 4) + hex.slice(w, w + 2);
  return out.toLowerCase();
}

function mappedV4(address: string): string {
  return `${'0'.repeat(20)}ffff${address
    .split('.')
    .map((x) => Number(x).toString(16).padStart(2, '0'))
    .join('')}`;
}

/**
 * The inode of the socket that would accept a connection to `to`, best match first: the exact
 * address, then the wildcard of its family, then a dual-stack `::` (or v4-mapped) listener.
 */
export function listenerInode(entries: readonly ListenEntry[], to: LoopbackPort): number | null {
  const rank = (e: ListenEntry): number => {
    if (e.port !== to.port) return 0;
    const v4 = to.family === 4 || to.family === 0;
    const v6 = to.family === 6 || to.family === 0;
    if (e.family === 4) {
      if (v4 && e.address === to.address) return 5;
      if (v4 && e.address === '0.0.0.0') return 4;
      return 0;
    }
    if (v6 && e.address === LOOP6) return 5;
    if (v4 && e.address === mappedV4(to.address)) return 3;
    if (e.address === ANY6) return v6 ? 4 : 2;
    return 0;
  };
  let best: ListenEntry | null = null;
  let bestRank = 0;
  for (const e of entries) {
    const r = rank(e);
    if (r > bestRank) {
      best = e;
      bestRank = r;
    }
  }
  return best?.inode ?? null;
}

const PAGE = 16 * 1024;
/** Listening sockets beyond this many bytes of a table are not looked at (a few thousand). */
const MAX_TABLE_BYTES = 1024 * 1024;

/** LISTEN entries of /proc/net/tcp and tcp6, reading only the pages that hold them. */
export function readListeners(procDir = '/proc'): ListenEntry[] {
  const out: ListenEntry[] = [];
  for (const [file, family] of [
    ['net/tcp', 4],
    ['net/tcp6', 6],
  ] as const) {
    let fd: number;
    try {
      fd = openSync(`${procDir}/${file}`, 'r');
    } catch {
      continue;
    }
    try {
      // Each page's whole lines are parsed once (re-parsing all the text read so far at every
      // page made a long table's read quadratic); `rest` holds a line cut by the page's end.
      let rest = '';
      let header = true;
      let read = 0;
      const buf = Buffer.allocUnsafe(PAGE);
      for (;;) {
        const n = readSync(fd, buf, 0, PAGE, null);
        if (n <= 0) break;
        read += n;
        const text = rest + buf.toString('latin1', 0, n);
        const lastNewline = text.lastIndexOf('\n');
        if (lastNewline < 0) {
          rest = text;
          if (read > MAX_TABLE_BYTES) break;
          continue;
        }
        const page = parseListenLines(text.slice(0, lastNewline), family, header);
        header = false;
        rest = text.slice(lastNewline + 1);
        out.push(...page.entries);
        if (page.complete) {
          rest = '';
          break;
        }
        if (read > MAX_TABLE_BYTES) break;
      }
      if (rest !== '') out.push(...parseListenLines(rest, family, header).entries);
    } catch {
      // A table that cannot be read has no listener for us.
    } finally {
      closeSync(fd);
    }
  }
  return out;
}

/** Descriptors looked at per lookup pass at most: bounds the cost on a host with huge fd tables. */
export const MAX_FDS_SCANNED = 200_000;
/** Processes whose descriptors are read before yielding to the event loop. */
const PIDS_PER_SLICE = 16;

/** Whether any of pid's descriptors is the socket with this inode. */
function holds(pid: number, link: string, procDir: string): boolean {
  let fds: string[];
  try {
    fds = readdirSync(`${procDir}/${pid}/fd`);
  } catch {
    return false;
  }
  for (const fd of fds) {
    try {
      if (readlinkSync(`${procDir}/${pid}/fd/${fd}`) === link) return true;
    } catch {
      // Closed meanwhile.
    }
  }
  return false;
}

const yieldToLoop = () => new Promise<void>((r) => setImmediate(r));

/**
 * For each wanted inode, the process that holds it: the first holder found, newest pid first,
 * then its parents as long as they hold the same socket (a pre-forking server's master, not a
 * worker it may replace). Own process excluded.
 */
export async function socketOwners(inodes: ReadonlySet<number>, procDir = '/proc'): Promise<Map<number, number>> {
  const found = new Map<number, number>();
  if (inodes.size === 0) return found;
  const links = new Map<string, number>();
  for (const i of inodes) links.set(`socket:[${i}]`, i);
  let pids: number[];
  try {
    pids = readdirSync(procDir)
      .filter((e) => e.charCodeAt(0) >= 48 && e.charCodeAt(0) <= 57)
      .map(Number)
      .sort((a, b) => b - a);
  } catch {
    return found;
  }
  let scanned = 0;
  for (let i = 0; i < pids.length && found.size < inodes.size && scanned < MAX_FDS_SCANNED; i++) {
    if (i > 0 && i % PIDS_PER_SLICE === 0) await yieldToLoop();
    const pid = pids[i]!;
    if (pid === process.pid) continue;
    let fds: string[];
    try {
      fds = readdirSync(`${procDir}/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      scanned++;
      let link: string;
      try {
        link = readlinkSync(`${procDir}/${pid}/fd/${fd}`);
      } catch {
        continue;
      }
      const inode = links.get(link);
      if (inode === undefined || found.has(inode)) continue;
      found.set(inode, topHolder(pid, link, procDir));
    }
  }
  return found;
}

function topHolder(pid: number, link: string, procDir: string): number {
  let top = pid;
  for (let depth = 0; depth < 8; depth++) {
    const parent = readStat(top, procDir)?.ppid ?? 0;
    if (parent <= 1 || parent === process.pid || !holds(parent, link, procDir)) break;
    top = parent;
  }
  return top;
}

export interface ListenerQuery {
  name: string;
  check: HealthCheck;
  /** Absolute pid_file path: its pid is the process to watch, no listener lookup. */
  pidFile?: string;
}

/** The process a pid file names (read safely: pid-probe.ts's readPidFile). */
export function pidFileProcess(pidFile: string, procDir = '/proc'): ListenerLookup {
  const pid = readPidFile(pidFile);
  if (typeof pid === 'string') return { kind: 'none', reason: `pid_file ${pidFile}: ${pid}`, retry: true };
  const stat = readStat(pid, procDir);
  if (stat === null) return { kind: 'none', reason: `pid_file ${pidFile} names no running process`, retry: true };
  return { kind: 'found', process: { pid, startTime: stat.startTime, what: `pid ${pid} of ${pidFile}` }, fromPidFile: true };
}

/** One pass for all queries: the listener table once, the process table at most once. */
export async function findListenerProcesses(queries: readonly ListenerQuery[], procDir = '/proc', opts: { freshEnoughMs?: number } = {}): Promise<Map<string, ListenerLookup>> {
  const out = new Map<string, ListenerLookup>();
  const ports = new Map<string, LoopbackPort>();
  for (const q of queries) {
    if (q.pidFile !== undefined) {
      const r = pidFileProcess(q.pidFile, procDir);
      // A stale pid_file (its pid gone, the check passing): the listener of the port is the
      // service's process now (diagnosis records PidFileStale).
      if (r.kind === 'found' || typeof loopbackPortOf(q.check) === 'string') {
        out.set(q.name, r);
        continue;
      }
    }
    const p = loopbackPortOf(q.check);
    if (typeof p === 'string') out.set(q.name, { kind: 'none', reason: p, retry: false });
    else ports.set(q.name, p);
  }
  if (ports.size === 0) return out;
  let table = listenerTable(procDir, false);
  if (table.reused && !ownersAlive(table.entries, ports.values(), procDir)) table = listenerTable(procDir, true, opts.freshEnoughMs);
  const inodeOf = new Map<string, number>();
  for (const [name, p] of ports) {
    const inode = listenerInode(table.entries, p);
    if (inode === null) out.set(name, { kind: 'none', reason: `nothing listens on ${describePort(p)}`, retry: true });
    else inodeOf.set(name, inode);
  }
  // A socket whose last known owner still runs needs no scan: a thousand services checked on one
  // listener, looked up in many small batches as they turn Healthy, cost one scan.
  const unknown = new Set<number>();
  for (const inode of new Set(inodeOf.values())) {
    const known = knownOwners.get(inode);
    if (!known || probeWatched({ ...known, what: '' }, procDir) !== 'alive') unknown.add(inode);
  }
  const owners = await socketOwners(unknown, procDir);
  if (knownOwners.size > 10_000) knownOwners.clear();
  // One stat read per owner, not per service: a thousand services often share one listener.
  const stats = new Map<number, ProcStat | null>();
  for (const [name, inode] of inodeOf) {
    const p = ports.get(name)!;
    const pid = owners.get(inode) ?? knownOwners.get(inode)?.pid;
    let stat: ProcStat | null = null;
    if (pid !== undefined) {
      stat = stats.has(pid) ? stats.get(pid)! : readStat(pid, procDir);
      stats.set(pid, stat);
    }
    if (pid === undefined || stat === null) {
      out.set(name, { kind: 'none', reason: `no process of ours holds the socket listening on ${describePort(p)}`, retry: true });
      continue;
    }
    knownOwners.set(inode, { pid, startTime: stat.startTime });
    out.set(name, { kind: 'found', process: { pid, startTime: stat.startTime, what: `listener on ${describePort(p)}` } });
  }
  return out;
}

const knownOwners = new Map<number, { pid: number; startTime: number }>();

/** Whether every port has a listener in `entries` whose last known owner still runs (one probe per socket). */
function ownersAlive(entries: readonly ListenEntry[], ports: Iterable<LoopbackPort>, procDir: string): boolean {
  const inodes = new Set<number>();
  for (const p of ports) {
    const inode = listenerInode(entries, p);
    if (inode === null) return false;
    inodes.add(inode);
  }
  for (const inode of inodes) {
    const known = knownOwners.get(inode);
    if (!known || probeWatched({ ...known, what: '' }, procDir) !== 'alive') return false;
  }
  return true;
}

/**
 * How long one read of the listener tables answers later lookups. Reading them costs ~2 ms of
 * kernel time even when they are nearly empty (the kernel walks every bucket of its socket hash),
 * and at 10,000 services turning Healthy in small batches those reads held the event loop for
 * most of the first 40 s. A reused table is trusted only where it names a socket whose owner
 * still runs; anything else (a restarted service's new listener) reads the tables again.
 */
export const TABLE_REUSE_MS = 2000;
/**
 * What a failure's diagnosis takes as fresh (findListenerProcesses' `freshEnoughMs`): when 1,000
 * services lose their port at once, each diagnosis re-read the tables (a socket that is gone is
 * never in a reused table), and those reads held the event loop, /healthz with it, for seconds.
 * Watching keeps reading afresh: a service restarted on its port must be found at once.
 */
export const DIAGNOSIS_FRESH_MS = 250;
let lastTable: { entries: ListenEntry[]; at: number; procDir: string } | null = null;
let tableReads = 0;

function listenerTable(procDir: string, fresh: boolean, freshEnoughMs = 0): { entries: readonly ListenEntry[]; reused: boolean } {
  const now = performance.now();
  if (lastTable && lastTable.procDir === procDir && now - lastTable.at < (fresh ? freshEnoughMs : TABLE_REUSE_MS)) return { entries: lastTable.entries, reused: !fresh };
  tableReads++;
  lastTable = { entries: readListeners(procDir), at: now, procDir };
  return { entries: lastTable.entries, reused: false };
}

/** How many times the listener tables were read by lookups (tests, diagnostics). */
export function listenerTableReads(): number {
  return tableReads;
}

function describePort(p: LoopbackPort): string {
  const host = p.family === 0 ? 'localhost' : p.family === 6 ? '[::1]' : p.address;
  return `${host}:${p.port}`;
}

/**
 * Liveness of a watched process, synchronously (one small read): gone, a zombie, or its pid now
 * naming a process started at another time (the pid was reused) is `dead`; frozen is `stopped`.
 */
export function probeWatched(p: WatchedProcess, procDir = '/proc'): PidProbe {
  let text: string;
  try {
    text = readStatText(p.pid, procDir);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return code === 'ENOENT' || code === 'ESRCH' ? 'dead' : 'unknown';
  }
  const st = parseStat(text);
  if (st === null) return 'unknown';
  if (st.startTime !== p.startTime) return 'dead';
  return stateProbe(st.state);
}
