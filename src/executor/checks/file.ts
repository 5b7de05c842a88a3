// The file check: a file exists, is recent enough (max_age_seconds: the backup ran), large
// enough (min_size_bytes: it is not empty) and, when sha256 is set, has exactly that content (the
// config did not change), as monit's TIMESTAMP, SIZE and CHECKSUM tests. The file may sit in a
// directory its service's owner controls while vaid runs as root: it is opened without following a
// final symlink, non-blocking, regular files only, and hashed only up to MAX_HASH_BYTES.
import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { constants as fsc } from 'node:fs';
import { performance } from 'node:perf_hooks';
import type { HealthCheck } from '../../manifest/schema.js';
import type { CheckResult } from '../types.js';
import { oneLine, round } from '../format.js';
import { FILE_PROBE } from '../docker-scripts.js';
import { judgeProbe, lastLine, unknown } from '../container-probe.js';
import type { CheckType, TypeBuilder } from './check-type.js';
import { containerPathRule, PATH_FIELD, resolvePath } from './disk.js';

export const MAX_HASH_BYTES = 1024 * 1024 * 1024;

const FILE_FIELDS = (Type: TypeBuilder) => ({
  ...PATH_FIELD(Type),
  max_age_seconds: Type.Optional(Type.Number({ minimum: 1, maximum: 86_400 * 400, description: 'file: unhealthy (FileTooOld) when the file was last modified longer ago than this.' })),
  min_size_bytes: Type.Optional(Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, description: 'file: unhealthy (FileTooSmall) below this size.' })),
  sha256: Type.Optional(Type.String({ pattern: '^[0-9a-fA-F]{64}$', description: 'file: the file\'s SHA-256 (64 hex digits); any other content is unhealthy (ChecksumMismatch).' })),
});

export interface FileFacts {
  size: number;
  mtimeMs: number;
  sha256: string | null;
}

/** Pure: facts against the thresholds, at wall time `now`. */
export function judgeFile(hc: HealthCheck, path: string, f: FileFacts, now: number, latencyMs: number): CheckResult {
  const ageS = Math.max(0, (now - f.mtimeMs) / 1000);
  const facts = `${path}: ${f.size} bytes, modified ${new Date(f.mtimeMs).toISOString()} (${ago(ageS)} ago)`;
  if (hc.max_age_seconds !== undefined && ageS > hc.max_age_seconds) {
    return { health: 'unhealthy', reason: 'FileTooOld', message: `${facts}, older than max_age_seconds ${hc.max_age_seconds}`, latencyMs };
  }
  if (hc.min_size_bytes !== undefined && f.size < hc.min_size_bytes) {
    return { health: 'unhealthy', reason: 'FileTooSmall', message: `${facts}, smaller than min_size_bytes ${hc.min_size_bytes}`, latencyMs };
  }
  if (hc.sha256 !== undefined && f.sha256 !== hc.sha256.toLowerCase()) {
    return { health: 'unhealthy', reason: 'ChecksumMismatch', message: `${facts}, sha256 ${f.sha256} is not the expected ${hc.sha256.toLowerCase()}`, latencyMs };
  }
  return { health: 'healthy', reason: 'CheckPassed', message: hc.sha256 !== undefined ? `${facts}, sha256 matches` : facts, latencyMs };
}

function ago(s: number): string {
  if (s < 120) return `${Math.round(s)} s`;
  if (s < 7200) return `${Math.round(s / 60)} min`;
  if (s < 172_800) return `${Math.round(s / 3600)} h`;
  return `${Math.round(s / 86_400)} days`;
}

