// The Docker engine handles containerd's OOM and exit events apart, so its 'die' event (and an
// inspect right after it) can come before the OOM is known: a clean CI run saw an OOM-killed
// container diagnosed CheckFailed that way. The engine cannot be made to reorder its own events,
// so this test stands in for it with an executor that reports them in the bad order; the real
// engine's case is test/e2e/diagnosis-docker.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Diagnostician } from '../../../src/diagnosis/diagnostician.js';
import type { ContainerEvent, ContainerExit, Executor, ServiceTarget } from '../../../src/executor/types.js';
import { newServiceStatus } from '../../../src/status/service-status.js';
import { healthCheck, serviceTarget } from '../../support/service-spec.js';

function setup(engineSays: () => ContainerExit) {
  let emit: (e: ContainerEvent) => void = () => undefined;
  const executor = {
    findListeners: async () => new Map(),
    containerExit: async () => engineSays(),
    watchContainerEvents: (_w: (c: string) => boolean, on: (e: ContainerEvent) => void) => {
      emit = on;
      return { close: () => undefined };
    },
  } as unknown as Executor;
  const d = new Diagnostician({ executor, wake: () => undefined });
  const target: ServiceTarget = serviceTarget('hog', { container: 'hog-c', health_check: healthCheck({ type: 'docker' }) }, '/tmp');
  const svc = { name: 'hog', labels: {}, annotations: {}, spec: target.spec, generation: 1, source: { file: 'x.yaml', line: 1, column: 1 }, format: 'native' as const };
  d.setServices([svc]);
  const previous = newServiceStatus(svc, 'Running', new Date().toISOString());
  const unhealthy = { health: 'unhealthy' as const, reason: 'ContainerNotRunning' as const, message: 'container hog-c is exited (exit 137)', latencyMs: 1 };
  return { d, target, previous, unhealthy, emit: (e: Partial<ContainerEvent>) => emit({ container: 'hog-c', action: 'die', exitCode: null, detail: null, at: Date.now(), ...e }) };
}

test('an exit 137 whose OOM event comes after the die event (and after the check) is still OOMKilled', async () => {
  let oomKnown = false;
  const s = setup(() => ({ code: 137, oomKilled: oomKnown, at: null }));
  s.emit({ action: 'die', exitCode: 137 });
  const seen = s.d.observe(s.target, s.unhealthy, s.previous, null, Date.now());
  setTimeout(() => {
    oomKnown = true;
    s.emit({ action: 'oom' });
  }, 100);
  const diag = await seen;
  assert.equal(diag?.exit?.oomKilled, true, JSON.stringify(diag));
  assert.equal(diag?.exit?.code, 137);
});

test('the engine\'s inspect record of the OOM counts even when the stream missed the oom event', async () => {
  const s = setup(() => ({ code: 137, oomKilled: true, at: null }));
  s.emit({ action: 'die', exitCode: 137 });
  const diag = await s.d.observe(s.target, s.unhealthy, s.previous, null, Date.now());
  assert.equal(diag?.exit?.oomKilled, true);
});

test('an exit 137 with no OOM anywhere (docker kill) is decided after a bounded wait, not an OOM', async () => {
  const s = setup(() => ({ code: 137, oomKilled: false, at: null }));
  s.emit({ action: 'die', exitCode: 137 });
  const t0 = Date.now();
  const diag = await s.d.observe(s.target, s.unhealthy, s.previous, null, Date.now());
  assert.equal(diag?.exit?.oomKilled, false);
  assert.ok(Date.now() - t0 < 10_000, 'bounded');
});
