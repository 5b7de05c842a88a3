// What a command learns of its service arrives as environment variables, never spliced into
// the command text: a name or path can then never become shell syntax.
import type { ServiceTarget } from './types.js';

export type Action = 'check' | 'stop' | 'restart';

/** vaid's own environment minus vai's variables (they may hold notifier tokens), plus the service's. */
export function commandEnv(target: ServiceTarget, action: Action, logPath: string, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(base)) if (!k.startsWith('VAI_')) env[k] = v;
  return { ...env, ...serviceVars(target, action, logPath) };
}

/** The VAI_* variables alone, for places (docker exec) that do not inherit vaid's environment. */
export function serviceVars(target: ServiceTarget, action: Action, logPath: string): Record<string, string> {
  const { spec } = target;
  return {
    VAI_SERVICE: target.name,
    VAI_ACTION: action,
    VAI_CONTAINER: spec.container ?? '',
    VAI_LOG_PATH: logPath,
    VAI_CHECK_TYPE: spec.health_check.type,
    VAI_PID_FILE: spec.pid_file ?? '',
  };
}
