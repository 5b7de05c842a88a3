// Windows and silences reaching the reconcile and the notifier, on the test clock with an
// in-test executor and notifier (fakes: these pin down the order of inputs and the window's
// edge, which real processes cannot make deterministic; test/e2e/maintenance-vaid.test.ts covers
// the same with a real vaid). The notifier must hear of mutes only once both the windows and the
// silences are known, or it could release an alert the other still holds; a pause window holds
// back recovery until its end, and the service is recovered right at the edge.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Value } from '@sinclair/typebox/value';
import { ServiceSpecSchema, type MaintenanceSpec, type ServiceSpec } from '../../../src/manifest/schema.js';
import type { DesiredMaintenance } from '../../../src/manifest/maintenance-window.js';
import { desiredService, desiredState } from '../../support/desired-state.js';
import type { CheckResult, CommandResult, Executor, PidProbe, ServiceTarget } from '../../../src/executor/types.js';
import type { Notifier } from '../../../src/notify/types.js';
import type { MuteSources } from '../../../src/notify/mute.js';
import type { Silence } from '../../../src/status/state-dir/silences.js';
import { StatusStore } from '../../../src/status/store.js';
import { HostReconcile, type Log } from '../../../src/reconcile/host-reconcile.js';
import { testClock, type TestClock } from '../../../src/core/clock.js';

const silent: Log = { debug() {}, info() {}, warn() {}, error() {} };

class Host implements Executor {
  up = false;
  restarts: number[] = [];
  constructor(private readonly clock: TestClock) {}
  async check(): Promise<CheckResult> {
    await Promise.resolve();
    return this.up ? { health: 'healthy', reason: 'CheckPassed', message: 'ok', latencyMs: 1 } : { health: 'unhealthy', reason: 'ConnectFailed', message: 'connect ECONNREFUSED', latencyMs: 1 };
  }
  async run(_t: ServiceTarget, kind: string): Promise<CommandResult> {
    await Promise.resolve();
    if (kind === 'restart') {
      this.restarts.push(this.clock.now());
      this.up = true;
    }
    return { ok: true, exitCode: 0, signal: null, timedOut: false, unavailable: false, durationMs: 1, message: 'exit 0' };
  }
  async probePid(): Promise<PidProbe> {
    return 'unknown';
  }
  async close() {}
}

class MuteLog implements Notifier {
  told: MuteSources[] = [];
  async submit() {}
  setTargets() {}
  setMutes(src: MuteSources) {
    this.told.push(src);
  }
  snapshot() {
    return { outboxSize: 0, dropped: 0, recent: [] };
  }
  async close() {}
}

function window(name: string, start: number, end: number, mode: 'silence' | 'pause'): DesiredMaintenance {
  const spec = { schedule: { start: new Date(start).toISOString(), end: new Date(end).toISOString() }, selector: { names: ['db'] }, mode } as MaintenanceSpec;
  return { name, spec, labelSelector: null, source: { file: `/m/${name}.yaml`, line: 1, column: 1 } };
}

function setup() {
  const clock = testClock();
  const host = new Host(clock);
  const notifier = new MuteLog();
  const store = new StatusStore({ file: '/nowhere/status.json', clock, vaid: { pid: 1, version: 't', startedAt: new Date(clock.now()).toISOString(), hostname: 'h' }, manifestsDir: '/m', write: () => {} });
  const controller = new HostReconcile({ clock, executor: host, notifier, store, log: silent, logsDir: '/logs', mode: 'daemon', random: () => 0.5, pidProbeIntervalMs: 0 });
  const spec = Value.Default(ServiceSpecSchema, { restart_cmd: 'start db', startup_delay_seconds: 1, health_check: { type: 'tcp', port: 1, interval_seconds: 10 } }) as ServiceSpec;
  const db = desiredService('db', spec);
  const withWindows = (...w: DesiredMaintenance[]) => ({ ...desiredState([db]), maintenance: new Map(w.map((x) => [x.name, x])) });
  return { clock, host, notifier, store, controller, withWindows };
}

const silence = (now: number): Silence => ({ id: 's-0123abcd', names: ['db'], selector: null, reason: '', createdAt: new Date(now).toISOString(), endsAt: new Date(now + 3_600_000).toISOString() });

test('the notifier hears of mutes only once both the windows and the silences were read, in either order', () => {
  const a = setup();
  a.controller.setDesired(a.withWindows(window('w', a.clock.now() - 1, a.clock.now() + 60_000, 'silence')));
  assert.equal(a.notifier.told.length, 0, 'windows alone: a silence read later may still hold an alert');
  a.controller.setSilences([silence(a.clock.now())]);
  assert.equal(a.notifier.told.length, 1);
  const src = a.notifier.told[0]!;
  assert.deepEqual([[...(src.windows as Map<string, unknown>).keys()], src.silences.map((s) => s.id)], [['w'], ['s-0123abcd']]);

  const b = setup();
  b.controller.setSilences([silence(b.clock.now())]);
  assert.equal(b.notifier.told.length, 0, 'silences alone: a window read later may still hold an alert');
  b.controller.setDesired(desiredState([]));
  assert.equal(b.notifier.told.length, 1, 'told once the manifests were read, even with no window in them');
});

test('a pause window: no restart while it lasts; the failing service is restarted at its end, not a check interval later', async () => {
  const { clock, host, store, controller, withWindows } = setup();
  const end = clock.now() + 30_500;
  controller.setDesired(withWindows(window('pause', clock.now() - 1, end, 'pause')));
  controller.setSilences([]);
  controller.start();
  for (let t = 0; t < 30_000; t += 25) await clock.advanceAsync(25);
  assert.deepEqual(host.restarts, []);
  assert.equal(store.get('db')?.phase, 'Degraded');
  assert.equal(store.get('db')?.maintenance?.[0]?.name, 'pause');
  for (let t = 0; t < 15_000 && host.restarts.length === 0; t += 25) await clock.advanceAsync(25);
  assert.equal(host.restarts.length, 1);
  assert.ok(host.restarts[0]! >= end && host.restarts[0]! < end + 1_000, `restarted ${host.restarts[0]! - end} ms after the end`);
  for (let t = 0; t < 3_000; t += 25) await clock.advanceAsync(25);
  assert.equal(store.get('db')?.phase, 'Healthy');
  assert.equal(store.get('db')?.maintenance, undefined);
  await controller.stop(1000);
});
