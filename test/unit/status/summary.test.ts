import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { Value } from '@sinclair/typebox/value';
import { StatusStore } from '../../../src/status/store.js';
import { newServiceStatus } from '../../../src/status/service-status.js';
import { summaryFileFor, type StatusSummary } from '../../../src/status/summary.js';
import { testClock } from '../../../src/core/clock.js';
import { ServiceSpecSchema, type ServiceSpec } from '../../../src/manifest/schema.js';
import type { DesiredService } from '../../../src/manifest/types.js';
import { testdir } from '../../support/testdir.js';

const spec = Value.Default(ServiceSpecSchema, { health_check: { type: 'tcp', port: 1 } }) as ServiceSpec;
const svc = (name: string): DesiredService => ({ name, labels: { tier: 'db' }, annotations: {}, spec, generation: 1, source: { file: '/m/a.yaml', line: 3, column: 1 }, format: 'native' });
const vaid = { pid: 42, version: 'test', startedAt: '2026-01-01T00:00:00.000Z', hostname: 'h' };

function readSummaryFile(file: string): StatusSummary {
  return JSON.parse(readFileSync(summaryFileFor(file), 'utf8')) as StatusSummary;
}

test('each write of status.json is followed by a summary that names that file and holds what get shows', async () => {
  const dir = testdir();
  try {
    const clock = testClock();
    const file = dir.join('status.json');
    const store = new StatusStore({ file, clock, vaid, manifestsDir: '/m' });
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 20; i++) {
        const s = newServiceStatus(svc(`s${i}`), 'Running', new Date(clock.now()).toISOString());
        store.set({ ...s, phase: round === 2 && i === 3 ? 'Degraded' : s.phase, restarts: { ...s.restarts, count: round } });
      }
      if (round === 1) store.delete('s19');
      clock.advance(100);
      await store.idle();
      const st = statSync(file);
      const sum = readSummaryFile(file);
      assert.deepEqual(sum.of, { ino: st.ino, size: st.size, mtimeMs: st.mtimeMs }, `round ${round}: the summary names the status.json on disk`);
      const full = JSON.parse(readFileSync(file, 'utf8')) as { writtenAt: string; services: Record<string, Record<string, unknown>> };
      assert.equal(sum.writtenAt, full.writtenAt);
      assert.deepEqual(Object.keys(sum.services), Object.keys(full.services), 'same services, same order');
      for (const [name, s] of Object.entries(sum.services)) {
        const f = full.services[name]!;
        assert.deepEqual(
          { name: s.name, desired: s.desired, phase: s.phase, createdAt: s.createdAt, labels: s.labels, restarts: s.restarts.count },
          { name: f.name, desired: f.desired, phase: f.phase, createdAt: f.createdAt, labels: f.labels, restarts: (f.restarts as { count: number }).count },
        );
      }
    }
    assert.equal(readSummaryFile(file).services.s3?.phase, 'Degraded');
    // The synchronous write-ahead (before a restart command) is followed by its summary too.
    store.set({ ...newServiceStatus(svc('s0'), 'Stopped', new Date(clock.now()).toISOString()) });
    store.flushNow();
    await store.idle();
    assert.equal(readSummaryFile(file).services.s0?.desired, 'Stopped');
    assert.equal(readSummaryFile(file).of.ino, statSync(file).ino);
  } finally {
    dir.remove();
  }
});

test('a summary that cannot be written does not stop status.json from being written', async () => {
  const dir = testdir();
  try {
    const clock = testClock();
    const file = dir.join('status.json');
    const store = new StatusStore({ file, clock, vaid, manifestsDir: '/m', summaryFile: dir.join('no-such-dir/status.summary.json') });
    let errors = 0;
    store.on('error', () => errors++);
    store.set(newServiceStatus(svc('a'), 'Running', new Date(clock.now()).toISOString()));
    clock.advance(100);
    await store.idle();
    assert.equal(errors, 0);
    assert.ok(JSON.parse(readFileSync(file, 'utf8')).services.a);
  } finally {
    dir.remove();
  }
});
