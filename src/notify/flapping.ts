// Flapping: a service restarted `restarts` times within `windowSeconds` although each restart
// recovered it (default 5 in 1 h). Every recovery succeeding means no failure alert at all, so
// without this a service that crashes every ten minutes never reaches a person. Pure: given the
// recent successful restarts and the incident already open (if any), it says whether one opens
// now, stays open, or resolves (stable for a whole window since the last restart).
export interface FlapPolicy {
  restarts: number;
  windowSeconds: number;
}

export const DEFAULT_FLAP_POLICY: FlapPolicy = { restarts: 5, windowSeconds: 3600 };

/** The manifest's `flapping:` (on a service or a Notifier). */
export interface FlappingSpec {
  restarts: number;
  window_seconds: number;
}

/** The service's own setting wins over its Notifier's; neither: 5 in 1 h. */
export function flapPolicyOf(service: FlappingSpec | undefined, notifier: FlappingSpec | undefined): FlapPolicy {
  const s = service ?? notifier;
  return s ? { restarts: s.restarts, windowSeconds: s.window_seconds } : DEFAULT_FLAP_POLICY;
}

export interface Restart {
  /** Epoch ms of the restart. */
  at: number;
  /** Why it was restarted (the failed check's message or a Cause reason). */
  cause: string;
}

export type FlapDecision =
  | { type: 'open'; restarts: Restart[] }
  | { type: 'still-flapping' }
  | { type: 'resolve'; stableSince: number }
  | { type: 'quiet' };

/**
 * `restarts`: successful restarts of one service, oldest first (bounded by the caller to the
 * window). `openSince`: when the current flapping incident opened, or null. One incident, one
 * `open`: further restarts while it is open are `still-flapping`, never a second alert.
 */
export function decideFlapping(restarts: readonly Restart[], openSince: number | null, now: number, policy: FlapPolicy = DEFAULT_FLAP_POLICY): FlapDecision {
  const windowMs = policy.windowSeconds * 1000;
  const recent = restarts.filter((r) => r.at > now - windowMs && r.at <= now);
  if (openSince !== null) {
    const last = restarts.length > 0 ? Math.max(restarts[restarts.length - 1]!.at, openSince) : openSince;
    return now - last >= windowMs ? { type: 'resolve', stableSince: last } : { type: 'still-flapping' };
  }
  if (policy.restarts > 0 && recent.length >= policy.restarts) return { type: 'open', restarts: recent.slice(-policy.restarts * 2) };
  return { type: 'quiet' };
}

function windowText(policy: FlapPolicy): string {
  const s = policy.windowSeconds;
  return s >= 3600 && s % 3600 === 0 ? `${s / 3600} h` : s >= 60 && s % 60 === 0 ? `${s / 60} min` : `${s} s`;
}

/** The alert text: each restart's time and cause, one a line. */
export function flappingMessage(service: string, restarts: readonly Restart[], policy: FlapPolicy): string {
  const lines = restarts.map((r) => `  ${new Date(r.at).toISOString()}  ${r.cause}`);
  return `${service} was restarted ${restarts.length} times within ${windowText(policy)}, each time recovering:\n${lines.join('\n')}`;
}

/** The resolve text: stable for a whole window since the last restart. */
export function stableMessage(service: string, stableSince: number, policy: FlapPolicy): string {
  return `${service} has not been restarted for ${windowText(policy)} (last restart ${new Date(stableSince).toISOString()})`;
}
