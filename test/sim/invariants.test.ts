// The invariant checker is only worth something if it catches a bad reconciler. This runs the
// seed's naive cron loop (restart whatever fails, ignore markers, dependencies and the engine)
// through the same simulation and expects each of those rules to fire.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InvariantChecker, RULES } from './invariants.js';
import { naiveSystem } from './naive-system.js';
import { realSystem } from './real-system.js';
import type { NoticeRule } from './recording-notifier.js';
import { checkCooldown } from '../../src/notify/cooldown.js';
import { healthCheck, serviceSpec } from '../support/service-spec.js';
import { runSeed, type SeedOptions } from './run-seed.js';
import type { SystemFactory } from './system.js';
import type { DesiredMaintenance, DesiredState } from '../../src/manifest/types.js';

test('the checker catches a reconciler that ignores markers, dependencies, thresholds and outages', async () => {
  const fired = new Set<string>();
  for (const seed of [1, 2, 3, 4]) {
    const r = await runSeed(seed, { hours: 150, stopOnViolation: false }, naiveSystem);
    for (const v of r.violations) fired.add(v.rule);
  }
  for (const rule of [RULES.desired, RULES.depOrder, RULES.healthy, RULES.outage]) assert.ok(fired.has(rule), `never fired: ${rule}`);
});

test('the same seed replays the same run exactly', async () => {
  const a = await runSeed(7, { hours: 50, stopOnViolation: false }, naiveSystem);
  const b = await runSeed(7, { hours: 50, stopOnViolation: false }, naiveSystem);
  assert.deepEqual(
    { ...a, violations: a.violations.length },
    { ...b, violations: b.violations.length },
  );
  assert.ok(a.checks > 100 && a.faults > 5, `too little happened: ${a.checks} checks, ${a.faults} faults`);
});

test('the checker catches a notifier whose cooldown hides a new failure after a Recovered notice', () => {
  const spec = serviceSpec({ health_check: healthCheck({ type: 'process', process_name: 'svc', success_threshold: 1, failure_threshold: 1 }) });
  const deadline = 1_020_000;
  const run = (deliverSecond: boolean) => {
    const c = new InvariantChecker({ spec: () => spec, cooldownMs: 0, truthDeadlineMs: deadline });
    const alert = (kind: 'recovery-failed' | 'recovered', seq: number, t: number) =>
      c.onEntry({ t, type: 'alert', alert: { id: `svc:${kind}:${seq}`, kind, service: 'svc', spec, at: '', message: '', attempt: 1, dependents: [] } });
    c.onEntry({ t: 0, type: 'check-end', service: 'svc', op: 1, health: 'unhealthy', reason: '' });
    c.onEntry({ t: 1, type: 'run-start', service: 'svc', op: 2, kind: 'restart' });
    alert('recovery-failed', 1, 10);
    c.onEntry({ t: 10, type: 'notice', service: 'svc', kind: 'recovery-failed' });
    alert('recovered', 1, 20);
    c.onEntry({ t: 20, type: 'notice', service: 'svc', kind: 'recovered' });
    alert('recovery-failed', 2, 60_000);
    if (deliverSecond) c.onEntry({ t: 60_000, type: 'notice', service: 'svc', kind: 'recovery-failed' });
    c.sweep(60_000 + deadline - 1, 120_000);
    const early = c.violations.filter((v) => v.rule === RULES.truth).length;
    c.sweep(60_000 + deadline + 1, 120_000);
    return { early, late: c.violations.filter((v) => v.rule === RULES.truth).length };
  };
  assert.deepEqual(run(false), { early: 0, late: 1 }, 'a failure nobody was told of is a violation once the deadline passed');
  assert.deepEqual(run(true), { early: 0, late: 0 });
});

test("the checker catches main's old per-kind cooldown in a simulated run (seed 21)", async () => {
  // The rule before issue 18: a cooldown per (service, kind), blind to what was last told.
  const perKindCooldown: NoticeRule = (i) => {
    if (i.kind === 'reminder') return { send: true };
    if (i.kind === 'recovered') return i.incidentOpen ? { send: true } : { send: false, reason: 'no failure notice' };
    const c = checkCooldown(i.lastOfKindAt, i.cooldownSeconds, i.now);
    return c.allowed ? { send: true } : { send: false, reason: 'cooldown' };
  };
  const bad = await runSeed(21, { hours: 150, stopOnViolation: false, noticeRule: perKindCooldown }, realSystem);
  assert.ok(bad.violations.some((v) => v.rule === RULES.truth), 'the hidden failure is not caught');
  const good = await runSeed(21, { hours: 150, stopOnViolation: false }, realSystem);
  assert.deepEqual(good.violations.map((v) => v.rule), []);
});

