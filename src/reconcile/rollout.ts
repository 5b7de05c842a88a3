// Rollout of spec changes (spec.rollout.on_change: restart), as a Deployment rolls a new pod
// template: a new generation that changes how a service runs (restart_cmd, stop_cmd,
// container, and rollout.fields) restarts it with the new spec and verifies it like a recovery;
// a failed verify restores the last verified spec (RollingBack), and once that verifies the
// service is RolledBack, holding the failed spec back until a commit changes the service again.
//
// The decisions are pure functions of the recorded rollout (status, so a restarted vaid resumes
// it) and a RolloutInput the world builds. The planner calls them at three points: every plan
// (sync), a healthy check (start now, wait, or nothing) and the end of a verify (rolled out,
// roll back, rolled back). What a hash's fields were lives in the rollout ledger (state dir),
// never in status: restart_cmd may carry what the page must not show.
import { stableJson } from '../core/stable-json.js';
import { createHash } from 'node:crypto';
import type { ServiceSpec } from '../manifest/schema.js';
import type { RolloutStatus } from '../status/schema.js';
import type { DeepReadonly } from '../core/deep-readonly.js';

/** The rollout of a recorded status (read-only: the world reads it, the planner copies it). */
type Recorded = DeepReadonly<RolloutStatus>;

const ALWAYS = ['restart_cmd', 'stop_cmd', 'container'] as const;
const HISTORY_MAX = 20;

export interface RolloutInput {
  /** The revision of the desired state: the git commit, or `generation-N` outside git. */
  revision: string;
  /** runHash() of the desired spec. */
  desiredHash: string;
  /** Dependencies whose own rollout is pending or running: they go first. */
  blockedBy: readonly string[];
  /** Other services rolling out or back now. */
  inProgress: number;
  /** --rollout-concurrency. */
  concurrency: number;
  /** The ledger holds the fields of the running spec: a rollback is possible. */
  restorable: boolean;
  /** A `vaictl rollout undo` request (a revision this service ran, and its hash), or null. */
  undo: { revision: string; hash: string } | null;
}

export interface RolloutEvent {
  type: 'Normal' | 'Warning';
  reason: 'RollingOut' | 'RolledOut' | 'RolloutFailed' | 'RolledBack' | 'RolloutPinned' | 'RolloutWaiting';
  message: string;
}

/** The fields that define how the service runs: a change of any is rolled out. */
export function runFields(spec: ServiceSpec): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const s = spec as unknown as Record<string, unknown>;
  for (const k of [...ALWAYS, ...(spec.rollout?.fields ?? [])]) out[k] = s[k] ?? null;
  return out;
}

export function runHash(spec: ServiceSpec): string {
  return createHash('sha256').update(stableJson(runFields(spec))).digest('hex').slice(0, 16);
}

export function rolloutEnabled(spec: ServiceSpec): boolean {
  return spec.rollout?.on_change === 'restart';
}

export function short(revision: string): string {
  return /^[0-9a-f]{40}/.test(revision) ? revision.slice(0, 7) : revision;
}

/** The hash whose spec should run: the desired one, unless a pin or a rollback holds it back. */
export function wantedHash(r: Recorded, input: RolloutInput): { revision: string; hash: string } {
  if (r.pinned && r.pinned.against === input.desiredHash) return { revision: r.pinned.revision, hash: r.pinned.hash };
  if (r.failed && r.failed.hash === input.desiredHash) return r.running;
  return { revision: input.revision, hash: input.desiredHash };
}

/** The hash of the spec the service runs now (the world runs it): a target while one starts. */
export function effectiveHash(r: Recorded | undefined): string | null {
  if (!r) return null;
  return r.target?.hash ?? r.running.hash;
}

function stateOf(r: Omit<RolloutStatus, 'state'>, input: RolloutInput | null): RolloutStatus['state'] {
  if (r.target) return r.target.hash === r.running.hash && r.failed ? 'RollingBack' : 'RollingOut';
  if (r.pinned && (!input || r.pinned.against === input.desiredHash)) return 'Pinned';
  if (r.failed && (!input || r.failed.hash === input.desiredHash)) return 'RolledBack';
  if (input && r.running.hash !== input.desiredHash) return 'Pending';
  return 'Stable';
}

