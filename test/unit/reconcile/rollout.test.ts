// The rollout decisions (src/reconcile/rollout.ts), one row per scenario, and through the
// planner: a healthy service with a changed run spec restarts; a failed verify rolls back;
// a rollback that passes alerts once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nextRollout, rolloutVerified, rolloutVerifyFailed, runHash, syncRollout, type RolloutInput } from '../../../src/reconcile/rollout.js';
import type { RolloutStatus } from '../../../src/status/schema.js';
import type { ServiceSpec } from '../../../src/manifest/schema.js';

const T = '2026-12-02T08:00:00.000Z';
const input = (o: Partial<RolloutInput> = {}): RolloutInput => ({ revision: 'c2', desiredHash: 'h2', blockedBy: [], inProgress: 0, concurrency: 1, restorable: true, undo: null, ...o });
const stable = (hash = 'h1', revision = 'c1'): RolloutStatus => ({ state: 'Stable', running: { revision, hash }, target: null, failed: null, pinned: null, history: [{ revision, hash, at: T, result: 'Applied' }] });

test('runHash: only restart_cmd, stop_cmd, container and rollout.fields count', () => {
  const base = { restart_cmd: 'a', health_check: { type: 'custom', command: 'true', interval_seconds: 60 }, rollout: { on_change: 'restart', fields: [] } } as unknown as ServiceSpec;
  assert.equal(runHash(base), runHash({ ...base, health_check: { ...base.health_check, interval_seconds: 5 } }));
  assert.notEqual(runHash(base), runHash({ ...base, restart_cmd: 'b' }));
  const withField = { ...base, rollout: { on_change: 'restart', fields: ['health_check'] } } as unknown as ServiceSpec;
  assert.notEqual(runHash(withField), runHash({ ...withField, health_check: { ...base.health_check, interval_seconds: 5 } }));
});

const rows: Array<{ name: string; r: RolloutStatus; i: RolloutInput; want: string }> = [
  { name: 'unchanged spec: nothing to roll out', r: stable('h2'), i: input(), want: 'none' },
  { name: 'changed spec, healthy: roll out now', r: stable(), i: input(), want: 'start' },
  { name: 'a dependency still rolling out: wait for it', r: stable(), i: input({ blockedBy: ['db'] }), want: 'wait' },
  { name: 'another rollout under way at concurrency 1: wait', r: stable(), i: input({ inProgress: 1 }), want: 'wait' },
  { name: 'concurrency 2 with one under way: roll out', r: stable(), i: input({ inProgress: 1, concurrency: 2 }), want: 'start' },
  { name: 'the spec that failed is still desired: stay rolled back', r: { ...stable(), state: 'RolledBack', failed: { revision: 'c2', hash: 'h2', reason: 'ExitedAfterStart', message: 'x', at: T } }, i: input(), want: 'none' },
  { name: 'pinned while the commit is unchanged: stay pinned', r: { ...stable(), state: 'Pinned', pinned: { revision: 'c1', hash: 'h1', against: 'h2' } }, i: input(), want: 'none' },
];
for (const row of rows) test(`nextRollout: ${row.name}`, () => assert.equal(nextRollout(row.r, row.i).kind, row.want));

test('syncRollout: a new commit ends a rollback hold and a pin, so the change is tried again', () => {
  const held = { ...stable(), state: 'RolledBack' as const, failed: { revision: 'c2', hash: 'h2', reason: 'ExitedAfterStart', message: 'x', at: T } };
  const s = syncRollout(held, input({ revision: 'c3', desiredHash: 'h3' }), false, T).rollout!;
  assert.equal(s.failed, null);
  assert.equal(s.state, 'Pending');
  assert.equal(nextRollout(s, input({ revision: 'c3', desiredHash: 'h3' })).kind, 'start');
  const pinned = { ...stable(), state: 'Pinned' as const, pinned: { revision: 'c1', hash: 'h1', against: 'h2' } };
  assert.equal(syncRollout(pinned, input({ revision: 'c3', desiredHash: 'h3' }), false, T).rollout!.pinned, null);
});

test('a failed verify rolls back to the running spec; the rollback verified ends RolledBack with the failed revision', () => {
  const start = nextRollout(stable(), input());
  assert.equal(start.kind, 'start');
  const out = start.kind === 'start' ? start.rollout : stable();
  assert.equal(out.state, 'RollingOut');
  const f = rolloutVerifyFailed(out, input(), { reason: 'ExitedAfterStart', message: 'exited 1' }, T);
  assert.equal(f.kind, 'rollback');
  assert.equal(f.rollout.state, 'RollingBack');
  assert.deepEqual({ revision: f.rollout.target!.revision, hash: f.rollout.target!.hash }, { revision: 'c1', hash: 'h1' });
  const v = rolloutVerified(f.rollout, input(), T);
  assert.equal(v.rollout.state, 'RolledBack');
  assert.equal(v.rolledBack?.revision, 'c2');
  assert.deepEqual(v.rollout.history.map((h) => `${h.revision} ${h.result}`), ['c1 Applied', 'c2 Failed', 'c2 RolledBack']);
});

test('a failed verify with the previous spec gone from the ledger is an ordinary failed attempt', () => {
  const start = nextRollout(stable(), input());
  const out = start.kind === 'start' ? start.rollout : stable();
  assert.equal(rolloutVerifyFailed(out, input({ restorable: false }), { reason: 'CheckFailed', message: 'x' }, T).kind, 'failed');
});

test('a rollback that fails too falls to the recovery machinery, still holding the failed spec back', () => {
  const rb: RolloutStatus = { ...stable(), state: 'RollingBack', target: { revision: 'c1', hash: 'h1' }, failed: { revision: 'c2', hash: 'h2', reason: 'ExitedAfterStart', message: 'x', at: T } };
  const f = rolloutVerifyFailed(rb, input(), { reason: 'CheckFailed', message: 'x' }, T);
  assert.equal(f.kind, 'failed');
  assert.equal(f.rollout.state, 'RolledBack');
  assert.equal(f.rollout.target, null);
});

test('undo: a request pins to an earlier spec, which then rolls out as an undo', () => {
  const at2 = stable('h2', 'c2');
  const s = syncRollout(at2, input({ undo: { revision: 'c1', hash: 'h1' } }), false, T).rollout!;
  assert.deepEqual(s.pinned, { revision: 'c1', hash: 'h1', against: 'h2' });
  const step = nextRollout(s, input());
  assert.equal(step.kind, 'start');
  if (step.kind !== 'start') return;
  assert.equal(step.rollout.target?.undo, true);
  const v = rolloutVerified(step.rollout, input(), T);
  assert.equal(v.rollout.state, 'Pinned');
  assert.equal(v.rollout.running.revision, 'c1');
  assert.equal(v.rollout.history.at(-1)?.result, 'Pinned');
});
