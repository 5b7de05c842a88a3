// Kubernetes condition semantics (apimachinery meta.SetStatusCondition): lastTransitionTime
// changes only when the status flips; reason, message and observedGeneration update in place.
import type { Condition } from './schema.js';

export type ConditionType = 'Healthy' | 'DependenciesReady' | 'Recovering' | 'BackOff' | 'ManuallyStopped' | 'PidFile' | 'Maintenance';
export type ConditionStatus = Condition['status'];

export interface ConditionUpdate {
  type: ConditionType;
  status: ConditionStatus;
  reason: string;
  message: string;
}

/**
 * Returns a new list with the condition set; other conditions are kept as they are. When the
 * condition already holds as the update would set it, the list itself comes back: the status
 * store then reuses its JSON instead of serialising an equal copy (most checks change nothing).
 */
export function setCondition(conditions: Condition[], update: ConditionUpdate, now: string, generation: number): Condition[] {
  const held = conditions.find((c) => c.type === update.type);
  if (held && held.status === update.status && held.reason === update.reason && held.message === update.message && held.observedGeneration === generation) return conditions;
  const out: Condition[] = [];
  let found = false;
  for (const c of conditions) {
    if (c.type !== update.type) {
      out.push(c);
      continue;
    }
    found = true;
    out.push({
      type: c.type,
      status: update.status,
      reason: update.reason,
      message: update.message,
      lastTransitionTime: c.status === update.status ? c.lastTransitionTime : now,
      observedGeneration: generation,
    });
  }
  // Spelled out, not spread: V8 gave most spread copies a map of their own (~1 KB each, 40,000
  // of them at 10,000 services in a heap snapshot); literals of one shape share one.
  if (!found) out.push({ type: update.type, status: update.status, reason: update.reason, message: update.message, lastTransitionTime: now, observedGeneration: generation });
  return out;
}

export function findCondition(conditions: readonly Condition[], type: ConditionType): Condition | undefined {
  return conditions.find((c) => c.type === type);
}

export function isConditionTrue(conditions: readonly Condition[], type: ConditionType): boolean {
  return findCondition(conditions, type)?.status === 'True';
}
