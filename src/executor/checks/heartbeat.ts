// The heartbeat check, for jobs vai does not run (backups, certificate renewals, cron scripts):
// the job reports in with `vaictl heartbeat NAME [--fail] [--message ...]`, with
// `POST /hooks/heartbeat/NAME`, or by touching `path`. No beat for period_seconds + grace_seconds
// is HeartbeatMissed, with the last beat's time; a beat with --fail is HeartbeatFailed at once,
// with its message. Beats are small JSON files STATE_DIR/heartbeats/NAME.json, written
// atomically (temp + rename) and read without following links, bounded.
import { constants as fsc } from 'node:fs';
import { lstat, mkdir, open, rename, unlink, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { HealthCheck } from '../../manifest/schema.js';
import type { CheckResult } from '../types.js';
import type { CheckType, TypeBuilder } from './check-type.js';
import { PATH_FIELD, resolvePath } from './disk.js';
import { oneLine } from '../format.js';

const MAX_BEAT_BYTES = 4096;
export const MAX_MESSAGE_CHARS = 500;

const HEARTBEAT_FIELDS = (Type: TypeBuilder) => ({
  ...PATH_FIELD(Type),
  period_seconds: Type.Optional(Type.Number({ minimum: 1, maximum: 86_400 * 400, description: 'heartbeat: how often the job reports in (its schedule).' })),
  grace_seconds: Type.Optional(Type.Number({ minimum: 0, maximum: 86_400 * 30, description: 'heartbeat: how late a beat may be before it counts as missed (default 0).' })),
});

export interface Beat {
  /** Epoch ms. */
  at: number;
  fail: boolean;
  message: string;
}

export function beatFile(dir: string, name: string): string {
  return path.join(dir, `${name}.json`);
}

/** Records one beat; the caller has checked that `name` is a service name (DNS-1123). */
export async function writeBeat(dir: string, name: string, beat: Beat): Promise<string> {
  await mkdir(dir, { recursive: true, mode: 0o755 });
  const file = beatFile(dir, name);
  const tmp = path.join(dir, `.${name}.${randomBytes(6).toString('hex')}.tmp`);
  const body = JSON.stringify({ at: new Date(beat.at).toISOString(), fail: beat.fail, message: oneLine(beat.message, MAX_MESSAGE_CHARS) });
  try {
    // wx: a planted file or link at the temp name makes this fail rather than write through it.
    await writeFile(tmp, `${body}\n`, { flag: 'wx', mode: 0o644 });
    await rename(tmp, file);
  } catch (e) {
    await unlink(tmp).catch(() => undefined);
    throw e;
  }
  return file;
}

export async function readBeat(dir: string, name: string): Promise<Beat | null> {
  let fh;
  try {
    fh = await open(beatFile(dir, name), fsc.O_RDONLY | fsc.O_NOFOLLOW | fsc.O_NONBLOCK);
  } catch {
    return null;
  }
  try {
    const st = await fh.stat();
    if (!st.isFile()) return null;
    const buf = Buffer.alloc(MAX_BEAT_BYTES);
    const { bytesRead } = await fh.read(buf, 0, MAX_BEAT_BYTES, 0);
    const j = JSON.parse(buf.toString('utf8', 0, bytesRead)) as { at?: unknown; fail?: unknown; message?: unknown };
    const at = typeof j.at === 'string' ? Date.parse(j.at) : NaN;
    if (!Number.isFinite(at)) return null;
    return { at, fail: j.fail === true, message: typeof j.message === 'string' ? oneLine(j.message, MAX_MESSAGE_CHARS) : '' };
  } catch {
    return null;
  } finally {
    await fh.close();
  }
}

/** When vaid first checked each heartbeat service: a job that never beat is missed that long after. */
const firstChecked = new Map<string, number>();

/** Pure: the latest beat (or none since `since`) judged at `now`. */
export function judgeHeartbeat(hc: HealthCheck, last: Beat | null, since: number, now: number): CheckResult {
  const periodS = hc.period_seconds ?? 0;
  const allowedMs = (periodS + (hc.grace_seconds ?? 0)) * 1000;
  if (last?.fail) return { health: 'unhealthy', reason: 'HeartbeatFailed', message: `the job reported a failure at ${iso(last.at)}${last.message ? `: ${last.message}` : ''}`, latencyMs: 0 };
  const from = last?.at ?? since;
  const late = now - from;
  if (late > allowedMs) {
    const what = last ? `last beat at ${iso(last.at)}` : `no beat since vai started watching at ${iso(since)}`;
    return { health: 'unhealthy', reason: 'HeartbeatMissed', message: `${what} (${Math.round(late / 1000)} s ago), more than period ${periodS} s + grace ${hc.grace_seconds ?? 0} s`, latencyMs: 0 };
  }
  if (!last) return { health: 'unknown', reason: 'AwaitingHeartbeat', message: `no beat yet; waiting until ${iso(since + allowedMs)}`, latencyMs: 0 };
  return { health: 'healthy', reason: 'CheckPassed', message: `last beat at ${iso(last.at)} (${Math.round(late / 1000)} s ago)${last.message ? `: ${last.message}` : ''}`, latencyMs: 0 };
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

export const HEARTBEAT: CheckType<'heartbeat', ReturnType<typeof HEARTBEAT_FIELDS>> = {
  type: 'heartbeat',
  summary: 'heartbeat: a job reports in (vaictl heartbeat, POST /hooks/heartbeat/NAME or touching path) at least every period_seconds + grace_seconds',
  fields: HEARTBEAT_FIELDS,
  required: ['period_seconds'],
  host: async ({ hc, target, heartbeatsDir, now }) => {
    const t = now();
    let since = firstChecked.get(target.name);
    if (since === undefined) {
      since = t;
      if (firstChecked.size > 100_000) firstChecked.clear();
      firstChecked.set(target.name, t);
    }
    const beats: Beat[] = [];
    if (heartbeatsDir !== undefined) {
      const b = await readBeat(heartbeatsDir, target.name);
      if (b) beats.push(b);
    }
    if (hc.path !== undefined) {
      // lstat: a link planted at the path would make another file's mtime (a log written every
      // second) pass for the job's beat.
      const st = await lstat(resolvePath(target.workingDir, hc.path)).catch(() => null);
      if (st?.isFile()) beats.push({ at: st.mtimeMs, fail: false, message: '' });
    }
    const last = beats.sort((a, b) => b.at - a.at)[0] ?? null;
    return judgeHeartbeat(hc, last, since, t);
  },
  container: { unsupported: 'beats come to vaid (vaictl heartbeat, POST /hooks/heartbeat/NAME), not from inside a container; drop spec.container' },
  target: (hc) => `heartbeat every ${hc.period_seconds ?? '?'}s`,
  sentence: (hc) =>
    `a beat (vaictl heartbeat, POST /hooks/heartbeat/NAME${hc.path ? `, or touching ${hc.path}` : ''}) at least every ${hc.period_seconds ?? '?'}s + ${hc.grace_seconds ?? 0}s grace`,
  alertText: (hc) => `heartbeat every ${hc.period_seconds ?? '?'} s (+${hc.grace_seconds ?? 0} s grace)`,
};
