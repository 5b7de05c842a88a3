// The command sink: `bash -c COMMAND` in its own process group, the notification as VAI_*
// environment variables and as JSON on stdin. Past the timeout the whole group gets SIGTERM,
// then SIGKILL. Exit 0 is delivered; 126/127 (cannot run) is final; anything else is retried.
import { spawn } from 'node:child_process';
import type { Notification } from '../notification.js';
import { webhookPayload } from './webhook.js';
import type { DeliveryOutcome } from './outcome.js';
import { defineSink, type RouteBase } from './sink.js';

const KILL_GRACE_MS = 2000;
const MAX_OUTPUT = 2048;

export function commandEnv(n: Notification, base: NodeJS.ProcessEnv, withhold: readonly string[], key: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base };
  for (const name of withhold) delete env[name];
  return {
    ...env,
    VAI_ALERT_ID: n.id,
    // The same on every attempt for this notification: a command that records it can skip a
    // repeat sent after vaid died while the first run was going on.
    VAI_IDEMPOTENCY_KEY: key,
    VAI_SERVICE: n.service,
    VAI_EVENT: n.kind,
    VAI_CODE: n.code,
    VAI_TITLE: n.title,
    VAI_PRIORITY: String(n.priority),
    VAI_LEVEL: n.level,
    VAI_TAGS: n.tags.join(','),
    VAI_MESSAGE: n.message,
    VAI_AT: n.at,
    VAI_ATTEMPT: String(n.attempt),
    VAI_DEPENDENTS: n.dependents.join(','),
    VAI_HOST: n.host,
  };
}

function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // The group is already gone.
  }
}

export function runCommandSink(
  n: Notification,
  command: string,
  opts: { env: NodeJS.ProcessEnv; withholdEnv: readonly string[]; key: string; timeoutMs: number; cwd?: string; signal?: AbortSignal },
): Promise<DeliveryOutcome> {
  return new Promise((resolve) => {
    // Node's stdio pipes are sockets, and Debian's bash sources ~/.bashrc when stdin is a
    // socket (its rsh/ssh heuristic): --norc keeps a slow or noisy rc file out of alerts.
    const child = spawn('bash', ['--norc', '--noprofile', '-c', command], {
      detached: true,
      stdio: ['pipe', 'pipe', 'pipe'],
      env: commandEnv(n, opts.env, opts.withholdEnv, opts.key),
      cwd: opts.cwd ?? '/',
    });
    let output = '';
    const keep = (c: Buffer) => {
      output = (output + c.toString('utf8')).slice(-MAX_OUTPUT);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    let timedOut = false;
    let killTimer: NodeJS.Timeout | undefined;
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child.pid, 'SIGTERM');
      killTimer = setTimeout(() => killGroup(child.pid, 'SIGKILL'), KILL_GRACE_MS);
    }, opts.timeoutMs);
    let aborted = false;
    const onAbort = () => {
      aborted = true;
      killGroup(child.pid, 'SIGKILL');
    };
    if (opts.signal?.aborted) onAbort();
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    child.on('error', (e) => {
      opts.signal?.removeEventListener('abort', onAbort);
      clearTimeout(timer);
      clearTimeout(killTimer);
      resolve({ type: 'retry', reason: `cannot start bash: ${e.message}` });
    });
    child.on('close', (code, signal) => {
      opts.signal?.removeEventListener('abort', onAbort);
      clearTimeout(timer);
      clearTimeout(killTimer);
      // Whatever the command left behind in its group goes with it.
      killGroup(child.pid, 'SIGKILL');
      const said = output.trim().split('\n').slice(-3).join(' | ').slice(0, 300);
      const tail = said ? `: ${said}` : '';
      if (aborted) resolve({ type: 'retry', reason: 'aborted: the notifier is closing' });
      else if (timedOut) resolve({ type: 'retry', reason: `command timed out after ${opts.timeoutMs} ms${tail}` });
      else if (code === 0) resolve({ type: 'delivered', detail: 'exit 0' });
      else if (code === 126 || code === 127) resolve({ type: 'reject', reason: `command cannot run (exit ${code})${tail}` });
      else resolve({ type: 'retry', reason: `command ${code === null ? `killed by ${signal}` : `exit ${code}`}${tail}` });
    });
    child.stdin.on('error', () => {
      // A command that does not read stdin closes the pipe early; that is fine.
    });
    child.stdin.end(`${webhookPayload(n, 'command')}\n`);
  });
}

export interface CommandRoute extends RouteBase {
  sink: 'command';
  notifier: string;
  command: string;
}

export const commandSink = defineSink<CommandRoute>({
  type: 'command',
  resolve: (n) => (n.spec.command ? { ok: true, route: { sink: 'command', notifier: n.name, command: n.spec.command } } : { ok: false, error: `Notifier "${n.name}" (command) has no command` }),
  target: (r) => r.notifier,
  secretEnv: () => [],
  urls: () => [],
  withUrls: (r) => ({ ...r }),
  send: (n, r, ctx) => runCommandSink(n, r.command, { env: ctx.env, withholdEnv: ctx.secretEnvNames, key: ctx.key, timeoutMs: ctx.timeoutMs, signal: ctx.signal }),
  cannotAsk: 'a command cannot be asked; it can skip the repeat by VAI_IDEMPOTENCY_KEY',
});
