// The custom check: `bash -c COMMAND` in the manifest's directory; exit 0 is healthy, and the
// last lines of its output explain a failure. Anything it leaves in its group is killed.
import type { ServiceTarget, CheckResult } from '../types.js';
import { commandEnv } from '../command-env.js';
import { runCommand } from '../command-runner.js';
import { OutputTail } from '../output-tail.js';
import { checkResultOf } from '../outcome.js';

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
  return checkResultOf({ ...o, timeoutMs, lines: tail.lastLines(3) });
}
