// One script run inside a container through the Engine API (create exec, start it attached,
// demultiplex its output), bounded in time and memory. The script text is a constant of
// docker-scripts.ts; all values travel in `env`.
import { performance } from 'node:perf_hooks';
import { classifyDockerError, type DockerFailure } from './docker-errors.js';
import { WRAPPER } from './docker-scripts.js';
import type { AttachStream, EngineClient } from './engine-client.js';

export interface WrappedRun {
  /** What the wrapper runs with bash/sh -c. */
  command: string;
  env: Record<string, string>;
  timeoutMs: number;
  graceMs: number;
  /** Force sh (vai's own probes are POSIX sh); else bash when the container has it. */
  posixSh: boolean;
  killGroupOnExit: boolean;
  /** Log file inside the container for the command's output; '' captures and returns it. */
  outPath: string;
  /** Captured stdout: keep its beginning (a raw HTTP response) or its end (a command's last lines). */
  keep: 'head' | 'tail';
}

export type WrappedOutcome =
  | {
      kind: 'done';
      exitCode: number | null;
      timedOut: boolean;
      shell: string;
      /** false when the container had no writable temp dir to capture output. */
      captured: boolean;
      stdout: Buffer;
      stderr: Buffer;
      durationMs: number;
    }
  | ({ kind: 'failed'; durationMs: number } & DockerFailure);

const MAX_CAPTURE = 96 * 1024;
// Beyond the script's own timeout and grace: an engine slower than this counts as unavailable.
const ENGINE_SLACK_MS = 15_000;
const CONTROL = /vai-exec rc=(\d+) timeout=([01]) shell=(\S+) tmp=([01])\s*$/;

export async function runWrapped(engine: EngineClient, container: string, run: WrappedRun, signal?: AbortSignal): Promise<WrappedOutcome> {
  const started = performance.now();
  const env = {
    ...run.env,
    VAI_CMD: run.command,
    VAI_TIMEOUT: secs(run.timeoutMs),
    VAI_GRACE: secs(run.graceMs),
    VAI_SH: run.posixSh ? 'sh' : 'bash',
    VAI_KILL_ON_EXIT: run.killGroupOnExit ? '1' : '0',
    VAI_OUT: run.outPath,
    VAI_PRINT: run.keep,
  };
  const bound = run.timeoutMs + run.graceMs + ENGINE_SLACK_MS;
  try {
    const { Id: id } = await engine.json<{ Id: string }>('POST', `/containers/${encodeURIComponent(container)}/exec`, {
      Cmd: ['sh', '-c', WRAPPER],
      Env: Object.entries(env).map(([k, v]) => `${k}=${v}`),
      AttachStdout: true,
      AttachStderr: true,
      AttachStdin: false,
      Tty: false,
    });
    const stream = await engine.startExec(id);
    const { stdout, stderr, ended } = await collect(stream, bound, signal);
    if (!ended) {
      return { kind: 'failed', reason: 'ExecutorUnavailable', message: `docker exec in ${container} did not finish within ${Math.round(bound / 1000)} s`, durationMs: performance.now() - started };
    }
    const errText = stderr.toString('utf8');
    const m = CONTROL.exec(errText);
    if (!m) {
      // The wrapper never ran to its end: no sh in the image, or the exec was refused.
      const info = await engine.json<{ ExitCode: number | null }>('GET', `/exec/${encodeURIComponent(id)}/json`).catch(() => null);
      const why = oneLineOf(errText || stdout.toString('utf8')) || `exit ${info?.ExitCode ?? '?'}`;
      return { kind: 'failed', reason: 'ExecutorUnavailable', message: `cannot run sh in container ${container}: ${why}`, durationMs: performance.now() - started };
    }
    return {
      kind: 'done',
      exitCode: Number(m[1]),
      timedOut: m[2] === '1',
      shell: m[3]!,
      captured: m[4] === '1',
      stdout,
      stderr: Buffer.from(errText.slice(0, m.index)),
      durationMs: performance.now() - started,
    };
  } catch (e) {
    return { kind: 'failed', ...classifyDockerError(e, container), durationMs: performance.now() - started };
  }
}

function collect(
  stream: AttachStream,
  boundMs: number,
  signal?: AbortSignal,
): Promise<{ stdout: Buffer; stderr: Buffer; ended: boolean }> {
  return new Promise((resolve) => {
    const out = new Bounded();
    const err = new Bounded();
    const demux = new Demuxer(out, err);
    let done = false;
    const finish = (ended: boolean) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      stream.removeAllListeners('data');
      stream.destroy();
      resolve({ stdout: out.value(), stderr: err.value(), ended });
    };
    const onAbort = () => finish(false);
    const timer = setTimeout(() => finish(false), boundMs);
    signal?.addEventListener('abort', onAbort, { once: true });
    stream.on('data', (c: Buffer) => demux.push(c));
    stream.on('end', () => finish(true));
    stream.on('close', () => finish(true));
    stream.on('error', () => finish(false));
  });
}

/** Docker's multiplexed attach stream: frames of [type, 0, 0, 0, size32be] then size bytes. */
export class Demuxer {
  private pending: Buffer = Buffer.alloc(0);
  constructor(
    private readonly out: { push(c: Buffer): void },
    private readonly err: { push(c: Buffer): void },
  ) {}
  push(chunk: Buffer): void {
    let buf = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    while (buf.length >= 8) {
      const size = buf.readUInt32BE(4);
      if (buf.length < 8 + size) break;
      const payload = buf.subarray(8, 8 + size);
      (buf[0] === 2 ? this.err : this.out).push(payload);
      buf = buf.subarray(8 + size);
    }
    this.pending = buf;
  }
}

class Bounded {
  private parts: Buffer[] = [];
  private size = 0;
  push(c: Buffer): void {
    if (this.size >= MAX_CAPTURE) return;
    this.parts.push(c);
    this.size += c.length;
  }
  value(): Buffer {
    return Buffer.concat(this.parts);
  }
}

function secs(ms: number): string {
  return (Math.max(ms, 10) / 1000).toFixed(3).replace(/\.?0+$/, '');
}

function oneLineOf(text: string): string {
  return text.trim().split(/\r?\n/).slice(-2).join(' | ').slice(0, 200);
}
