// The disk check: the filesystem holding `path` has room left, as monit's SPACE and INODE usage
// tests: free space (percent and/or MB, counting what an unprivileged writer may use, as df's
// "Avail") and free inodes (percent). One statfs(2) per check; nothing is written.
import { statfs } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import type { HealthCheck } from '../../manifest/schema.js';
import type { CheckResult } from '../types.js';
import { oneLine, round } from '../format.js';
import { DISK_PROBE } from '../docker-scripts.js';
import { judgeProbe, lastLine, unknown } from '../container-probe.js';
import type { CheckRuleError, CheckType, TypeBuilder } from './check-type.js';

const PATH_FIELD = (Type: TypeBuilder) => ({
  path: Type.Optional(Type.String({ minLength: 1, maxLength: 4096, description: 'disk: a path on the filesystem to watch; file: the file to check (relative to the manifest\'s directory).' })),
});
/** `path`, shared with the file check. */
export { PATH_FIELD };

const DISK_FIELDS = (Type: TypeBuilder) => ({
  ...PATH_FIELD(Type),
  min_free_percent: Type.Optional(Type.Number({ minimum: 0, maximum: 100, description: 'disk: unhealthy (DiskFull) below this much free space, in percent of the filesystem.' })),
  min_free_mb: Type.Optional(Type.Number({ minimum: 0, maximum: 1e9, description: 'disk: unhealthy (DiskFull) below this many MB (MiB) free.' })),
  min_free_inodes_percent: Type.Optional(Type.Number({ minimum: 0, maximum: 100, description: 'disk: unhealthy (InodesExhausted) below this much of the inodes free.' })),
});

const MB = 1024 * 1024;

export interface DiskFigures {
  totalBytes: number;
  availBytes: number;
  inodes: number;
  freeInodes: number;
}

/** Pure: the figures against the thresholds. A filesystem that reports no inodes (btrfs) skips the inode test. */
export function judgeDisk(hc: HealthCheck, path: string, f: DiskFigures, latencyMs: number): CheckResult {
  const freePct = f.totalBytes > 0 ? (f.availBytes / f.totalBytes) * 100 : 0;
  const freeMb = f.availBytes / MB;
  const inodePct = f.inodes > 0 ? (f.freeInodes / f.inodes) * 100 : null;
  const space = `${fmt(freeMb)} MB free of ${fmt(f.totalBytes / MB)} MB (${fmt(freePct)} %) on ${path}`;
  const lowPct = hc.min_free_percent !== undefined && freePct < hc.min_free_percent;
  const lowMb = hc.min_free_mb !== undefined && freeMb < hc.min_free_mb;
  if (lowPct || lowMb) {
    const limit = lowPct ? `${hc.min_free_percent} %` : `${hc.min_free_mb} MB`;
    return { health: 'unhealthy', reason: 'DiskFull', message: `${space}, below min_free_${lowPct ? 'percent' : 'mb'} ${limit}`, latencyMs };
  }
  const inodes = inodePct === null ? '' : `, ${fmt(inodePct)} % of ${f.inodes} inodes free`;
  if (inodePct !== null && hc.min_free_inodes_percent !== undefined && inodePct < hc.min_free_inodes_percent) {
    return {
      health: 'unhealthy',
      reason: 'InodesExhausted',
      message: `${f.freeInodes} of ${f.inodes} inodes free (${fmt(inodePct)} %) on ${path}, below min_free_inodes_percent ${hc.min_free_inodes_percent} %`,
      latencyMs,
    };
  }
  return { health: 'healthy', reason: 'CheckPassed', message: `${space}${inodes}`, latencyMs };
}

function fmt(n: number): string {
  return n >= 100 ? String(Math.round(n)) : String(Math.round(n * 10) / 10);
}

export const DISK: CheckType<'disk', ReturnType<typeof DISK_FIELDS>> = {
  type: 'disk',
  summary: 'disk: the filesystem holding path has min_free_percent / min_free_mb / min_free_inodes_percent left',
  fields: DISK_FIELDS,
  required: ['path'],
  host: async ({ hc, target }) => {
    const started = performance.now();
    const p = resolvePath(target.workingDir, hc.path ?? '/');
    try {
      const s = await statfs(p);
      const f = { totalBytes: s.blocks * s.bsize, availBytes: s.bavail * s.bsize, inodes: s.files, freeInodes: s.ffree };
      return judgeDisk(hc, p, f, round(performance.now() - started));
    } catch (e) {
      return { health: 'unknown', reason: 'CheckError', message: `cannot read the filesystem of ${p}: ${(e as Error).message}`, latencyMs: 0 };
    }
  },
  // The container's own filesystems (its writable layer, volumes, tmpfs) as it sees them.
  container: async ({ hc, container, probe }) => {
    const p = hc.path ?? '/';
    const o = await probe(DISK_PROBE, { VAI_PATH: p }, hc.timeout_seconds * 1000);
    if (o.kind === 'failed') return unknown(o.reason, o.message, o.durationMs);
    const where = `${p} in container ${container}`;
    if (o.timedOut || o.exitCode !== 0) {
      const r = judgeProbe(o, hc, where, '', 'CheckError');
      // Not a full disk: vai could not see it (a missing path, as on the host).
      return r.reason === 'Timeout' ? r : unknown('CheckError', oneLine(`cannot read the filesystem of ${where}: ${lastLine(o.stderr) || `exit ${o.exitCode}`}`), o.durationMs);
    }
    const n = o.stdout.toString('utf8').trim().split(/\s+/).map(Number);
    if (n.length !== 5 || n.some((x) => !Number.isFinite(x))) return unknown('CheckError', oneLine(`unexpected stat -f output in container ${container}: ${o.stdout.toString('utf8')}`, 200), o.durationMs);
    const [bsize, blocks, bavail, files, ffree] = n as [number, number, number, number, number];
    return judgeDisk(hc, where, { totalBytes: blocks * bsize, availBytes: bavail * bsize, inodes: files, freeInodes: ffree }, round(o.durationMs));
  },
  target: (hc) => `disk ${hc.path ?? ''}`,
  sentence: (hc) => {
    const wants = [
      hc.min_free_percent !== undefined ? `${hc.min_free_percent} % free` : '',
      hc.min_free_mb !== undefined ? `${hc.min_free_mb} MB free` : '',
      hc.min_free_inodes_percent !== undefined ? `${hc.min_free_inodes_percent} % of inodes free` : '',
    ].filter(Boolean);
    return `the filesystem of ${hc.path ?? ''} has at least ${wants.join(' and ')}`;
  },
  alertText: (hc) => `disk space on ${hc.path ?? ''}`,
  rules: (hc, spec) => [
    ...(hc.min_free_percent === undefined && hc.min_free_mb === undefined && hc.min_free_inodes_percent === undefined
      ? [{ path: ['type'], at: 'value' as const, message: 'a disk check needs min_free_percent, min_free_mb or min_free_inodes_percent (what counts as full)' }]
      : []),
    ...containerPathRule(hc, spec.container),
  ],
};

/** Inside a container there is no manifest directory to resolve against: the path must be absolute. */
export function containerPathRule(hc: HealthCheck, container: string | undefined): CheckRuleError[] {
  if (container === undefined || hc.path === undefined || hc.path.startsWith('/')) return [];
  return [{ path: ['path'], at: 'value', message: `inside container ${container} the path must be absolute, got ${JSON.stringify(hc.path)}` }];
}

export function resolvePath(dir: string, p: string): string {
  return p.startsWith('/') ? p : `${dir.replace(/\/$/, '')}/${p}`;
}