function withHistory(r: RolloutStatus, entry: RolloutStatus['history'][number]): RolloutStatus['history'] {
  return [...r.history, entry].slice(-HISTORY_MAX);
}

/**
 * Every plan: the record brought in line with the desired state. A first sight records what
 * runs; a pin or a held-back failure ends when a commit changes the service again; an undo
 * request pins; a target without a recovery under way (stopped, disabled) is dropped.
 */
export function syncRollout(prev: RolloutStatus | undefined, input: RolloutInput | null, recovering: boolean, at: string): { rollout: RolloutStatus | undefined; events: RolloutEvent[] } {
  if (!input) return { rollout: undefined, events: [] };
  const events: RolloutEvent[] = [];
  if (!prev) {
    const running = { revision: input.revision, hash: input.desiredHash };
    const base = { running, target: null, failed: null, pinned: null, history: [{ ...running, at, result: 'Applied' as const }] };
    return { rollout: { state: stateOf(base, input), ...base }, events };
  }
  let r: RolloutStatus = prev;
  if (r.target && !recovering) r = { ...r, target: null };
  if (r.pinned && r.pinned.against !== input.desiredHash) r = { ...r, pinned: null };
  if (r.failed && r.failed.hash !== input.desiredHash && !r.target) r = { ...r, failed: null };
  if (input.undo && !r.target) {
    r = { ...r, pinned: { revision: input.undo.revision, hash: input.undo.hash, against: input.desiredHash }, failed: null };
    events.push({ type: 'Normal', reason: 'RolloutPinned', message: `vaictl rollout undo: pinned to the spec of ${short(input.undo.revision)} until a commit changes the service again` });
    if (input.undo.hash === r.running.hash) r = { ...r, history: withHistory(r, { ...r.running, revision: input.undo.revision, at, result: 'Pinned' }) };
  }
  const state = stateOf(r, input);
  if (state !== r.state) r = { ...r, state };
  return { rollout: r === prev ? prev : r, events };
}

export type RolloutStep =
  | { kind: 'none' }
  | { kind: 'wait'; event: RolloutEvent }
  | { kind: 'start'; rollout: RolloutStatus; reason: string; event: RolloutEvent };

/** On a healthy check: roll the wanted spec out now, wait for dependencies or a free slot, or nothing. */
export function nextRollout(r: RolloutStatus | undefined, input: RolloutInput | null): RolloutStep {
  if (!r || !input || r.target) return { kind: 'none' };
  const want = wantedHash(r, input);
  if (want.hash === r.running.hash) return { kind: 'none' };
  if (input.blockedBy.length) return { kind: 'wait', event: { type: 'Normal', reason: 'RolloutWaiting', message: `rollout of ${short(want.revision)} waits for ${input.blockedBy.join(', ')} to roll out first` } };
  if (input.inProgress >= input.concurrency) return { kind: 'wait', event: { type: 'Normal', reason: 'RolloutWaiting', message: `rollout of ${short(want.revision)} waits: ${input.inProgress} rollout(s) under way (--rollout-concurrency ${input.concurrency})` } };
  return { kind: 'start', ...startTarget(r, input, want), reason: `rollout of ${short(want.revision)} (was ${short(r.running.revision)})` };
}

/**
 * A restart for any other reason (a failing check, vaictl restart) while a change is pending
 * starts the wanted spec: the restart is the rollout, verified and rolled back alike.
 */
export function adoptOnRestart(r: RolloutStatus | undefined, input: RolloutInput | null): RolloutStatus | undefined {
  if (!r || !input || r.target) return r;
  const want = wantedHash(r, input);
  if (want.hash === r.running.hash) return r;
  return startTarget(r, input, want).rollout;
}

function startTarget(r: RolloutStatus, input: RolloutInput, want: { revision: string; hash: string }): { rollout: RolloutStatus; event: RolloutEvent } {
  const undo = r.pinned !== null && want.hash === r.pinned.hash;
  const target = { ...want, ...(undo ? { undo: true } : {}) };
  const next = { ...r, target, failed: null };
  return {
    rollout: { ...next, state: stateOf(next, input) },
    event: { type: 'Normal', reason: 'RollingOut', message: `${undo ? 'undo to' : 'rolling out'} ${short(want.revision)}: restarting with its spec, then verifying` },
  };
}

