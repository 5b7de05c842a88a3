// The seed's notify.sh levels and the ntfy priorities they map to (ntfy: 5 max/urgent .. 1 min).
import type { AlertKind } from './types.js';

export const LEVELS = { CRITICAL: 5, HIGH: 4, ERROR: 4, WARNING: 3, INFO: 2, DEBUG: 1 } as const;
export type Level = keyof typeof LEVELS;

/** The seed sends CRITICAL for failures; a resolve notice is good news, so it stays quiet. */
export const KIND_LEVEL: Record<AlertKind, Level> = {
  'recovery-failed': 'CRITICAL',
  'crash-loop': 'CRITICAL',
  reminder: 'HIGH',
  recovered: 'INFO',
  'rolled-back': 'WARNING',
  // The applied commit keeps running: nothing broke, a change did not arrive.
  'source-failed': 'WARNING',
  flapping: 'WARNING',
  'flapping-resolved': 'INFO',
  self: 'HIGH',
  'self-resolved': 'INFO',
  // Days before anything fails: worth a look, not a wake-up.
  notice: 'WARNING',
};

export function levelOf(kind: AlertKind): { level: Level; priority: number } {
  const level = KIND_LEVEL[kind];
  return { level, priority: LEVELS[level] };
}

/** The seed's notify.sh event codes, kept for scripts that filter on them. */
export const KIND_CODE: Record<AlertKind, string> = {
  'recovery-failed': 'SERVICE-RECOVERY-FAILED',
  'crash-loop': 'SERVICE-CRASH-LOOP',
  reminder: 'SERVICE-STILL-FAILING',
  recovered: 'SERVICE-RECOVERED',
  'rolled-back': 'SERVICE-ROLLED-BACK',
  'source-failed': 'SOURCE-FAILED',
  flapping: 'SERVICE-FLAPPING',
  'flapping-resolved': 'SERVICE-STABLE',
  self: 'VAI-SELF-FAILURE',
  'self-resolved': 'VAI-SELF-RESOLVED',
  notice: 'SERVICE-WARNING',
};