// Maintenance windows and silences: each rule fires when the part it guards is broken.
const MAINT_SEEDS = [1, 4, 7, 8];

async function firedOver(seeds: readonly number[], opts: Omit<SeedOptions, 'hours'>, maxSteps = 15_000): Promise<Map<string, string>> {
  const fired = new Map<string, string>();
  for (const seed of seeds) {
    const r = await runSeed(seed, { hours: 300, maxSteps, stopOnViolation: false, ...opts }, realSystem);
    for (const v of r.violations) if (!fired.has(v.rule)) fired.set(v.rule, `seed ${seed}: ${v.service}: ${v.message}`);
  }
  return fired;
}

test('with maintenance windows and silences the real system breaks no rule on these seeds', async () => {
  const fired = await firedOver(MAINT_SEEDS, { nonFatal: [RULES.budget] });
  fired.delete(RULES.budget);
  assert.deepEqual([...fired.values()], []);
});

test('the checker catches a notifier that ignores maintenance windows and silences', async () => {
  const fired = await firedOver(MAINT_SEEDS, { notifier: { muteRule: () => [] } });
  for (const rule of [RULES.muted, RULES.mutedDelivered]) assert.ok(fired.has(rule), `never fired: ${rule}`);
});

test('the checker catches a notifier that keeps muted alerts to itself after the window ends', async () => {
  // Seed 12: a failure muted by a silence is still failing when it ends (most muted alerts are
  // recoveries inside the window, or repeat a failure the person was told before it).
  const fired = await firedOver([12], { notifier: { releaseHeld: false } }, 30_000);
  assert.ok(fired.has(RULES.toldAfter), `never fired: ${RULES.toldAfter}; fired: ${[...fired.keys()].join(', ')}`);
});

test('the checker catches a reconciler that acts during a pause window', async () => {
  // The reconciler is handed every pause window as a silence: it mutes, and keeps recovering.
  const asSilence = (state: DesiredState): DesiredState => ({
    ...state,
    maintenance: new Map([...(state.maintenance ?? new Map<string, DesiredMaintenance>())].map(([k, m]) => [k, { ...m, spec: { ...m.spec, mode: 'silence' as const } }])),
  });
  const wrap = (factory: SystemFactory): SystemFactory => async (deps) => {
    const sut = await factory({ ...deps, desired: asSilence(deps.desired) });
    return { ...sut, setDesired: (s) => sut.setDesired(asSilence(s)) };
  };
  const fired = await firedOver(MAINT_SEEDS, { wrap });
  assert.ok(fired.has(RULES.pause), `never fired: ${RULES.pause}; fired: ${[...fired.keys()].join(', ')}`);
});

test('the checker catches a failure muted in a window told twice, or not at all, after the window ends', () => {
  const spec = serviceSpec({ health_check: healthCheck({ type: 'process', process_name: 'svc', success_threshold: 1, failure_threshold: 1 }) });
  const windowEnd = 100_000;
  const run = (noticesAfter: number) => {
    const maintenance = {
      activeAt: (_s: string, t: number) => (t >= 50_000 && t < windowEnd ? [{ label: 'window/w', mode: 'silence' as const, start: 50_000, end: windowEnd }] : []),
      pausedAt: () => false,
      events: [{ at: windowEnd, service: 'svc', what: 'end' as const }],
      deliveryMs: 5_000,
    };
    const c = new InvariantChecker({ spec: () => spec, cooldownMs: 0, truthDeadlineMs: 1_020_000, maintenance });
    c.onEntry({ t: 60_000, type: 'check-end', service: 'svc', op: 1, health: 'unhealthy', reason: '' });
    c.onEntry({ t: 60_001, type: 'run-start', service: 'svc', op: 2, kind: 'restart' });
    c.onEntry({ t: 60_500, type: 'run-end', service: 'svc', op: 2, kind: 'restart', ok: true, unavailable: false });
    c.onEntry({ t: 90_000, type: 'alert', alert: { id: 'svc:recovery-failed:1', kind: 'recovery-failed', service: 'svc', spec, at: '', message: '', attempt: 1, dependents: [] } });
    c.onEntry({ t: 90_000, type: 'muted', service: 'svc', kind: 'recovery-failed', id: 'svc:recovery-failed:1', by: 'window/w' });
    for (let i = 0; i < noticesAfter; i++) c.onEntry({ t: windowEnd + i, type: 'notice', service: 'svc', kind: 'recovery-failed', id: `svc:recovery-failed:1:after:${i}` });
    c.sweep(windowEnd + 6_000, 120_000);
    return c.violations.map((v) => v.rule);
  };
  assert.deepEqual(run(1), []);
  assert.deepEqual(run(0), [RULES.toldAfter]);
  assert.deepEqual(run(2), [RULES.toldAfter]);
});
