// Dependency wake-ups: which dependents of a service that just turned healthy may proceed now.
// A decision, so it lives beside the planner and is pure; the trigger source (host-reconcile.ts)
// only adds the keys it names.
import type { ServiceStatus } from '../status/schema.js';
import { dependencyReadiness, type DependencyState } from './planner.js';

/** A dependent as the world sees it now: its recorded status and the states of its dependencies. */
export interface Dependent {
  name: string;
  status: Pick<ServiceStatus, 'phase'> | null;
  dependencies: readonly DependencyState[];
}

/**
 * Dependents waiting on a dependency whose dependencies are now all ready. One still waiting on
 * another dependency (disabled, stopped, crash-looping) is left to its interval: waking it after
 * every check of each healthy dependency would be busy polling.
 */
export function dependentsToWake(dependents: readonly Dependent[]): string[] {
  return dependents.filter((d) => d.status?.phase === 'WaitingForDependency' && dependencyReadiness(d.dependencies, null).length === 0).map((d) => d.name);
}
