import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, unlinkSync, writeFileSync, rmSync } from 'node:fs';
import { Value } from '@sinclair/typebox/value';
import { StatusStore } from '../../../src/status/store.js';
import type { ServiceStatus } from '../../../src/status/schema.js';
import { newServiceStatus } from '../../../src/status/service-status.js';
import { testClock, type TestClock } from '../../../src/core/clock.js';
import { ServiceSpecSchema, type ServiceSpec } from '../../../src/manifest/schema.js';
import type { DesiredService } from '../../../src/manifest/types.js';
import { testdir } from '../../support/testdir.js';

// The status file's directory is a regular file here, so every real write fails (ENOTDIR):
// running as root, chmod would not stop the writes.
const spec = Value.Default(ServiceSpecSchema, { health_check: { type: 'tcp', port: 1 } }) as ServiceSpec;
const svc = (name: string): DesiredService => ({ name, labels: {}, annotations: {}, spec, generation: 1, source: { file: '/m/a.yaml', line: 1, column: 1 }, format: 'native' });
const vaid = { pid: 42, version: 'test', startedAt: '2026-01-01T00:00:00.000Z', hostname: 'h' };

/** Moves the clock in 10 ms steps, letting each background write finish before the next step. */
async function run(clock: TestClock, store: StatusStore, ms: number): Promise<void> {
  for (let t = 0; t < ms; t += 10) {
    clock.advance(10);
    await store.idle();
  }
}

test('a failing status write is retried after a doubling backoff (100 ms up to 10 s), not at once', async () => {
  const dir = testdir();
  try {
    const blocked = dir.join('state');
    writeFileSync(blocked, 'not a directory');
    const file = `${blocked}/status.json`;
    const clock = testClock();
    const store = new StatusStore({ file, clock, vaid, manifestsDir: '/m' });
    const failedAt: number[] = [];
    store.on('error', () => failedAt.push(clock.now()));
    const start = clock.now();
    store.set({ ...newServiceStatus(svc('db'), 'Running', new Date(start).toISOString()), phase: 'Recovering' });
    await run(clock, store, 10_000);
    // Attempts at about 0, 0.1, 0.3, 0.7, 1.5, 3.1 and 6.3 s: 7 in 10 s (retrying at once made thousands).
    assert.equal(failedAt.length, 7, `attempts at ${failedAt.slice(0, 12).map((t) => t - start).join(', ')} ms`);
    const gaps = failedAt.slice(1).map((t, i) => t - failedAt[i]!);
    for (let i = 1; i < gaps.length; i++) assert.ok(gaps[i]! >= gaps[i - 1]! * 2 - 20, `gaps double: ${gaps.join(', ')}`);
    await run(clock, store, 60_000);
    const later = failedAt.slice(-4);
    for (let i = 1; i < later.length; i++) {
      const gap = later[i]! - later[i - 1]!;
      assert.ok(gap >= 10_000 && gap <= 10_100, `the backoff stops growing at 10 s: ${gap} ms`);
    }
    assert.equal(store.writes, 0);
    assert.equal(store.writeFailures, failedAt.length);

    // The disk comes back: the pending change is written by the next retry, at most 10 s later.
    unlinkSync(blocked);
    mkdirSync(blocked);
    await run(clock, store, 10_100);
    assert.equal(store.writes, 1);
    assert.equal(JSON.parse(readFileSync(file, 'utf8')).services.db.phase, 'Recovering');

    // A success resets the backoff: the next failure is retried after 100 ms again.
    rmSync(blocked, { recursive: true });
    writeFileSync(blocked, 'not a directory');
    const before = failedAt.length;
    store.set({ ...(store.get('db') as ServiceStatus), phase: 'Healthy' });
    await run(clock, store, 400);
    assert.equal(failedAt.length - before, 3, 'attempts at about 0, 0.1 and 0.3 s after the change');
    assert.ok(failedAt[before + 1]! - failedAt[before]! <= 110);
  } finally {
    dir.remove();
  }
});