async function readFacts(p: string, hash: boolean): Promise<FileFacts | CheckResult> {
  let fh;
  try {
    fh = await open(p, fsc.O_RDONLY | fsc.O_NOFOLLOW | fsc.O_NONBLOCK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { health: 'unhealthy', reason: 'FileMissing', message: `${p} does not exist`, latencyMs: 0 };
    if (code === 'ELOOP') return { health: 'unknown', reason: 'CheckError', message: `${p} is a symbolic link; name the file itself`, latencyMs: 0 };
    return { health: 'unknown', reason: 'CheckError', message: `cannot open ${p}: ${(e as Error).message}`, latencyMs: 0 };
  }
  try {
    const st = await fh.stat();
    if (!st.isFile()) return { health: 'unknown', reason: 'CheckError', message: `${p} is not a regular file`, latencyMs: 0 };
    let sha256: string | null = null;
    if (hash) {
      if (st.size > MAX_HASH_BYTES) return { health: 'unknown', reason: 'CheckError', message: `${p} is larger than ${MAX_HASH_BYTES / 1024 / 1024} MB: too big to hash every check`, latencyMs: 0 };
      const h = createHash('sha256');
      const buf = Buffer.allocUnsafe(1024 * 1024);
      for (let pos = 0; pos < st.size; ) {
        const { bytesRead } = await fh.read(buf, 0, buf.length, pos);
        if (bytesRead === 0) break;
        h.update(buf.subarray(0, bytesRead));
        pos += bytesRead;
      }
      sha256 = h.digest('hex');
    }
    return { size: st.size, mtimeMs: st.mtimeMs, sha256 };
  } finally {
    await fh.close();
  }
}

export const FILE: CheckType<'file', ReturnType<typeof FILE_FIELDS>> = {
  type: 'file',
  summary: 'file: path exists, newer than max_age_seconds, at least min_size_bytes, with the given sha256',
  fields: FILE_FIELDS,
  required: ['path'],
  host: async ({ hc, target, now }) => {
    const started = performance.now();
    const p = resolvePath(target.workingDir, hc.path ?? '');
    const f = await readFacts(p, hc.sha256 !== undefined);
    const ms = round(performance.now() - started);
    if ('health' in f) return { ...f, latencyMs: ms };
    return judgeFile(hc, p, f, now(), ms);
  },
  // The file as the container sees it (its own layer, a volume, a tmpfs); ages against vaid's clock.
  container: async ({ hc, container, probe }) => {
    const p = hc.path ?? '';
    const env = { VAI_PATH: p, VAI_HASH: hc.sha256 !== undefined ? '1' : '', VAI_MAX_HASH: String(MAX_HASH_BYTES) };
    const o = await probe(FILE_PROBE, env, hc.timeout_seconds * 1000);
    if (o.kind === 'failed') return unknown(o.reason, o.message, o.durationMs);
    const where = `${p} in container ${container}`;
    const ms = round(o.durationMs);
    if (!o.timedOut && o.exitCode === 3) return { health: 'unhealthy', reason: 'FileMissing', message: `${where} does not exist`, latencyMs: ms };
    if (!o.timedOut && o.exitCode === 4) return unknown('CheckError', oneLine(`${where} is not a regular file (${lastLine(o.stderr)}); name the file itself`, 300), o.durationMs);
    if (!o.timedOut && o.exitCode === 5) return unknown('CheckError', `${where} is larger than ${MAX_HASH_BYTES / 1024 / 1024} MB: too big to hash every check`, o.durationMs);
    if (o.timedOut || o.exitCode !== 0) {
      const r = judgeProbe(o, hc, where, '', 'CheckError');
      return r.reason === 'Timeout' ? r : unknown('CheckError', oneLine(`cannot read ${where}: ${lastLine(o.stderr) || `exit ${o.exitCode}`}`, 300), o.durationMs);
    }
    const [head = '', hash = ''] = o.stdout.toString('utf8').trim().split('\n');
    const [, size, mtime] = head.split('|').map(Number);
    if (!Number.isFinite(size) || !Number.isFinite(mtime) || (hc.sha256 !== undefined && !/^[0-9a-f]{64}$/.test(hash.trim()))) {
      return unknown('CheckError', oneLine(`unexpected stat output in container ${container}: ${o.stdout.toString('utf8')}`, 200), o.durationMs);
    }
    return judgeFile(hc, where, { size: size!, mtimeMs: mtime! * 1000, sha256: hc.sha256 !== undefined ? hash.trim() : null }, Date.now(), ms);
  },
  target: (hc) => `file ${hc.path ?? ''}`,
  sentence: (hc) => {
    const wants = [
      hc.max_age_seconds !== undefined ? `modified within ${hc.max_age_seconds}s` : '',
      hc.min_size_bytes !== undefined ? `at least ${hc.min_size_bytes} bytes` : '',
      hc.sha256 !== undefined ? `sha256 ${hc.sha256.slice(0, 12)}…` : '',
    ].filter(Boolean);
    return `file ${hc.path ?? ''} exists${wants.length ? `, ${wants.join(', ')}` : ''}`;
  },
  alertText: (hc) => `file ${hc.path ?? ''}`,
  rules: (hc, spec) => containerPathRule(hc, spec.container),
};
