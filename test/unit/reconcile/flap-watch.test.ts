// The planner's flapping step on exact times: restarts kept within the window, one Flapping
// per incident with an id a restarted vaid decides again, one resolve after a stable window.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { flapStep } from '../../../src/reconcile/flap-watch.js';

const T0 = Date.parse('2026-12-02T08:00:00Z');
const S = 1000;
const policy = { restarts: 3, windowSeconds: 60 };

test('flap-watch: the third recovered restart in a minute opens one incident; a replay of it decides the same id', () => {
  let state = flapStep('web', undefined, { at: T0, cause: 'ExitedAfterStart: down' }, T0 + S, policy).state;
  state = flapStep('web', state, { at: T0 + 10 * S, cause: 'b' }, T0 + 11 * S, policy).state;
  const before = state;
  const third = flapStep('web', state, { at: T0 + 20 * S, cause: 'c' }, T0 + 21 * S, policy);
  assert.equal(third.notice?.kind, 'flapping');
  assert.equal(third.notice?.id, `web:flapping:${T0 + 20 * S}`);
  assert.match(third.notice!.message, /restarted 3 times within 1 min/);
  // vaid killed before the status was written: the same restart is planned again, same id.
  assert.equal(flapStep('web', before, { at: T0 + 20 * S, cause: 'c' }, T0 + 25 * S, policy).notice?.id, third.notice?.id);
  const fourth = flapStep('web', third.state, { at: T0 + 30 * S, cause: 'd' }, T0 + 31 * S, policy);
  assert.equal(fourth.notice, null, 'no second alert while open');
  assert.equal(flapStep('web', fourth.state, null, T0 + 89 * S, policy).notice, null, '59 s stable: still open');
  const resolved = flapStep('web', fourth.state, null, T0 + 90 * S, policy);
  assert.equal(resolved.notice?.kind, 'flapping-resolved');
  assert.equal(resolved.notice?.id, `web:flapping-resolved:${T0 + 20 * S}`);
  assert.equal(resolved.state, undefined, 'nothing left to keep');
});

test('flap-watch: restarts spread wider than the window never open one; 0 restarts turns it off', () => {
  let state;
  for (let i = 0; i < 6; i++) {
    const r = flapStep('web', state, { at: T0 + i * 40 * S, cause: 'x' }, T0 + i * 40 * S + S, policy);
    assert.equal(r.notice, null);
    state = r.state;
  }
  assert.ok((state?.restarts.length ?? 0) <= 2, 'only restarts within the window are kept');
  let off;
  for (let i = 0; i < 10; i++) {
    const r = flapStep('web', off, { at: T0 + i * S, cause: 'x' }, T0 + i * S, { restarts: 0, windowSeconds: 60 });
    assert.equal(r.notice, null);
    off = r.state;
  }
});
