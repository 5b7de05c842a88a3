import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createStatusMetrics, escapeLabel, formatValue, STATUS_METRIC_NAMES } from '../../../src/web/status-metrics.js';
import { createDaemonMetrics } from '../../../src/web/daemon-metrics.js';
import { parsePrometheus } from '../../e2e/web-prometheus.js';
import { serviceStatus, statusDocument } from '../../e2e/web-fixtures.js';

test('label values and numbers are written as the exposition format wants them', () => {
  assert.equal(escapeLabel('a"b\\c\nd'), 'a\\"b\\\\c\\nd');
  assert.deepEqual([1.5, 0, Infinity, -Infinity, NaN].map(formatValue), ['1.5', '0', '+Inf', '-Inf', 'NaN']);
});

test('the latency histogram counts each new check once, cumulatively per bucket', async () => {
  const m = createStatusMetrics();
  const at = (i: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString();
  for (const [i, ms] of [[1, 0.5], [2, 3], [2, 3], [3, 2000]] as const) {
    m.observe(statusDocument([serviceStatus('api', { lastCheck: { at: at(i), health: 'healthy', reason: 'CheckPassed', latencyMs: ms, message: '' } })]));
  }
  const e = parsePrometheus(await m.render(statusDocument([])));
  assert.equal(e.types.get('vai_service_check_latency_seconds'), 'histogram');
  const bucket = (le: string) => e.value('vai_service_check_latency_seconds_bucket', { service: 'api', le });
  assert.deepEqual(['0.001', '0.005', '0.025', '1', '5', '+Inf'].map(bucket), [1, 2, 2, 2, 3, 3], 'the repeated check (same time) is counted once');
  assert.equal(e.value('vai_service_check_latency_seconds_count', { service: 'api' }), 3);
  assert.equal(e.value('vai_service_check_latency_seconds_sum', { service: 'api' }), 0.0005 + 0.003 + 2);
  m.observe(statusDocument([]));
  assert.equal(parsePrometheus(await m.render(statusDocument([]))).find('vai_service_check_latency_seconds_count').length, 0, 'a removed service leaves no series');
});

test('every family has HELP and TYPE even with no services, and odd host names are escaped', async () => {
  const doc = statusDocument([]);
  doc.vaid.hostname = 'host "with" quotes';
  const e = parsePrometheus(await createStatusMetrics().render(doc));
  for (const name of STATUS_METRIC_NAMES) assert.ok(e.types.has(name), name);
  assert.equal(e.value('vai_build_info', { hostname: 'host "with" quotes' }), 1);
});

test('the daemon metrics do not reuse a status-derived name', () => {
  for (const m of createDaemonMetrics({ processMetrics: false }).registry.getMetricsAsArray()) assert.ok(!STATUS_METRIC_NAMES.has(m.name), m.name);
});
