// Which dependents of a service that just turned healthy are woken: only those waiting on a
// dependency whose dependencies are now all ready.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dependentsToWake, type Dependent } from '../../../src/reconcile/dependency-wakeups.js';
import type { DependencyState } from '../../../src/reconcile/planner.js';
import type { ServiceStatus } from '../../../src/status/schema.js';

const at = new Date(Date.UTC(2026, 0, 1)).toISOString();
function dep(name: string, phase: ServiceStatus['phase'], health: 'healthy' | 'unhealthy' = phase === 'Healthy' ? 'healthy' : 'unhealthy'): DependencyState {
  return { name, status: { name, phase, phaseSince: at, backoff: { failures: [], delaySeconds: 10, nextAttemptAt: at, healthySince: null }, lastCheck: { at, health, reason: 'x', message: 'x', latencyMs: 1 } } as Partial<ServiceStatus> as ServiceStatus };
}
const waiting = (name: string, ...dependencies: DependencyState[]): Dependent => ({ name, status: { phase: 'WaitingForDependency' }, dependencies });

const rows: Array<[string, Dependent[], string[]]> = [
  ['db healed: api waiting only on db wakes', [waiting('api', dep('db', 'Healthy'))], ['api']],
  ['api still waits on a crash-looping cache: left to its interval', [waiting('api', dep('db', 'Healthy'), dep('cache', 'CrashLoopBackOff'))], []],
  ['api waits on a stopped dependency: not woken', [waiting('api', dep('db', 'Healthy'), dep('queue', 'Stopped'))], []],
  ['api waits on one never checked: not woken', [waiting('api', dep('db', 'Healthy'), { name: 'new', status: null })], []],
  ['a healthy dependent is not waiting: not woken', [{ name: 'web', status: { phase: 'Healthy' }, dependencies: [dep('db', 'Healthy')] }], []],
  ['a dependent with no status yet: first checks bring it', [{ name: 'web', status: null, dependencies: [dep('db', 'Healthy')] }], []],
  ['two waiting, one ready: only the ready one, in order', [waiting('api', dep('db', 'Healthy')), waiting('worker', dep('db', 'Healthy'), dep('mq', 'Degraded')), waiting('web', dep('db', 'Healthy'))], ['api', 'web']],
];

for (const [name, dependents, woken] of rows) {
  test(name, () => assert.deepEqual(dependentsToWake(dependents), woken));
}
