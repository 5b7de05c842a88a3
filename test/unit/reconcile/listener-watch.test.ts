// The listener watch of the host reconcile on a manual clock, with an in-test executor (a fake, as in
// controller.test.ts: these tests pin down what a gone process triggers and when, which real
// processes cannot make deterministic; test/e2e/vaid-recovery.test.ts kills real ones).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Value } from '@sinclair/typebox/value';
import { ServiceSpecSchema, type ServiceSpec } from '../../../src/manifest/schema.js';
import type { DesiredService } from '../../../src/manifest/types.js';
import { desiredService, desiredState } from '../../support/desired-state.js';
import type { CheckResult, CommandKind, CommandResult, Executor, ListenerLookup, PidProbe, ServiceTarget, WatchedProcess } from '../../../src/executor/types.js';
import type { Notifier } from '../../../src/notify/types.js';
import { StatusStore } from '../../../src/status/store.js';
import { HostReconcile, type Log } from '../../../src/reconcile/host-reconcile.js';
import { testClock, type TestClock } from '../../../src/core/clock.js';
import { FREEZE_PROBE_MAX_MS, FREEZE_PROBE_MS, ListenerWatches } from '../../../src/reconcile/listener-watch.js';
import type { ServiceStatus } from '../../../src/status/schema.js';
import type { Clock } from '../../../src/core/clock.js';

const INTERVAL_S = 60;

function svc(name: string, extra: Partial<ServiceSpec> = {}, intervalSeconds = INTERVAL_S): DesiredService {
  const spec = Value.Default(ServiceSpecSchema, {
    restart_cmd: `start ${name}`,
    stop_cmd: `stop ${name}`,
    startup_delay_seconds: 2,
    ...extra,
    health_check: { type: 'http', endpoint: 'http://127.0.0.1:8080/', interval_seconds: intervalSeconds },
  }) as ServiceSpec;
  return desiredService(name, spec);
}

/** One service process per name: `pid` serves while `up`; a restart starts a new pid. */
class World implements Executor {
  up = new Map<string, boolean>();
  pid = new Map<string, number>();
  alive = new Set<number>();
  log: string[] = [];
  lookups = 0;
  probes = 0;
  private nextPid = 100;

  startProcess(name: string): number {
    const pid = this.nextPid++;
    this.pid.set(name, pid);
    this.alive.add(pid);
    this.up.set(name, true);
    return pid;
  }

  async check(t: ServiceTarget): Promise<CheckResult> {
    await Promise.resolve();
    this.log.push(`check ${t.name}`);
    return this.up.get(t.name)
      ? { health: 'healthy', reason: 'CheckPassed', message: 'HTTP 200', latencyMs: 1 }
      : { health: 'unhealthy', reason: 'ConnectFailed', message: 'connect ECONNREFUSED', latencyMs: 1 };
  }

  async run(t: ServiceTarget, kind: CommandKind): Promise<CommandResult> {
    this.log.push(`${kind} ${t.name}`);
    await Promise.resolve();
    if (kind === 'restart') this.startProcess(t.name);
    return { ok: true, exitCode: 0, signal: null, timedOut: false, unavailable: false, durationMs: 1, message: 'exit 0' };
  }

  async probePid(): Promise<PidProbe> {
    return 'unknown';
  }

  async findListeners(targets: readonly ServiceTarget[]): Promise<Map<string, ListenerLookup>> {
    this.lookups++;
    await Promise.resolve();
    const out = new Map<string, ListenerLookup>();
    for (const t of targets) {
      const pid = this.pid.get(t.name);
      out.set(
        t.name,
        pid !== undefined && this.up.get(t.name)
          ? { kind: 'found', process: { pid, startTime: pid * 10, what: 'listener on 127.0.0.1:8080' }, ...(t.spec.pid_file ? { fromPidFile: true } : {}) }
          : { kind: 'none', reason: 'nothing listens on 127.0.0.1:8080', retry: true },
      );
    }
    return out;
  }

  probeProcess(p: WatchedProcess): PidProbe {
    this.probes++;
    if (this.frozen.has(p.pid)) return 'stopped';
    return this.alive.has(p.pid) ? 'alive' : 'dead';
  }

  frozen = new Set<number>();

  /** name is served by the process of `by` (many services checked on one listener). */
  share(name: string, by: string): void {
    this.pid.set(name, this.pid.get(by)!);
    this.up.set(name, true);
  }