/** The verify of a target passed. */
export function rolloutVerified(r: RolloutStatus, input: RolloutInput | null, at: string): { rollout: RolloutStatus; event: RolloutEvent; rolledBack: RolloutStatus['failed'] } {
  const t = r.target!;
  if (r.failed && t.hash === r.running.hash) {
    const failed = r.failed;
    const next = { ...r, target: null, history: withHistory(r, { revision: failed.revision, hash: failed.hash, at, result: 'RolledBack' as const, message: `${failed.reason}: ${failed.message}`.slice(0, 400) }) };
    return { rollout: { ...next, state: stateOf(next, input) }, rolledBack: failed, event: { type: 'Warning', reason: 'RolledBack', message: `rolled back to ${short(r.running.revision)}: its spec runs and passes its check` } };
  }
  const running = { revision: t.revision, hash: t.hash };
  const next = { ...r, running, target: null, failed: null, history: withHistory(r, { ...running, at, result: t.undo ? ('Pinned' as const) : ('RolledOut' as const) }) };
  return { rollout: { ...next, state: stateOf(next, input) }, rolledBack: null, event: { type: 'Normal', reason: 'RolledOut', message: `${short(t.revision)} rolled out: the new spec runs and passes its check` } };
}

/**
 * The verify of a target failed at its deadline: roll back to the running spec when the ledger
 * has it ('rollback'); a rollback that failed too, or none possible, is an ordinary failed
 * attempt ('failed': the recovery machinery takes over, with the spec it holds back to).
 */
export function rolloutVerifyFailed(
  r: RolloutStatus,
  input: RolloutInput | null,
  cause: { reason: string; message: string },
  at: string,
): { kind: 'rollback' | 'failed'; rollout: RolloutStatus; event: RolloutEvent; reason: string } {
  const t = r.target!;
  const failed = { revision: t.revision, hash: t.hash, reason: cause.reason, message: cause.message.slice(0, 400), at };
  if (r.failed && t.hash === r.running.hash) {
    const next = { ...r, target: null };
    return { kind: 'failed', rollout: { ...next, state: stateOf(next, input) }, reason: '', event: { type: 'Warning', reason: 'RolloutFailed', message: `rollback to ${short(r.running.revision)} failed too (${cause.reason}): recovering as any failure` } };
  }
  const history = withHistory(r, { revision: t.revision, hash: t.hash, at, result: 'Failed', message: `${cause.reason}: ${cause.message}`.slice(0, 400) });
  const words = `rollout of ${short(t.revision)} failed: ${cause.reason} ${cause.message}`.slice(0, 300);
  if (!input?.restorable) {
    const next = { ...r, target: null, running: { revision: t.revision, hash: t.hash }, failed: null, history };
    return { kind: 'failed', rollout: { ...next, state: stateOf(next, input) }, reason: '', event: { type: 'Warning', reason: 'RolloutFailed', message: `${words}; the previous spec is not in the rollout ledger, so there is nothing to roll back to` } };
  }
  const next = { ...r, target: { revision: r.running.revision, hash: r.running.hash }, failed, pinned: null, history };
  return { kind: 'rollback', rollout: { ...next, state: stateOf(next, input) }, reason: `rollback to ${short(r.running.revision)}: ${words}`, event: { type: 'Warning', reason: 'RolloutFailed', message: `${words}; rolling back to ${short(r.running.revision)}` } };
}

/** The alert text of a finished rollback. */
export function rolledBackMessage(name: string, failed: NonNullable<RolloutStatus['failed']>, to: string): string {
  return `${name}: rollout of ${short(failed.revision)} failed: ${failed.reason} ${failed.message}; rolled back to ${short(to)}`;
}

/** Rolling out or back now (counts against --rollout-concurrency), or waiting to. */
export function rolloutBusy(r: Recorded | undefined): boolean {
  return r?.target != null;
}

export function rolloutPending(r: Recorded | undefined, input: RolloutInput | null): boolean {
  if (!r || !input) return false;
  return r.target != null || wantedHash(r, input).hash !== r.running.hash;
}

