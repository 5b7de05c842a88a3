// Metrics only the daemon can know (the status document does not hold them). vaid creates
// these, feeds them where the events happen, and passes `registry` to startWebServer as
// `extraMetrics`; /metrics then serves them next to the status-derived ones.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface DaemonMetrics {
  registry: Registry;
  /** Set to the work queue's length (queued, not processing) whenever it changes. */
  queueDepth: Gauge;
  /** Observe once per reconcile of one service, in seconds, with result ok|error. */
  reconcileDuration: Histogram<'result'>;
  /** Increment once per status.json write. */
  statusWrites: Counter;
  /** Observe once per status.json write (serialize + fsync + rename), in seconds. */
  statusWriteDuration: Histogram;
  /** Observe once per status.json write: how long it held the event loop, in seconds. */
  statusWriteBlocking: Histogram;
  /** Increment once per failed status.json write (vaid retries it with backoff). */
  statusWriteFailures: Counter;
  /**
   * Registers Node's process metrics (CPU, memory, event-loop delay) on the first call; later
   * calls do nothing. Called before each scrape: the event-loop sampler is a 10 Hz libuv timer,
   * and a vaid nobody scrapes must not wake ten times a second for it.
   */
  startProcessMetrics(): void;
}

/**
 * Event-loop lag is sampled by a libuv timer at this period. prom-client's default, 10 ms, woke
 * vaid 100 times a second whether or not anyone scraped /metrics, most of an idle vaid's CPU
 * (docs/performance.md). 100 ms still gives a p99 over 150 samples per 15 s scrape.
 */
export const EVENT_LOOP_SAMPLE_MS = 100;

// prom-client reads these from monitorEventLoopDelay, whose samples are the whole time between
// two wake-ups of its timer: an idle vaid read 0.101 s of "lag", the sampling period. Each is
// served again as the delay beyond the period, which is what the name says (stddev is a spread,
// unchanged). nodejs_eventloop_lag_seconds (a setImmediate round trip) was always right.
const LAG_FROM_PERIOD = ['min', 'max', 'mean', 'p50', 'p90', 'p99'].map((q) => `nodejs_eventloop_lag_${q}_seconds`);

function lagBeyondPeriod(registry: Registry): void {
  for (const name of LAG_FROM_PERIOD) {
    const raw = registry.getSingleMetric(name) as Gauge | undefined;
    if (!raw) continue;
    registry.removeSingleMetric(name);
    // Registered after nodejs_eventloop_lag_seconds, whose collect sets `raw` first on every scrape.
    new Gauge({
      name,
      help: `${name.slice('nodejs_eventloop_lag_'.length, -'_seconds'.length)} event-loop delay beyond the ${EVENT_LOOP_SAMPLE_MS} ms sampling period, in seconds.`,
      registers: [registry],
      async collect() {
        const v = (await raw.get()).values[0]?.value;
        if (v !== undefined) this.set(Math.max(0, v - EVENT_LOOP_SAMPLE_MS / 1000));
      },
    });
  }
}

export function createDaemonMetrics(opts: { processMetrics?: boolean } = {}): DaemonMetrics {
  const registry = new Registry();
  let processMetrics = opts.processMetrics ?? true;
  return {
    registry,
    startProcessMetrics() {
      if (!processMetrics) return;
      processMetrics = false;
      collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: EVENT_LOOP_SAMPLE_MS });
      lagBeyondPeriod(registry);
    },
    queueDepth: new Gauge({ name: 'vai_queue_depth', help: 'Service names waiting in the work queue.', registers: [registry] }),
    reconcileDuration: new Histogram({
      name: 'vai_reconcile_duration_seconds',
      help: 'Time to reconcile one service (check, plan, act, record).',
      labelNames: ['result'],
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60],
      registers: [registry],
    }),
    statusWrites: new Counter({ name: 'vai_status_writes_total', help: 'Writes of status.json.', registers: [registry] }),
    statusWriteFailures: new Counter({ name: 'vai_status_write_failures_total', help: 'Writes of status.json that failed (retried with backoff; the last good file stays).', registers: [registry] }),
    statusWriteDuration: new Histogram({
      name: 'vai_status_write_duration_seconds',
      help: 'Time to write status.json atomically.',
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers: [registry],
    }),
    statusWriteBlocking: new Histogram({
      name: 'vai_status_write_blocking_seconds',
      help: 'Part of a status.json write that held the event loop (the rest, copy and fsync, runs on the thread pool).',
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers: [registry],
    }),
  };
}
