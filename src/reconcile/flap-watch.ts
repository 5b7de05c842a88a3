// The planner's flapping step: it keeps the service's recovered restarts (within the window)
// in status and asks the pure rule (notify/flapping.ts) whether a Flapping incident opens or
// resolves now. The alert ids come from times kept in status (the restart that crossed the
// threshold), so a vaid killed between submitting and recording decides the same id again and
// the notifier drops the repeat: one Flapping and one resolve notice per incident.
import type { ServiceStatus } from '../status/schema.js';
import { decideFlapping, flappingMessage, stableMessage, type FlapPolicy, type Restart } from '../notify/flapping.js';

type FlapState = NonNullable<ServiceStatus['flapping']>;

export interface FlapNotice {
  kind: 'flapping' | 'flapping-resolved';
  id: string;
  message: string;
}

const MAX_CAUSE = 400;

/**
 * `recovered`: the restart that just recovered the service (null on any other plan). Returns
 * the flapping state to record (undefined: nothing to keep) and the notice to send, if any.
 */
export function flapStep(name: string, prev: FlapState | undefined, recovered: Restart | null, now: number, policy: FlapPolicy): { state: FlapState | undefined; notice: FlapNotice | null } {
  const windowMs = policy.windowSeconds * 1000;
  let restarts: Restart[] = (prev?.restarts ?? []).map((r) => ({ at: Date.parse(r.at), cause: r.cause }));
  if (recovered && !restarts.some((r) => r.at === recovered.at)) restarts.push({ at: recovered.at, cause: recovered.cause.slice(0, MAX_CAUSE) });
  restarts = restarts.filter((r) => r.at > now - windowMs).slice(-200);
  let openSince = prev?.openSince ? Date.parse(prev.openSince) : null;
  const d = decideFlapping(restarts, openSince, now, policy);
  let notice: FlapNotice | null = null;
  if (d.type === 'open') {
    openSince = d.restarts[d.restarts.length - 1]!.at;
    notice = { kind: 'flapping', id: `${name}:flapping:${openSince}`, message: flappingMessage(name, d.restarts, policy) };
  } else if (d.type === 'resolve' && openSince !== null) {
    notice = { kind: 'flapping-resolved', id: `${name}:flapping-resolved:${openSince}`, message: stableMessage(name, d.stableSince, policy) };
    openSince = null;
  }
  if (restarts.length === 0 && openSince === null) return { state: undefined, notice };
  return { state: { restarts: restarts.map((r) => ({ at: new Date(r.at).toISOString(), cause: r.cause })), openSince: openSince === null ? null : new Date(openSince).toISOString() }, notice };
}
