// A status once recorded is shared (the store's JSON cache, change listeners, history, the page),
// so it is read-only by type: editing one in place does not compile, and only the planner's copy
// step (editable() in reconcile/planner.ts) gives a writable one. `make typecheck` compiles this
// file: each @ts-expect-error below fails the build if the edit it marks ever compiles again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StatusStore, type RecordedStatus } from '../../../src/status/store.js';
import { newServiceStatus } from '../../../src/status/service-status.js';
import { testClock } from '../../../src/core/clock.js';
import { desiredService } from '../../support/desired-state.js';
import { serviceSpec } from '../../support/service-spec.js';

function edits(s: RecordedStatus): void {
  // @ts-expect-error a recorded status's fields cannot be assigned
  s.phase = 'Healthy';
  // @ts-expect-error nor its nested objects'
  s.restarts.count = 9;
  // @ts-expect-error nor its lists pushed to
  s.events.push(s.events[0]!);
}

test('the store hands out the status it recorded, typed read-only', () => {
  const vaid = { pid: 42, version: 'test', startedAt: '2026-01-01T00:00:00.000Z', hostname: 'h' };
  const store = new StatusStore({ file: '/nonexistent/status.json', clock: testClock(), vaid, manifestsDir: '/m', write: () => {} });
  const status = newServiceStatus(desiredService('db', serviceSpec({ health_check: { type: 'tcp', port: 1 } as never })), 'Running', '2026-01-01T00:00:00.000Z');
  store.set(status);
  const got = store.get('db')!;
  assert.equal(got, status, 'the same object: no copy per read');
  assert.equal(typeof edits, 'function');
});