  /** kill -9: the process and its listener are gone. */
  crash(name: string): void {
    this.alive.delete(this.pid.get(name)!);
    this.up.set(name, false);
  }

  /** The service hands its listening socket to a new process and the old one exits. */
  handOver(name: string): number {
    const old = this.pid.get(name)!;
    const pid = this.startProcess(name);
    this.alive.delete(old);
    return pid;
  }

  async close() {}
}

const silentNotifier: Notifier = {
  async submit() {},
  setTargets() {},
  snapshot: () => ({ outboxSize: 0, dropped: 0, recent: [] }),
  async close() {},
};

/** Lets promise continuations run without moving the clock (an exit notice arrives outside any timer). */
async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
}

/** Moves the test clock: every timer due fires in order, with promise continuations settled after each. */
async function advance(clock: TestClock, ms: number, step = 25): Promise<void> {
  for (let t = 0; t < ms; t += step) await clock.advanceAsync(step);
}

function setup(services: DesiredService[]) {
  const clock = testClock();
  const world = new World();
  const lines: string[] = [];
  const log: Log = { debug() {}, info: (_o, m) => void lines.push(m ?? ''), warn: (_o, m) => void lines.push(m ?? ''), error() {} };
  const store = new StatusStore({
    file: '/nowhere/status.json',
    clock,
    vaid: { pid: 1, version: 't', startedAt: new Date(clock.now()).toISOString(), hostname: 'h' },
    manifestsDir: '/m',
    write: () => {},
  });
  const controller = new HostReconcile({ clock, executor: world, notifier: silentNotifier, store, log, logsDir: '/logs', random: () => 0.5, pidProbeIntervalMs: 100 });
  controller.setDesired(desiredState(services));
  return { clock, world, store, controller, lines };
}

test('no pid_file: the listener process is watched; its crash is checked and restarted long before the next interval', async () => {
  const { clock, world, store, controller, lines } = setup([svc('web')]);
  const first = world.startProcess('web');
  controller.start();
  await advance(clock, 6000);
  assert.equal(store.get('web')?.phase, 'Healthy');
  assert.equal(controller.listeners.watched('web')?.pid, first);
  const seen = world.log.length;

  world.crash('web');
  await advance(clock, 1000);
  // The probe's check, stop_cmd, restart_cmd, then the verification's check: all within a
  // second of an interval of a minute.
  assert.deepEqual(world.log.slice(seen), ['check web', 'stop web', 'restart web', 'check web']);
  assert.ok(lines.includes(`web: listener process ${first} is gone; checking now`));
  assert.equal(store.get('web')?.phase, 'Healthy');
  assert.equal(store.get('web')?.restarts.count, 1);
  assert.equal(controller.listeners.watched('web')?.pid, world.pid.get('web'), 'the new process is watched after the restart');
  assert.notEqual(world.pid.get('web'), first);
  await controller.stop(1000);
});

test('listener handed to a new process (graceful reload): a check, no restart, the new pid watched', async () => {
  const { clock, world, store, controller } = setup([svc('web')]);
  world.startProcess('web');
  controller.start();
  await advance(clock, 6000);
  assert.equal(store.get('web')?.phase, 'Healthy');
  const checks = world.log.filter((l) => l === 'check web').length;
  const lookups = world.lookups;

  const next = world.handOver('web');
  await advance(clock, 6000);
  assert.equal(world.log.filter((l) => l === 'check web').length, checks + 1, 'the gone pid caused one check');
  assert.ok(!world.log.some((l) => l.startsWith('restart') || l.startsWith('stop')), 'never stopped or restarted');
  assert.equal(store.get('web')?.restarts.count, 0);
  assert.equal(store.get('web')?.phase, 'Healthy');
  assert.equal(controller.listeners.watched('web')?.pid, next);
  assert.equal(world.lookups, lookups + 1, 'looked up once more, not per probe');
  await controller.stop(1000);
});

test('listener frozen (SIGSTOP): checked at once; the check decides', async () => {
  const { clock, world, store, controller, lines } = setup([svc('web')]);
  const pid = world.startProcess('web');
  controller.start();
  await advance(clock, 6000);
  const seen = world.log.length;
  world.frozen.add(pid);
  await advance(clock, 500);
  assert.deepEqual(world.log.slice(seen), ['check web'], 'one check, started by the probe; it passes here, so nothing else');
  assert.ok(lines.includes(`web: listener process ${pid} is stopped (SIGSTOP); checking now`));
  await advance(clock, 2000);
  assert.deepEqual(world.log.slice(seen), ['check web'], 'not checked again while it stays stopped');
  assert.equal(store.get('web')?.restarts.count, 0);
  await controller.stop(1000);
});

