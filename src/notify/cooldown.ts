// Cooldown per (service, alert kind): at most one notification of a kind for a service within
// the Notifier's cooldown_seconds (default 900 s, as the seed's central cooldown). Pure.
import type { AlertKind } from './types.js';

export function cooldownKey(service: string, kind: AlertKind): string {
  return `${service}:${kind}`;
}

export type CooldownDecision = { allowed: true } | { allowed: false; until: number };

export function checkCooldown(lastSentAt: number | undefined, cooldownSeconds: number, now: number): CooldownDecision {
  if (lastSentAt === undefined || cooldownSeconds <= 0) return { allowed: true };
  const until = lastSentAt + cooldownSeconds * 1000;
  // A clock that went backwards must not mute alerts for longer than one cooldown.
  if (now >= until || now < lastSentAt) return { allowed: true };
  return { allowed: false, until };
}
