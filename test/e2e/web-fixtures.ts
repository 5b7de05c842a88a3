// Status documents for the web tests that run without a daemon: shaped as vaid writes them
// (they validate against schemas/status.schema.json; web-server.test.ts checks that).
import type { ServiceStatus, StatusDocument } from '../../src/status/schema.js';

const T0 = '2026-01-01T00:00:00.000Z';

export function serviceStatus(name: string, over: Partial<ServiceStatus> = {}): ServiceStatus {
  const now = new Date().toISOString();
  return {
    name,
    generation: 1,
    observedGeneration: 1,
    desired: 'Running',
    phase: 'Healthy',
    phaseSince: now,
    createdAt: T0,
    labels: { host: 'vps1' },
    source: { file: `manifests/${name}.yaml`, line: 1, column: 1 },
    conditions: [
      { type: 'Healthy', status: 'True', reason: 'CheckPassed', message: 'HTTP 200', lastTransitionTime: now, observedGeneration: 1 },
    ],
    restarts: { count: 0, lastAt: null, lastReason: null },
    lastCheck: { at: now, health: 'healthy', reason: 'CheckPassed', latencyMs: 3.2, message: 'HTTP 200 from http://127.0.0.1:9000/' },
    nextCheckAt: now,
    consecutiveFailures: 0,
    consecutiveSuccesses: 3,
    counters: { checks: 10, failedChecks: 1, recoveriesAttempted: 1, recoveriesSucceeded: 1 },
    backoff: { failures: [], delaySeconds: 0, nextAttemptAt: null, healthySince: now },
    recovery: null,
    incident: { seq: 0, open: false, notifiedFailure: false, notifiedCrashLoop: false, openedAt: null },
    events: [{ type: 'Normal', reason: 'Recovered', message: 'healthy again after restart', count: 2, firstTime: T0, lastTime: now }],
    ...over,
  };
}

export function statusDocument(services: ServiceStatus[], over: Partial<StatusDocument> = {}): StatusDocument {
  return {
    apiVersion: 'vai/v1',
    kind: 'Status',
    formatVersion: 1,
    vaid: { pid: process.pid, version: '0.1.0', startedAt: T0, hostname: 'vps1' },
    writtenAt: new Date().toISOString(),
    manifests: { dir: '/etc/vai/manifests', generation: 7, revision: { commit: 'abc123', dirty: false }, attemptedRevision: { commit: 'abc123', dirty: false }, appliedAt: T0, errors: [] },
    services: Object.fromEntries(services.map((s) => [s.name, s])),
    alerts: { outboxSize: 2, dropped: 1, recent: [] },
    ...over,
  };
}

/** A status source the way vaid offers one: current document plus change subscribers. */
export class StatusFeed {
  private subs = new Set<(d: StatusDocument) => void>();
  constructor(public doc: StatusDocument) {}
  getStatus = (): StatusDocument => this.doc;
  subscribe = (cb: (d: StatusDocument) => void): (() => void) => {
    this.subs.add(cb);
    return () => this.subs.delete(cb);
  };
  set(doc: StatusDocument): void {
    this.doc = doc;
    for (const cb of this.subs) cb(doc);
  }
  get subscribers(): number {
    return this.subs.size;
  }
}
