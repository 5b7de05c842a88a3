// The host reconcile (loop, service reconciler, triggers, world) on the test clock with an in-test executor (a fake: these tests pin down
// ordering — write-ahead before the command, dependencies before dependents — which real
// processes cannot make deterministic; test/e2e/vaid-*.test.ts covers the same with real ones).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Value } from '@sinclair/typebox/value';
import { ServiceSpecSchema, type ServiceSpec } from '../../../src/manifest/schema.js';
import type { DesiredService } from '../../../src/manifest/types.js';
import { desiredService, desiredState } from '../../support/desired-state.js';
import type { CheckResult, CommandKind, CommandResult, Executor, PidProbe, ServiceTarget } from '../../../src/executor/types.js';
import type { Alert, Notifier } from '../../../src/notify/types.js';
import type { StatusDocument } from '../../../src/status/schema.js';
import { StatusStore } from '../../../src/status/store.js';
import { statusDocumentProblems } from '../../../src/status/validate.js';
import { HostReconcile, type Log } from '../../../src/reconcile/host-reconcile.js';
import { testClock, type TestClock } from '../../../src/core/clock.js';

const silent: Log = { debug() {}, info() {}, warn() {}, error() {} };

function svc(name: string, deps: string[] = [], extra: Partial<ServiceSpec> = {}): DesiredService {
  const spec = Value.Default(ServiceSpecSchema, {
    restart_cmd: `start ${name}`,
    startup_delay_seconds: 2,
    dependencies: deps,
    ...extra,
    health_check: { type: 'tcp', port: 1, interval_seconds: 10 },
  }) as ServiceSpec;
  return desiredService(name, spec);
}

/** A world of services that are up or down; restart brings one up unless it is `broken`. */
class World implements Executor {
  up = new Map<string, boolean>();
  broken = new Set<string>();
  log: string[] = [];
  onRun: ((t: ServiceTarget, kind: CommandKind) => void) | null = null;
  async check(t: ServiceTarget): Promise<CheckResult> {
    await Promise.resolve();
    this.log.push(`check ${t.name}`);
    return this.up.get(t.name)
      ? { health: 'healthy', reason: 'CheckPassed', message: 'ok', latencyMs: 1 }
      : { health: 'unhealthy', reason: 'ConnectFailed', message: `connect ECONNREFUSED (${t.name})`, latencyMs: 1 };
  }
  async run(t: ServiceTarget, kind: CommandKind): Promise<CommandResult> {
    this.onRun?.(t, kind);
    this.log.push(`${kind} ${t.name}`);
    await Promise.resolve();
    if (kind === 'restart' && !this.broken.has(t.name)) this.up.set(t.name, true);
    return { ok: true, exitCode: 0, signal: null, timedOut: false, unavailable: false, durationMs: 1, message: 'exit 0' };
  }
  async probePid(): Promise<PidProbe> {
    return 'unknown';
  }
  async close() {}
}

class Alerts implements Notifier {
  alerts: Alert[] = [];
  async submit(a: Alert) {
    this.alerts.push(a);
  }
  setTargets() {}
  snapshot() {
    return { outboxSize: 0, dropped: 0, recent: [] };
  }
  async close() {}
}

/** Moves the test clock: every timer due fires in order, with promise continuations settled after each. */
async function advance(clock: TestClock, ms: number, step = 25): Promise<void> {
  for (let t = 0; t < ms; t += step) await clock.advanceAsync(step);
}

function setup(services: DesiredService[], mode: 'daemon' | 'once' = 'daemon', random: () => number = () => 0.5) {
  const clock = testClock();
  const world = new World();
  const notifier = new Alerts();
  const written: StatusDocument[] = [];
  const store = new StatusStore({
    file: '/nowhere/status.json',
    clock,
    vaid: { pid: 1, version: 't', startedAt: new Date(clock.now()).toISOString(), hostname: 'h' },
    manifestsDir: '/m',
    write: (_f, text) => {
      const doc = JSON.parse(text) as StatusDocument;
      assert.equal(statusDocumentProblems(doc), null);
      written.push(doc);
    },
  });
  const controller = new HostReconcile({ clock, executor: world, notifier, store, log: silent, logsDir: '/logs', mode, random, pidProbeIntervalMs: 0 });
  controller.setDesired(desiredState(services));
  return { clock, world, notifier, store, controller, written };
}

