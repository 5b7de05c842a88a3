// Prometheus metrics computed from the status document at scrape time, so /metrics can never
// disagree with /api/status. The per-service series are written here directly in the text
// exposition format: through prom-client's metric objects they cost 2.2 s of CPU and 11 s of
// wall time per scrape at 10,000 services on the development box, about ten times this. prom-client
// still carries what is not per service (the event-stream gauge, the daemon's metrics and
// process metrics, merged in by the server) and sets the content type.
//
// The check latency histogram is the one metric with memory: it is fed from status changes
// (`observe`), so checks between two coalesced status writes are not counted;
// vai_service_last_check_latency_seconds is always exact.
import { Gauge, Registry } from 'prom-client';
import type { ServiceStatus, StatusDocument } from '../status/schema.js';
import { PHASES } from '../status/phases.js';

// Few buckets on purpose: each is one series per service.
export const LATENCY_BUCKETS = [0.001, 0.005, 0.025, 0.1, 0.5, 1, 5];

export interface StatusMetrics {
  /** prom-client registry for the metrics that are not derived per service. */
  registry: Registry;
  /** Text exposition of `doc`, the histogram fed so far, and `via` (this registry or one merged from it). */
  render(doc: StatusDocument, via?: Registry): Promise<string>;
  /** Feed a new status document: observes the latency of every check newer than the last one seen. */
  observe(doc: StatusDocument): void;
}

type Value = number | undefined;
interface Family {
  name: string;
  help: string;
  type: 'gauge' | 'counter';
  /** One or more samples for a service: [extra labels, value]; undefined values are left out. */
  samples(s: ServiceStatus): Array<[string, Value]>;
}

const epoch = (iso: string | null | undefined): Value => {
  if (!iso) return undefined;
  const t = Date.parse(iso);
  return Number.isNaN(t) ? undefined : t / 1000;
};
const one = (v: Value): Array<[string, Value]> => [['', v]];

const SERVICE_FAMILIES: Family[] = [
  { name: 'vai_service_up', type: 'gauge', help: '1 when the last health check passed, 0 when it failed, was unknown or has not run.', samples: (s) => one(s.lastCheck?.health === 'healthy' ? 1 : 0) },
  { name: 'vai_service_phase', type: 'gauge', help: 'Phase of the service as a state set: 1 for the current phase, 0 for the others.', samples: (s) => PHASES.map((p) => [`,phase="${p}"`, s.phase === p ? 1 : 0]) },
  { name: 'vai_service_desired_running', type: 'gauge', help: '1 when the service should run (enabled and not manually stopped), 0 when stopped or disabled.', samples: (s) => one(s.desired === 'Running' ? 1 : 0) },
  { name: 'vai_service_checks_total', type: 'counter', help: 'Health checks run.', samples: (s) => one(s.counters.checks) },
  { name: 'vai_service_checks_failed_total', type: 'counter', help: 'Health checks that did not pass.', samples: (s) => one(s.counters.failedChecks) },
  { name: 'vai_service_restarts_total', type: 'counter', help: 'Restarts (restart_cmd runs) of the service.', samples: (s) => one(s.restarts.count) },
  { name: 'vai_service_recoveries_attempted_total', type: 'counter', help: 'Recovery attempts started.', samples: (s) => one(s.counters.recoveriesAttempted) },
  { name: 'vai_service_recoveries_succeeded_total', type: 'counter', help: 'Recovery attempts verified healthy before their deadline.', samples: (s) => one(s.counters.recoveriesSucceeded) },
  {
    name: 'vai_service_failures_total',
    type: 'counter',
    help: 'Failures (a crash or hang, a failed recovery attempt) by the cause vai found (PortInUse, OOMKilled, DiskFull, CommandFailed, ...).',
    samples: (s) => Object.entries(s.failureCounts ?? {}).map(([cause, n]) => [`,cause="${escapeLabel(cause)}"`, n]),
  },
  { name: 'vai_service_consecutive_failures', type: 'gauge', help: 'Failed checks in a row.', samples: (s) => one(s.consecutiveFailures) },
  { name: 'vai_service_last_check_timestamp_seconds', type: 'gauge', help: 'Unix time of the last health check.', samples: (s) => one(epoch(s.lastCheck?.at)) },
  { name: 'vai_service_last_check_latency_seconds', type: 'gauge', help: 'Latency of the last health check.', samples: (s) => one(s.lastCheck ? s.lastCheck.latencyMs / 1000 : undefined) },
  { name: 'vai_service_backoff_delay_seconds', type: 'gauge', help: 'Current CrashLoopBackOff delay (0 when not backing off).', samples: (s) => one(s.backoff.delaySeconds) },
  // spec.limits: the process tree the last check measured (absent while vai cannot find it).
  { name: 'vai_service_memory_bytes', type: 'gauge', help: 'RSS of the service\'s whole process tree at the last check (services with limits whose process vai knows).', samples: (s) => one(s.lastCheck?.usage?.rssBytes) },
  {
    name: 'vai_service_cpu_seconds_total',
    type: 'counter',
    help: 'CPU time of the service\'s whole process tree (and the children it waited for) at the last check; resets when the process is replaced.',
    samples: (s) => one(s.lastCheck?.usage?.cpuSeconds),
  },
  { name: 'vai_service_backoff_next_attempt_timestamp_seconds', type: 'gauge', help: 'Unix time of the next recovery attempt while backing off.', samples: (s) => one(epoch(s.backoff.nextAttemptAt)) },
  { name: 'vai_service_silenced', type: 'gauge', help: '1 while a maintenance window or an ad-hoc silence mutes the service\'s alerts.', samples: (s) => one(s.maintenance?.length ? 1 : 0) },
  { name: 'vai_maintenance_active', type: 'gauge', help: '1 while a maintenance window (mode pause: no recovery action either) covers the service.', samples: (s) => one(s.maintenance?.some((m) => m.kind === 'window') ? 1 : 0) },
];