// The pid_file probe watches a pid_file service; the listener watch takes over only once the
// pid_file is stale (diagnosis-defects.test.ts, PidFileStale).
test("a service with a pid_file: its pid is watched for its exit, and its freezes are the pid_file probe's to report", async () => {
  const { clock, world, store, controller } = setup([svc('db', { pid_file: '/run/db.pid' })]);
  const pid = world.startProcess('db');
  controller.start();
  await advance(clock, 6000);
  assert.equal(store.get('db')?.phase, 'Healthy');
  assert.equal(controller.listeners.watched('db')?.pid, pid, "the pid_file's pid is the process watched");
  world.frozen.add(pid);
  await advance(clock, 1000);
  assert.equal(controller.listeners.probe(() => true).length, 0, 'a frozen pid_file pid is the pid_file probe\'s to report');
  await controller.stop(1000);
});

/** The World with the kernel's exit notice: `crash` fires the watches of the process. */
class NotifyingWorld extends World {
  watches = new Map<number, () => void>();
  refuse = false;
  watchExit(p: WatchedProcess, onExit: () => void): (() => void) | null {
    if (this.refuse) return null;
    this.watches.set(p.pid, onExit);
    return () => this.watches.delete(p.pid);
  }
  override crash(name: string): void {
    const pid = this.pid.get(name)!;
    super.crash(name);
    const w = this.watches.get(pid);
    this.watches.delete(pid);
    w?.();
  }
}

function setupNotifying(services: DesiredService[], refuse = false) {
  const s = setup(services);
  const world = new NotifyingWorld();
  world.refuse = refuse;
  const controller = new HostReconcile({ clock: s.clock, executor: world, notifier: silentNotifier, store: s.store, log: { debug() {}, info: (_o, m) => void s.lines.push(m ?? ''), warn() {}, error() {} }, logsDir: '/logs', random: () => 0.5, pidProbeIntervalMs: 100 });
  controller.setDesired(desiredState(services));
  return { ...s, world, controller };
}

test('the kernel reports the exit: the crash is checked at once, with no probe tick, and probing slows to the freeze cadence', async () => {
  const { clock, world, store, controller, lines } = setupNotifying([svc('web')]);
  const first = world.startProcess('web');
  controller.start();
  await advance(clock, 6000);
  assert.equal(controller.listeners.watched('web')?.pid, first);
  assert.equal(controller.listeners.probeEveryMs(100), FREEZE_PROBE_MS);
  const probes = world.probes;
  await advance(clock, 2000);
  assert.ok(world.probes - probes <= Math.ceil(2000 / FREEZE_PROBE_MS) + 1, `probed ${world.probes - probes} times in 2 s, not 10 a second`);
  const seen = world.log.length;
  world.crash('web');
  await settle();
  assert.deepEqual(world.log.slice(seen, seen + 1), ['check web'], 'checked on the exit notice itself, before any timer');
  assert.ok(lines.some((l) => l.includes(`(pid ${first}) exited; checking now`)));
  await advance(clock, 3000);
  assert.equal(store.get('web')?.restarts.count, 1);
  assert.equal(store.get('web')?.phase, 'Healthy');
  await controller.stop(1000);
  assert.equal(world.watches.size, 0, 'stopping drops every exit watch (a waiting poll would keep vaid alive)');
});

test('with exits watched, the freeze probe follows the check interval: every 5 s at 60 s, every 500 ms at 1 s; a SIGSTOP is still found between two checks', async () => {
  for (const [interval, everyMs] of [[60, FREEZE_PROBE_MAX_MS], [1, FREEZE_PROBE_MS]] as const) {
    const { clock, world, controller, lines } = setupNotifying([svc('web', {}, interval)]);
    const pid = world.startProcess('web');
    controller.start();
    await advance(clock, 6000);
    assert.equal(controller.listeners.watched('web')?.pid, pid);
    const probes = world.probes;
    await advance(clock, 20_000);
    const n = world.probes - probes;
    assert.ok(n >= 20_000 / everyMs - 1 && n <= 20_000 / everyMs + 1, `interval ${interval} s: ${n} probes in 20 s, expected about ${20_000 / everyMs}`);
    const seen = world.log.length;
    world.frozen.add(pid);
    await advance(clock, everyMs + 100);
    assert.ok(lines.includes(`web: listener process ${pid} is stopped (SIGSTOP); checking now`), `interval ${interval} s: the freeze is seen within ${everyMs} ms`);
    assert.ok(world.log.slice(seen).includes('check web'));
    await controller.stop(1000);
  }
});