test('write-ahead: status.json says Restarting before restart_cmd runs', async () => {
  const { clock, world, controller, written } = setup([svc('db')]);
  world.onRun = (t, kind) => {
    if (kind !== 'restart') return;
    const last = written.at(-1);
    assert.equal(last?.services[t.name]?.recovery?.state, 'Restarting', 'on disk before the command');
  };
  controller.start();
  await advance(clock, 6000);
  assert.ok(world.log.includes('restart db'));
  assert.equal(controller.queue.processingCount, 0);
  await controller.stop(1000);
});

test('dependency and dependent down together: db restarts first, api is healthy on re-check and never restarted', async () => {
  const { clock, world, store, controller } = setup([svc('db'), svc('api', ['db'])]);
  world.up.set('db', true);
  world.up.set('api', true);
  controller.start();
  await advance(clock, 6000);
  assert.equal(store.get('api')?.phase, 'Healthy');
  // Both go down; api comes back by itself once db is up (it only needed its database).
  world.up.set('db', false);
  world.up.set('api', false);
  const origRun = world.run.bind(world);
  world.run = async (t, kind) => {
    const r = await origRun(t, kind);
    if (t.name === 'db' && kind === 'restart') world.up.set('api', true);
    return r;
  };
  controller.queue.add('api');
  await advance(clock, 5000);
  assert.deepEqual(world.log.filter((l) => l.startsWith('restart')), ['restart db']);
  assert.equal(store.get('db')?.phase, 'Healthy');
  assert.equal(store.get('api')?.phase, 'Healthy');
  assert.equal(store.get('api')?.restarts.count, 0);
  const firstRestart = world.log.indexOf('restart db');
  assert.ok(world.log.slice(0, firstRestart).includes('check db'), 'db was checked before its restart');
  await controller.stop(1000);
});

test('one reconcile of a name at a time, even when triggers pile up', async () => {
  const { clock, world, controller } = setup([svc('db')]);
  world.up.set('db', true);
  let inFlight = 0;
  let overlaps = 0;
  const origCheck = world.check.bind(world);
  world.check = async (t) => {
    if (++inFlight > 1) overlaps++;
    await new Promise((r) => clock.setTimer(() => r(undefined), 10));
    inFlight--;
    return origCheck(t);
  };
  controller.start();
  for (let i = 0; i < 50; i++) {
    controller.queue.add('db');
    controller.setMarkers(new Set(i % 2 ? ['db'] : []));
    await clock.advanceAsync(1);
  }
  await advance(clock, 1000);
  assert.equal(overlaps, 0);
  await controller.stop(1000);
});

test('once mode: dependencies first, recoveries verified, then it returns', async () => {
  const { clock, world, store, controller } = setup([svc('api', ['db']), svc('db'), svc('web', ['api'])], 'once');
  world.up.set('api', true);
  world.up.set('web', true);
  const done = controller.runOnce();
  // runOnce waits on real verify polls through the manual clock: drive it.
  let finished = false;
  void done.then(() => (finished = true));
  for (let i = 0; i < 400 && !finished; i++) await clock.advanceAsync(25);
  assert.ok(finished, 'runOnce returned');
  assert.equal(world.log[0], 'check db', 'the first check is the dependency');
  assert.deepEqual(world.log.filter((l) => l.startsWith('restart')), ['restart db']);
  assert.equal(store.get('db')?.phase, 'Healthy');
  assert.deepEqual(controller.unhealthy(), []);
});

test('once mode: a service that cannot be recovered is reported unhealthy and runOnce still returns', async () => {
  const { clock, world, controller, notifier } = setup([svc('db', [], { max_failures: 2 })], 'once');
  world.broken.add('db');
  let finished = false;
  void controller.runOnce().then(() => (finished = true));
  for (let i = 0; i < 2000 && !finished; i++) await clock.advanceAsync(25);
  assert.ok(finished);
  assert.equal(world.log.filter((l) => l === 'restart db').length, 2, 'max_failures attempts, then backoff');
  assert.deepEqual(controller.unhealthy().map((s) => s.phase), ['CrashLoopBackOff']);
  assert.deepEqual(notifier.alerts.map((a) => a.kind), ['recovery-failed', 'crash-loop']);
});