const DOC_FAMILIES: Array<{ name: string; type: 'gauge' | 'counter'; help: string; value(d: StatusDocument): Value }> = [
  { name: 'vai_manifest_generation', type: 'gauge', help: 'Generation of the applied desired state.', value: (d) => d.manifests.generation },
  { name: 'vai_manifest_errors', type: 'gauge', help: 'Manifest problems in the last load attempt (services of failing files keep their last good spec).', value: (d) => d.manifests.errors.length },
  { name: 'vai_manifest_applied_timestamp_seconds', type: 'gauge', help: 'Unix time the desired state was last applied.', value: (d) => epoch(d.manifests.appliedAt) },
  { name: 'vai_manifest_revision_dirty', type: 'gauge', help: '1 when the manifest work tree had uncommitted changes.', value: (d) => (d.manifests.revision ? Number(d.manifests.revision.dirty) : undefined) },
  { name: 'vai_alerts_outbox_size', type: 'gauge', help: 'Notifications waiting in the durable outbox.', value: (d) => d.alerts.outboxSize },
  { name: 'vai_alerts_dropped_total', type: 'counter', help: 'Notifications dropped because the outbox was full.', value: (d) => d.alerts.dropped },
  { name: 'vai_status_written_timestamp_seconds', type: 'gauge', help: 'Unix time of the last status write.', value: (d) => epoch(d.writtenAt) },
  { name: 'vaid_start_time_seconds', type: 'gauge', help: 'Unix time vaid started.', value: (d) => epoch(d.vaid.startedAt) },
  // Pull mode only (absent in directory mode).
  { name: 'vai_source_last_fetch_timestamp_seconds', type: 'gauge', help: 'Unix time of the last fetch of the git source (pull mode).', value: (d) => epoch(d.source?.lastFetchAt) },
  { name: 'vai_source_fetch_failing', type: 'gauge', help: '1 while fetches of the git source fail (pull mode).', value: (d) => (d.source ? Number(d.source.lastFetchError !== null) : undefined) },
  { name: 'vai_source_fetch_failing_since_timestamp_seconds', type: 'gauge', help: 'Unix time fetches began failing (pull mode; absent while they work).', value: (d) => epoch(d.source?.fetchFailingSince) },
  { name: 'vai_source_applied_timestamp_seconds', type: 'gauge', help: 'Unix time a commit was last applied (pull mode).', value: (d) => epoch(d.source?.appliedAt) },
  { name: 'vai_source_attempt_failed', type: 'gauge', help: '1 when the last attempted commit was refused and an older one stays applied (pull mode).', value: (d) => (d.source ? Number(d.source.attemptedRevision !== d.source.appliedRevision) : undefined) },
  { name: 'vai_source_pending', type: 'gauge', help: '1 when a fetched commit waits to be applied (suspended or refused; pull mode).', value: (d) => (d.source ? Number(d.source.fetchedRevision !== null && d.source.fetchedRevision !== d.source.appliedRevision) : undefined) },
  { name: 'vai_source_suspended', type: 'gauge', help: '1 while applying new commits is suspended (vaictl suspend; pull mode).', value: (d) => (d.source ? Number(d.source.suspended) : undefined) },
];

