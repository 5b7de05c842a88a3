// PortInUse evidence: which process listens on the check's loopback port, from the listener
// table vai already reads to watch services (executor/listener-process.ts), with its command
// line and start time. A lookup on a failure path, never per check.
import type { ServiceTarget } from '../executor/types.js';
import { DIAGNOSIS_FRESH_MS, findListenerProcesses, loopbackPortOf } from '../executor/listener-process.js';
import { commandLine, startedAtMs } from '../executor/stop-escalation.js';
import type { ListenerSighting } from './observation.js';
import { redactFreeText } from '../core/redact.js';

/** undefined: the check has no loopback port to look at; null: nothing listens there. */
export async function listenerSighting(target: ServiceTarget): Promise<ListenerSighting | null | undefined> {
  const port = loopbackPortOf(target.spec.health_check);
  if (typeof port === 'string' || target.spec.container) return undefined;
  const found = (await findListenerProcesses([{ name: target.name, check: target.spec.health_check }], '/proc', { freshEnoughMs: DIAGNOSIS_FRESH_MS })).get(target.name);
  if (!found) return undefined;
  if (found.kind === 'none') return /^nothing listens/.test(found.reason) ? null : undefined;
  const p = found.process;
  return { pid: p.pid, command: redactFreeText(commandLine(p.pid)), startedAtMs: startedAtMs(p), port: p.what.replace(/^listener on /, '') };
}
