// The custom check: `bash -c COMMAND` in the manifest's directory; exit 0 is healthy, and the
// last lines of its output explain a failure. Anything it leaves in its group is killed.
import type { ServiceTarget, CheckResult } from '../types.js';
import { commandEnv, serviceVars } from '../command-env.js';
import { runCommand } from '../command-runner.js';
import { OutputTail } from '../output-tail.js';
import { checkResultOf } from '../outcome.js';
import { runWrapped } from '../docker-exec.js';
import { unknown } from '../container-probe.js';
import type { CheckType, TypeBuilder } from './check-type.js';
import { redactCommand, truncate } from './words.js';

export const CHECK_KILL_GRACE_MS = 1000;

export async function customCheck(target: ServiceTarget, logPath: string, signal?: AbortSignal): Promise<CheckResult> {
  const hc = target.spec.health_check;
  const tail = new OutputTail();
  const timeoutMs = hc.timeout_seconds * 1000;
  const o = await runCommand({
    command: hc.command ?? 'false',
    cwd: target.workingDir,
    env: commandEnv(target, 'check', logPath),
    timeoutMs,
    graceMs: CHECK_KILL_GRACE_MS,
    output: { kind: 'capture', tail },
    killGroupOnExit: true,
    signal,
  });
  const r = checkResultOf({ ...o, timeoutMs, lines: tail.lastLines(3) });
  return o.cwdFallback ? { ...r, message: `${r.message} (ran in ${o.cwdFallback.used}: ${o.cwdFallback.wanted} does not exist)` } : r;
}

export const CUSTOM_FIELDS = (Type: TypeBuilder) => ({
  command: Type.Optional(Type.String({ minLength: 1, maxLength: 65536, description: 'custom: run with bash -c; exit 0 is healthy.' })),
});

export const CUSTOM: CheckType<'custom', ReturnType<typeof CUSTOM_FIELDS>> = {
  type: 'custom',
  summary: 'custom: bash -c command exits 0',
  fields: CUSTOM_FIELDS,
  required: ['command'],
  host: ({ target, logPath, signal }) => customCheck(target, logPath, signal),
  container: async ({ target, hc, container, engine, signal }) => {
    const timeoutMs = hc.timeout_seconds * 1000;
    const o = await runWrapped(
      engine,
      container,
      {
        command: hc.command ?? 'false',
        env: serviceVars(target, 'check', target.spec.log_path ?? ''),
        timeoutMs,
        graceMs: CHECK_KILL_GRACE_MS,
        posixSh: false,
        killGroupOnExit: true,
        outPath: '',
        keep: 'tail',
      },
      signal,
    );
    if (o.kind === 'failed') return unknown(o.reason, o.message, o.durationMs);
    const tail = new OutputTail();
    tail.push(o.stdout);
    tail.push(o.stderr);
    return checkResultOf({
      exitCode: o.timedOut ? null : o.exitCode,
      signal: null,
      timedOut: o.timedOut,
      aborted: false,
      durationMs: o.durationMs,
      timeoutMs,
      spawnError: null,
      lines: tail.lastLines(3),
    });
  },
  target: (hc) => `custom ${truncate(redactCommand(hc.command ?? ''), 40)}`,
  sentence: (hc) => `command \`${redactCommand(hc.command ?? '')}\` exits 0`,
  alertText: (hc) => `custom command: ${redactCommand(hc.command ?? '')}`,
};
