// Prometheus metrics computed from the status document at scrape time, so /metrics can never
// disagree with /api/status. The check latency histogram is the one metric with memory: it is
// fed from status changes (`observe`), so checks between two coalesced status writes are not
// counted; vai_service_last_check_latency_seconds is always exact.
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { PHASES, type StatusDocument } from '../status/schema.js';

// Few buckets on purpose: each is one series per service, and /metrics with 1,000 services
// must stay cheap to render and scrape.
export const LATENCY_BUCKETS = [0.001, 0.005, 0.025, 0.1, 0.5, 1, 5];

export interface StatusMetrics {
  registry: Registry;
  /** Text exposition of `doc` (and of the histogram fed so far) through `registry` or one merged from it. */
  render(doc: StatusDocument, via?: Registry): Promise<string>;
  /** Feed a new status document: observes the latency of every check newer than the last one seen. */
  observe(doc: StatusDocument): void;
}

const epoch = (iso: string | null | undefined): number | undefined => {
  if (!iso) return undefined;
  const t = Date.parse(iso);
  return Number.isNaN(t) ? undefined : t / 1000;
};

export function createStatusMetrics(extra: { sseClients?: () => number } = {}): StatusMetrics {
  const registry = new Registry();
  let doc: StatusDocument | undefined;
  const services = () => Object.values(doc?.services ?? {});

  const gauge = (name: string, help: string, labelNames: string[], fill: (g: Gauge) => void) =>
    new Gauge({ name, help, labelNames, registers: [registry], collect() { this.reset(); fill(this); } });
  const counter = (name: string, help: string, pick: (s: StatusDocument['services'][string]) => number) =>
    new Counter({
      name, help, labelNames: ['service'], registers: [registry],
      collect() { this.reset(); for (const s of services()) this.inc({ service: s.name }, pick(s)); },
    });

  gauge('vai_service_up', '1 when the last health check passed, 0 when it failed, was unknown or has not run.', ['service'], (g) => {
    for (const s of services()) g.set({ service: s.name }, s.lastCheck?.health === 'healthy' ? 1 : 0);
  });
  gauge('vai_service_phase', 'Phase of the service as a state set: 1 for the current phase, 0 for the others.', ['service', 'phase'], (g) => {
    for (const s of services()) for (const p of PHASES) g.set({ service: s.name, phase: p }, s.phase === p ? 1 : 0);
  });
  gauge('vai_service_desired_running', '1 when the service should run (enabled and not manually stopped), 0 when stopped or disabled.', ['service'], (g) => {
    for (const s of services()) g.set({ service: s.name }, s.desired === 'Running' ? 1 : 0);
  });
  counter('vai_service_checks_total', 'Health checks run.', (s) => s.counters.checks);
  counter('vai_service_checks_failed_total', 'Health checks that did not pass.', (s) => s.counters.failedChecks);
  counter('vai_service_restarts_total', 'Restarts (restart_cmd runs) of the service.', (s) => s.restarts.count);
  counter('vai_service_recoveries_attempted_total', 'Recovery attempts started.', (s) => s.counters.recoveriesAttempted);
  counter('vai_service_recoveries_succeeded_total', 'Recovery attempts verified healthy before their deadline.', (s) => s.counters.recoveriesSucceeded);
  gauge('vai_service_consecutive_failures', 'Failed checks in a row.', ['service'], (g) => {
    for (const s of services()) g.set({ service: s.name }, s.consecutiveFailures);
  });
  gauge('vai_service_last_check_timestamp_seconds', 'Unix time of the last health check.', ['service'], (g) => {
    for (const s of services()) { const t = epoch(s.lastCheck?.at); if (t !== undefined) g.set({ service: s.name }, t); }
  });
  gauge('vai_service_last_check_latency_seconds', 'Latency of the last health check.', ['service'], (g) => {
    for (const s of services()) if (s.lastCheck) g.set({ service: s.name }, s.lastCheck.latencyMs / 1000);
  });
  gauge('vai_service_backoff_delay_seconds', 'Current CrashLoopBackOff delay (0 when not backing off).', ['service'], (g) => {
    for (const s of services()) g.set({ service: s.name }, s.backoff.delaySeconds);
  });
  gauge('vai_service_backoff_next_attempt_timestamp_seconds', 'Unix time of the next recovery attempt while backing off.', ['service'], (g) => {
    for (const s of services()) { const t = epoch(s.backoff.nextAttemptAt); if (t !== undefined) g.set({ service: s.name }, t); }
  });
  const latency = new Histogram({
    name: 'vai_service_check_latency_seconds',
    help: 'Health check latency, sampled from status changes (checks between two coalesced status writes are not counted).',
    labelNames: ['service'], buckets: LATENCY_BUCKETS, registers: [registry],
  });

  const single = (name: string, help: string, value: (d: StatusDocument) => number | undefined) =>
    gauge(name, help, [], (g) => { const v = doc && value(doc); if (v !== undefined) g.set(v); });
  single('vai_manifest_generation', 'Generation of the applied desired state.', (d) => d.manifests.generation);
  single('vai_manifest_errors', 'Manifest problems in the last load attempt (services of failing files keep their last good spec).', (d) => d.manifests.errors.length);
  single('vai_manifest_applied_timestamp_seconds', 'Unix time the desired state was last applied.', (d) => epoch(d.manifests.appliedAt));
  single('vai_manifest_revision_dirty', '1 when the manifest work tree had uncommitted changes.', (d) => (d.manifests.revision ? Number(d.manifests.revision.dirty) : undefined));
  single('vai_alerts_outbox_size', 'Notifications waiting in the durable outbox.', (d) => d.alerts.outboxSize);
  new Counter({
    name: 'vai_alerts_dropped_total', help: 'Notifications dropped because the outbox was full.', registers: [registry],
    collect() { this.reset(); if (doc) this.inc(doc.alerts.dropped); },
  });
  single('vai_status_written_timestamp_seconds', 'Unix time of the last status write.', (d) => epoch(d.writtenAt));
  single('vaid_start_time_seconds', 'Unix time vaid started.', (d) => epoch(d.vaid.startedAt));
  gauge('vai_build_info', 'vaid version and host, always 1.', ['version', 'hostname'], (g) => {
    if (doc) g.set({ version: doc.vaid.version, hostname: doc.vaid.hostname }, 1);
  });
  if (extra.sseClients) {
    const n = extra.sseClients;
    gauge('vai_web_event_stream_clients', 'Clients connected to /api/events.', [], (g) => g.set(n()));
  }

  const lastSeen = new Map<string, string>();
  return {
    registry,
    async render(d, via = registry) {
      // Kept after the scrape: a concurrent scrape then reads a whole document, never none.
      doc = d;
      return via.metrics();
    },
    observe(d) {
      for (const s of Object.values(d.services)) {
        const c = s.lastCheck;
        if (!c || lastSeen.get(s.name) === c.at) continue;
        lastSeen.set(s.name, c.at);
        latency.observe({ service: s.name }, c.latencyMs / 1000);
      }
      for (const name of [...lastSeen.keys()]) {
        if (!(name in d.services)) { lastSeen.delete(name); latency.remove({ service: name }); }
      }
    },
  };
}
