// The event-loop delay figures mean what their names say (issue 21): an idle vaid read
// nodejs_eventloop_lag_mean_seconds 0.101, which was the 100 ms sampling period, not lag.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { createDaemonMetrics, EVENT_LOOP_SAMPLE_MS } from '../../../src/web/daemon-metrics.js';

function sample(text: string, name: string): number {
  const m = new RegExp(`^${name} (\\S+)$`, 'm').exec(text);
  assert.ok(m, `${name} missing from:\n${text.slice(0, 400)}`);
  return Number(m[1]);
}

test('eventloop lag figures are the delay beyond the sampling period, not the period', async () => {
  const metrics = createDaemonMetrics();
  assert.doesNotMatch(await metrics.registry.metrics(), /nodejs_eventloop_lag/, 'no event-loop sampler before the first scrape');
  metrics.startProcessMetrics();
  metrics.startProcessMetrics(); // a second scrape registers nothing twice
  await metrics.registry.metrics(); // starts a fresh window
  // Let the sampling timer fire several times on an event loop that does nothing else.
  await sleep(EVENT_LOOP_SAMPLE_MS * 8);
  const idle = await metrics.registry.metrics();
  const mean = sample(idle, 'nodejs_eventloop_lag_mean_seconds');
  assert.ok(mean >= 0 && mean < EVENT_LOOP_SAMPLE_MS / 1000, `idle mean lag ${mean} s reads like the ${EVENT_LOOP_SAMPLE_MS} ms period`);
  assert.match(idle, /# HELP nodejs_eventloop_lag_mean_seconds mean event-loop delay beyond the 100 ms sampling period/);

  // A 400 ms block of the loop shows in max. (The first sample after a scrape only starts the
  // next window, so the block comes a few samples later.)
  await sleep(EVENT_LOOP_SAMPLE_MS * 3);
  const until = performance.now() + 400;
  while (performance.now() < until);
  await sleep(EVENT_LOOP_SAMPLE_MS * 2);
  const blocked = await metrics.registry.metrics();
  assert.ok(sample(blocked, 'nodejs_eventloop_lag_max_seconds') >= 0.2, blocked.match(/^nodejs_eventloop_lag_max_seconds .*$/m)?.[0]);
  assert.equal((blocked.match(/^nodejs_eventloop_lag_mean_seconds /gm) ?? []).length, 1, 'served once');
});

test('failed status writes are counted for the StatusWritesFailing alert', async () => {
  const metrics = createDaemonMetrics({ processMetrics: false });
  metrics.statusWriteFailures.inc();
  assert.match(await metrics.registry.metrics(), /^vai_status_write_failures_total 1$/m);
});