test('the kernel refuses the exit watch: the listener is polled at the fast cadence, as before', async () => {
  const { clock, world, store, controller } = setupNotifying([svc('web')], true);
  world.startProcess('web');
  controller.start();
  await advance(clock, 6000);
  assert.equal(controller.listeners.probeEveryMs(100), 100);
  const seen = world.log.length;
  world.crash('web');
  await advance(clock, 200);
  assert.deepEqual(world.log.slice(seen, seen + 1), ['check web'], 'the probe found it within two ticks');
  await advance(clock, 3000);
  assert.equal(store.get('web')?.restarts.count, 1);
  await controller.stop(1000);
});

test('nothing found: looked up again only after a minute, not at every check', async () => {
  const { clock, world, store, controller } = setup([svc('odd', {}, 1)]);
  world.up.set('odd', true);
  controller.start();
  await advance(clock, 10_000, 50);
  assert.equal(store.get('odd')?.phase, 'Healthy');
  assert.ok(world.log.filter((l) => l === 'check odd').length >= 8);
  assert.equal(world.lookups, 1);
  await advance(clock, 60_000, 250);
  assert.equal(world.lookups, 2);
  await controller.stop(1000);
});

test('services checked on one listener: one probe per round for all of them, and its crash checks each', async () => {
  const names = Array.from({ length: 50 }, (_, i) => `web-${i}`);
  const { clock, world, store, controller, lines } = setup(names.map((n) => svc(n)));
  const pid = world.startProcess('web-0');
  for (const n of names.slice(1)) world.share(n, 'web-0');
  controller.start();
  await advance(clock, 6000);
  assert.ok(names.every((n) => store.get(n)?.phase === 'Healthy'));
  assert.ok(names.every((n) => controller.listeners.watched(n)?.pid === pid));
  const probes = world.probes;
  await advance(clock, 1000);
  // 10 probe rounds a second; 50 services would be 500 reads if each service were probed.
  assert.ok(world.probes - probes <= 11, `${world.probes - probes} probes in 1 s`);
  const seen = world.log.length;
  world.alive.delete(pid);
  await advance(clock, 500);
  const checked = new Set(world.log.slice(seen).filter((l) => l.startsWith('check ')).map((l) => l.slice('check '.length)));
  assert.deepEqual([...checked].sort(), [...names].sort(), 'every service on the gone listener is checked at once');
  assert.ok(lines.includes(`web-7: listener process ${pid} is gone; checking now`));
  await controller.stop(1000);
});

test('services turning Healthy one I/O callback after another share lookups: one per gap, not one each', async () => {
  // Each lookup "takes" 20 ms of the clock (the listener table at 1,000 services): in vaid the
  // lookups ran back to back, one service each, 45 a second, and checks timed out behind them.
  const base = testClock();
  let spent = 0;
  const clock: Clock = { ...base, now: () => base.now() + spent };
  const world = new World();
  const names = Array.from({ length: 50 }, (_, i) => `web-${i}`);
  world.startProcess('web-0');
  for (const n of names.slice(1)) world.share(n, 'web-0');
  const lookUp = world.findListeners.bind(world);
  world.findListeners = (t) => {
    spent += 20;
    return lookUp(t);
  };
  const services = new Map(names.map((n) => [n, svc(n)]));
  const watches = new ListenerWatches({ clock, executor: world, log: { debug() {}, info() {}, warn() {}, error() {} }, target: (n) => ({ name: n, spec: services.get(n)!.spec }) as ServiceTarget });
  for (const n of names) {
    watches.healthy(services.get(n)!, { restarts: { count: 0 } } as ServiceStatus);
    await base.advanceAsync(5);
  }
  await advance(base, 1000);
  await watches.idle();
  assert.ok(names.every((n) => watches.watched(n)?.pid === world.pid.get('web-0')), 'every service watched');
  // 50 services over 250 ms, lookups of 20 ms at least 80 ms apart: a handful, not 50.
  assert.ok(world.lookups <= 6, `${world.lookups} lookups for 50 services`);
});