test('a dependent waiting on a disabled dependency is not re-checked each time its other, healthy dependency is', async () => {
  // Seed 1 of the simulation (svc-4): db is checked every second and healthy, cache is disabled;
  // api (interval 10 s) waits for cache and was woken by every healthy check of db.
  const db = svc('db');
  const fastDb = { ...db, spec: { ...db.spec, health_check: { ...db.spec.health_check, interval_seconds: 1 } } };
  const { clock, world, store, controller } = setup([fastDb, svc('cache', [], { enabled: false }), svc('api', ['db', 'cache'])]);
  world.up.set('db', true);
  // Each check takes 1 ms of the test clock, so a zero-time loop of wake-ups (what the old rule
  // did) shows as checks, not as a test that never yields.
  const check = world.check.bind(world);
  world.check = async (t) => {
    await new Promise((r) => clock.setTimer(() => r(undefined), 1));
    return check(t);
  };
  controller.start();
  await advance(clock, 12_000);
  assert.equal(store.get('api')?.phase, 'WaitingForDependency');
  const before = world.log.length;
  await advance(clock, 60_000);
  const window = world.log.slice(before);
  const apiChecks = window.filter((l) => l === 'check api').length;
  const dbChecks = window.filter((l) => l === 'check db').length;
  assert.ok(dbChecks >= 40, `db is checked on its own 1 s interval (${dbChecks} checks in 60 s)`);
  assert.ok(apiChecks <= 8, `api is checked about once per its 10 s interval, not after each of db's checks: ${apiChecks} checks in 60 s`);
  assert.deepEqual(window.filter((l) => l.startsWith('restart')), [], 'nothing is restarted while cache is disabled');
  await controller.stop(1000);
});

test('a waiting dependent is re-checked as soon as its last unready dependency turns healthy', async () => {
  const { clock, world, store, controller } = setup([svc('db', [], { max_failures: 1, backoff_initial_seconds: 300, backoff_max_seconds: 300 }), svc('cache'), svc('api', ['db', 'cache'])]);
  world.up.set('cache', true);
  world.broken.add('db');
  controller.start();
  await advance(clock, 20_000);
  assert.equal(store.get('db')?.phase, 'CrashLoopBackOff');
  assert.equal(store.get('api')?.phase, 'WaitingForDependency');
  // db comes back by itself; its next check is on its interval, and api must follow at once.
  world.broken.delete('db');
  world.up.set('db', true);
  world.up.set('api', true);
  const dbHealthy = async () => {
    for (let i = 0; i < 2000 && store.get('db')?.phase !== 'Healthy'; i++) await advance(clock, 25);
  };
  await dbHealthy();
  assert.equal(store.get('db')?.phase, 'Healthy');
  const healedAt = clock.now();
  for (let i = 0; i < 400 && store.get('api')?.phase !== 'Healthy'; i++) await advance(clock, 25);
  assert.equal(store.get('api')?.phase, 'Healthy');
  assert.ok(clock.now() - healedAt < 1000, `api re-checked ${clock.now() - healedAt} ms after db healed, not on its 10 s interval`);
  assert.equal(store.get('api')?.restarts.count, 0);
  await controller.stop(1000);
});

test('regular checks of many services start on shared 100 ms ticks, each about once per interval', async () => {
  const names = Array.from({ length: 30 }, (_, i) => `svc-${i}`);
  let seed = 7;
  const random = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
  const every1s = names.map((n) => {
    const s = svc(n);
    return { ...s, spec: { ...s.spec, health_check: { ...s.spec.health_check, interval_seconds: 1 } } };
  });
  const { clock, world, controller } = setup(every1s, 'daemon', random);
  for (const n of names) world.up.set(n, true);
  const at: number[] = [];
  const check = world.check.bind(world);
  world.check = (t) => {
    at.push(clock.now());
    return check(t);
  };
  controller.start();
  await advance(clock, 10_000, 10);
  assert.ok(at.every((t) => t % 100 === 0), `every check started on a tick: ${at.filter((t) => t % 100 !== 0).slice(0, 5).map((t) => t % 1000).join(', ')}`);
  assert.ok(new Set(at).size < at.length / 2, `${at.length} checks on ${new Set(at).size} ticks: ticks are shared`);
  for (const n of names) {
    const checks = world.log.filter((l) => l === `check ${n}`).length;
    assert.ok(checks >= 9 && checks <= 11, `${n}: ${checks} checks in 10 s at a 1 s interval`);
  }
  await controller.stop(1000);
});