const LATENCY = 'vai_service_check_latency_seconds';

/** Names written from the status document; a daemon metric must not reuse one. */
export const STATUS_METRIC_NAMES: ReadonlySet<string> = new Set([
  ...SERVICE_FAMILIES.map((f) => f.name), ...DOC_FAMILIES.map((f) => f.name), LATENCY, 'vai_build_info',
]);
const LATENCY_HELP = 'Health check latency, sampled from status changes (checks between two coalesced status writes are not counted).';

export function formatValue(v: number): string {
  if (Number.isFinite(v)) return String(v);
  return Number.isNaN(v) ? 'NaN' : v > 0 ? '+Inf' : '-Inf';
}

export function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

interface LatencyState {
  buckets: number[];
  sum: number;
  count: number;
}

export function createStatusMetrics(extra: { sseClients?: () => number } = {}): StatusMetrics {
  const registry = new Registry();
  if (extra.sseClients) {
    const n = extra.sseClients;
    new Gauge({ name: 'vai_web_event_stream_clients', help: 'Clients connected to /api/events.', registers: [registry], collect() { this.set(n()); } });
  }
  const latency = new Map<string, LatencyState>();
  const lastSeen = new Map<string, string>();

  function statusText(d: StatusDocument): string {
    const services = Object.values(d.services);
    const labels = services.map((s) => `{service="${escapeLabel(s.name)}"`);
    const out: string[] = [];
    for (const f of SERVICE_FAMILIES) {
      out.push(`# HELP ${f.name} ${f.help}`, `# TYPE ${f.name} ${f.type}`);
      services.forEach((s, i) => {
        for (const [more, v] of f.samples(s)) if (v !== undefined) out.push(`${f.name}${labels[i]}${more}} ${formatValue(v)}`);
      });
      out.push('');
    }
    out.push(`# HELP ${LATENCY} ${LATENCY_HELP}`, `# TYPE ${LATENCY} histogram`);
    for (const [name, h] of latency) {
      const svc = `service="${escapeLabel(name)}"`;
      LATENCY_BUCKETS.forEach((le, i) => out.push(`${LATENCY}_bucket{le="${le}",${svc}} ${h.buckets[i]}`));
      out.push(`${LATENCY}_bucket{le="+Inf",${svc}} ${h.count}`, `${LATENCY}_sum{${svc}} ${formatValue(h.sum)}`, `${LATENCY}_count{${svc}} ${h.count}`);
    }
    out.push('');
    for (const f of DOC_FAMILIES) {
      out.push(`# HELP ${f.name} ${f.help}`, `# TYPE ${f.name} ${f.type}`);
      const v = f.value(d);
      if (v !== undefined) out.push(`${f.name} ${formatValue(v)}`);
      out.push('');
    }
    out.push('# HELP vai_build_info vaid version and host, always 1.', '# TYPE vai_build_info gauge');
    out.push(`vai_build_info{version="${escapeLabel(d.vaid.version)}",hostname="${escapeLabel(d.vaid.hostname)}"} 1`, '');
    return out.join('\n');
  }

  return {
    registry,
    async render(d, via = registry) {
      return `${statusText(d)}\n${await via.metrics()}`;
    },
    observe(d) {
      for (const s of Object.values(d.services)) {
        const c = s.lastCheck;
        if (!c || lastSeen.get(s.name) === c.at) continue;
        lastSeen.set(s.name, c.at);
        const seconds = c.latencyMs / 1000;
        let h = latency.get(s.name);
        if (!h) latency.set(s.name, (h = { buckets: LATENCY_BUCKETS.map(() => 0), sum: 0, count: 0 }));
        LATENCY_BUCKETS.forEach((le, i) => { if (seconds <= le) h!.buckets[i]!++; });
        h.sum += seconds;
        h.count++;
      }
      for (const name of [...lastSeen.keys()]) {
        if (!(name in d.services)) {
          lastSeen.delete(name);
          latency.delete(name);
        }
      }
    },
  };
}