test('the pid probe sets no timer while no service has a pid_file, and starts when one gets one', async () => {
  const clock = testClock();
  const store = new StatusStore({ file: '/nowhere/status.json', clock, vaid: { pid: 1, version: 't', startedAt: new Date(clock.now()).toISOString(), hostname: 'h' }, manifestsDir: '/m', write: () => {} });
  const world = new World();
  let probes = 0;
  world.probePid = async () => {
    probes++;
    return 'alive';
  };
  const controller = new HostReconcile({ clock, executor: world, notifier: new Alerts(), store, log: silent, logsDir: '/logs', random: () => 0.5, pidProbeIntervalMs: 100 });
  controller.setDesired(desiredState([svc('web')]));
  world.up.set('web', true);
  controller.start();
  await advance(clock, 3000);
  assert.equal(store.get('web')?.phase, 'Healthy');
  assert.equal(clock.pendingTimers(), 1, 'only the next check is pending: nothing wakes vaid every 100 ms');
  assert.equal(probes, 0);
  controller.setDesired({ ...desiredState([svc('web', [], { pid_file: '/run/web.pid' })]), generation: 2 });
  await advance(clock, 1000);
  assert.ok(probes >= 5, `${probes} probes in 1 s once web has a pid_file`);
  await controller.stop(1000);
});

test('a dependent is not restarted on a check that began before its dependency healed', async () => {
  // Issue 7 (b): api waits for db; api's next check times out after 6 s, and db heals 3 s into
  // it. That failure may be db's doing, so api must be checked again before any restart; here
  // it is healthy again and must never be restarted.
  const { clock, world, store, controller } = setup([svc('db', [], { max_failures: 1, backoff_initial_seconds: 600, backoff_max_seconds: 600 }), svc('api', ['db'])]);
  world.up.set('db', true);
  world.up.set('api', true);
  let apiHung = false;
  let healedAt = 0;
  const check = world.check.bind(world);
  world.check = async (t) => {
    if (t.name !== 'api' || !apiHung) return check(t);
    apiHung = false;
    world.log.push('check api');
    clock.setTimer(() => {
      world.broken.delete('db');
      world.up.set('db', true);
      world.up.set('api', true);
      healedAt = clock.now();
      controller.queue.add('db');
    }, 3000);
    await new Promise((r) => clock.setTimer(() => r(undefined), 6000));
    return { health: 'unhealthy', reason: 'Timeout', message: 'timed out after 6 s', latencyMs: 6000 };
  };
  controller.start();
  await advance(clock, 6000);
  assert.equal(store.get('api')?.phase, 'Healthy');
  // db breaks for good (restarts do nothing) and api fails without it.
  world.up.set('db', false);
  world.broken.add('db');
  world.up.set('api', false);
  controller.queue.add('db');
  for (let i = 0; i < 400 && store.get('db')?.phase !== 'CrashLoopBackOff'; i++) await advance(clock, 25);
  assert.equal(store.get('db')?.phase, 'CrashLoopBackOff');
  controller.queue.add('api');
  for (let i = 0; i < 400 && store.get('api')?.phase !== 'WaitingForDependency'; i++) await advance(clock, 25);
  assert.equal(store.get('api')?.phase, 'WaitingForDependency');
  apiHung = true;
  controller.queue.add('api');
  const settled = () => healedAt > 0 && Date.parse(store.get('api')?.lastCheck?.at ?? '') > healedAt + 3000 && !controller.queue.isProcessing('api');
  for (let i = 0; i < 2000 && !settled(); i++) await advance(clock, 25);
  assert.ok(healedAt > 0, "db healed during api's slow check");
  assert.equal(store.get('db')?.phase, 'Healthy');
  assert.deepEqual(world.log.filter((l) => l === 'restart api'), [], 'api was not restarted on the strength of a check that began before db healed');
  assert.equal(store.get('api')?.phase, 'Healthy');
  await controller.stop(1000);
});
