// Runs one seed: a random host (scenario), faults, manual stops and spec changes on virtual
// time, the real reconciler in the middle, and the invariants checked after every step.
import type { ServiceSpec } from '../../src/manifest/schema.js';
import type { DesiredService } from '../../src/manifest/types.js';
import { InvariantChecker, type Violation } from './invariants.js';
import { createRng } from './prng.js';
import type { DesiredMaintenance } from '../../src/manifest/types.js';
import type { Silence } from '../../src/status/state-dir/silences.js';
import { makeMaintenance, type MaintenancePlan } from './maintenance.js';
import { RecordingNotifier, type NoticeRule, type RecordingNotifierOptions } from './recording-notifier.js';
import { desiredService, desiredStateOf, makeScenario } from './scenario.js';
import { SimExecutor } from './sim-executor.js';
import { SimWorld } from './sim-world.js';
import { documentProblems, serviceProblems } from './status-check.js';
import type { SystemFactory } from './system.js';
import { formatEntry, Trace, type TraceEntry } from './trace.js';
import { VirtualClock } from './virtual-clock.js';

export interface SeedOptions {
  hours: number;
  services?: number;
  /** Validate the whole document every Nth write (each service status is validated on every change). */
  fullDocumentEvery?: number;
  /** Stop at the first violation (the default) or collect up to the cap. */
  stopOnViolation?: boolean;
  /** Rules recorded but not stopping the run (they are judged by another test). */
  nonFatal?: readonly string[];
  /** Ends the seed early after this many steps (CPU budget); its service-hours count what ran. */
  maxSteps?: number;
  /** What the notifier tells a person (default: src/notify/truth.ts); the oracle's test swaps in a faulty one. */
  noticeRule?: NoticeRule;
  /** Other faults of the notifier for the oracle's test (muting, releasing held alerts). */
  notifier?: Omit<RecordingNotifierOptions, 'noticeRule'>;
  /** Seeded maintenance windows and ad-hoc silences (default true). */
  maintenance?: boolean;
  /** Wraps the system under test (the oracle's test hides pause windows from the reconciler). */
  wrap?: (factory: SystemFactory) => SystemFactory;
}

export interface SeedResult {
  seed: number;
  services: number;
  serviceHours: number;
  steps: number;
  checks: number;
  restarts: number;
  failedRecoveries: number;
  recoveries: number;
  alerts: number;
  /** Alerts recorded as muted by a window or silence. */
  muted: number;
  /** Maintenance windows and silences in the run. */
  mutes: number;
  faults: number;
  statusWrites: number;
  violations: Violation[];
  /** The last trace entries of the first violating service, for the report. */
  context: string[];
}

export const COOLDOWN_SECONDS = 900;
/** How soon after a mute ends the person must be told: the notifier's release timer fires at the end; delivery here is instant. */
export const RELEASE_DELIVERY_MS = 5_000;

export function replayCommand(seed: number, opts: SeedOptions): string {
  const svc = opts.services !== undefined ? ` --services ${opts.services}` : '';
  const steps = opts.maxSteps !== undefined ? ` --max-steps ${opts.maxSteps}` : '';
  return `node --import tsx test/sim/replay.ts --seed ${seed} --hours ${opts.hours}${svc}${steps}`;
}

export async function runSeed(seed: number, opts: SeedOptions, factory: SystemFactory): Promise<SeedResult> {
  const rng = createRng(seed);
  const clock = new VirtualClock();
  const t0 = clock.now();
  const trace = new Trace();
  const scenario = makeScenario(rng.fork('scenario'), opts.services === undefined ? {} : { services: opts.services });
  const world = new SimWorld(clock, rng.fork('world'), trace, {
    serviceFaultMeanMs: scenario.faultMeanMs,
    engineOutageMeanMs: 8 * 3_600_000,
    engineOutageMaxMs: 15 * 60_000,
  });
  const specs = new Map<string, ServiceSpec>();
  const desired = new Map<string, DesiredService>();
  const end = t0 + opts.hours * 3_600_000;
  const plan = opts.maintenance === false ? null : makeMaintenance(rng.fork('maintenance'), scenario.services.map((s) => s.name), t0, opts.hours);
  const labelsOf = (name: string) => plan?.labels.get(name) ?? {};
  for (const s of scenario.services) {
    world.add({ name: s.name, dependencies: s.spec.dependencies, container: s.container, startMs: s.startMs, needsDeps: s.needsDeps });
    specs.set(s.name, s.spec);
    desired.set(s.name, desiredService(s, s.spec, 1, labelsOf(s.name)));
  }
  let windows: ReadonlyMap<string, DesiredMaintenance> = plan?.initialWindows ?? new Map();
  const checker = new InvariantChecker({
    spec: (n) => specs.get(n)!,
    cooldownMs: 0,
    truthDeadlineMs: COOLDOWN_SECONDS * 1000 + 120_000,
    ...(plan ? { maintenance: { activeAt: plan.activeAt, pausedAt: plan.pausedAt, events: coverageEvents(plan, scenario.services.map((s) => s.name)), deliveryMs: RELEASE_DELIVERY_MS } } : {}),
  });
  const counts = { checks: 0, restarts: 0, faults: 0, writes: 0 };
  // Windows opening and closing and muted alerts are few and may lie far back: kept apart for the report.
  const muteLog: TraceEntry[] = [];
  trace.on((e) => {
    checker.onEntry(e);
    if (e.type === 'maintenance' || e.type === 'muted') muteLog.push(e);
    if (e.type === 'check-end') counts.checks++;
    else if (e.type === 'run-start' && e.kind === 'restart') counts.restarts++;
    else if (e.type === 'fault') counts.faults++;
  });
  const statusViolation = (message: string, service = '*') => checker.violations.push({ t: clock.now(), rule: 'the status document validates and agrees with what happened', service, message });
  const fullEvery = opts.fullDocumentEvery ?? 25;
  let lastText = '';
  const notifier = new RecordingNotifier(clock, trace, COOLDOWN_SECONDS, { ...opts.notifier, ...(opts.noticeRule ? { noticeRule: opts.noticeRule } : {}) });
  const executor = new SimExecutor(world);
  const markers = new Set<string>();
  let silences: Silence[] = (plan?.silences ?? []).filter((s) => s.createdAt <= t0).map((s) => s.silence);
  const system = await (opts.wrap ? opts.wrap(factory) : factory)({
    clock,
    executor,
    notifier,
    desired: desiredStateOf(desired, 1, clock.now(), windows),
    random: rng.fork('reconciler').next,
    markers,
    silences,
    onWrite(text) {
      counts.writes++;
      lastText = text;
      if (counts.writes % fullEvery === 1) {
        const p = documentProblems(text);
        if (p) statusViolation(`status.json write #${counts.writes} does not validate: ${p}`);
      }
    },
    onServiceStatus(status) {
      const p = serviceProblems(status);
      if (p) statusViolation(`status of ${status.name} does not validate: ${p}`, status.name);
      const runs = checker.restartRuns(status.name);
      // The store is written ahead of a restart command, so it may count one the executor has not started yet.
      // The first start of a service found down is counted apart from restarts (restarts.starts).
      const counted = status.restarts.count + (status.restarts.starts ?? 0);
      if (counted < runs || counted > runs + 1) {
        statusViolation(`status counts ${counted} restarts and first starts, the executor ran ${runs}`, status.name);
      }
    },
  });

  const ops = rng.fork('operator');
  let generation = 1;
  for (const s of scenario.services) {
    const armMarker = () =>
      clock.setTimeout(() => {
        markers.add(s.name);
        trace.add({ t: clock.now(), type: 'marker', service: s.name, present: true });
        system.setMarker(s.name, true);
        clock.setTimeout(() => {
          markers.delete(s.name);
          trace.add({ t: clock.now(), type: 'marker', service: s.name, present: false });
          system.setMarker(s.name, false);
          armMarker();
        }, ops.between(60_000, 3_600_000));
      }, ops.exp(scenario.markerMeanMs));
    armMarker();
    const armFlip = () =>
      clock.setTimeout(() => {
        const prev = specs.get(s.name)!;
        const spec = { ...prev, enabled: !prev.enabled };
        specs.set(s.name, spec);
        const d = desired.get(s.name)!;
        desired.set(s.name, desiredService(s, spec, d.generation + 1, d.labels));
        trace.add({ t: clock.now(), type: 'enabled', service: s.name, enabled: spec.enabled });
        system.setDesired(desiredStateOf(new Map(desired), ++generation, clock.now(), windows));
        armFlip();
      }, ops.exp(scenario.enabledFlipMeanMs));
    armFlip();
    if (!s.spec.enabled) trace.add({ t: clock.now(), type: 'enabled', service: s.name, enabled: false });
  }
  if (plan) {
    // The operator's side: windows opening and closing (for the trace's reader; vai computes
    // them itself), a Maintenance manifest removed from git, a silence made or deleted.
    for (const m of [...plan.windows, ...plan.silences]) {
      for (const span of m.spans) {
        if (span.end <= t0 || span.start > end) continue;
        const services = [...m.covers];
        clock.setTimeout(() => trace.add({ t: clock.now(), type: 'maintenance', mute: m.label, mode: m.mode, open: true, services }), span.start - t0);
        clock.setTimeout(() => trace.add({ t: clock.now(), type: 'maintenance', mute: m.label, mode: m.mode, open: false, services }), span.end - t0);
      }
    }
    for (const w of plan.windows) {
      if (w.removedAt === null) continue;
      const name = w.label.slice('window/'.length);
      clock.setTimeout(() => {
        const next = new Map(windows);
        next.delete(name);
        windows = next;
        system.setDesired(desiredStateOf(new Map(desired), ++generation, clock.now(), windows));
      }, w.removedAt - t0);
    }
    for (const s of plan.silences) {
      if (s.createdAt > t0) {
        clock.setTimeout(() => {
          silences = [...silences, s.silence];
          system.setSilences(silences);
        }, s.createdAt - t0);
      }
      if (s.removedAt !== null) {
        clock.setTimeout(() => {
          silences = silences.filter((x) => x.id !== s.silence.id);
          system.setSilences(silences);
        }, s.removedAt - t0);
      }
    }
  }
  world.start();

  const stopOn = opts.stopOnViolation ?? true;
  let steps = 0;
  const nonFatal = new Set(opts.nonFatal ?? []);
  const fatal = () => checker.violations.some((v) => !nonFatal.has(v.rule));
  const maxSteps = opts.maxSteps ?? Infinity;
  try {
    while (steps < maxSteps && (await clock.step(end))) {
      steps++;
      if (steps % 64 === 0) checker.sweep(clock.now(), 120_000);
      if (stopOn && checker.violations.length > 0 && fatal()) break;
    }
    checker.sweep(clock.now(), 120_000);
  } finally {
    world.stop();
    await system.stop();
  }
  if (lastText) {
    const p = documentProblems(lastText);
    if (p) statusViolation(`last status.json does not validate: ${p}`);
  }
  const first = checker.violations.find((v) => !nonFatal.has(v.rule)) ?? checker.violations[0];
  const context = first ? trace.tail(40, first.service === '*' ? undefined : first.service).map((e) => formatEntry(e, t0)) : [];
  const mutes = first ? muteLog.filter((e) => first.service === '*' || (e.type === 'muted' ? e.service === first.service : e.type === 'maintenance' && e.services.includes(first.service))).slice(-8) : [];
  if (mutes.length > 0) context.unshift('(windows and silences of that service, and its muted alerts:)', ...mutes.map((e) => formatEntry(e, t0)), '(its last events:)');
  return {
    seed,
    services: scenario.services.length,
    serviceHours: (scenario.services.length * (Math.min(clock.now(), end) - t0)) / 3_600_000,
    steps,
    checks: counts.checks,
    restarts: counts.restarts,
    failedRecoveries: checker.failedAttempts,
    recoveries: checker.recoveries,
    alerts: notifier.submitted,
    muted: notifier.muted,
    mutes: plan ? plan.windows.length + plan.silences.length : 0,
    faults: counts.faults,
    statusWrites: counts.writes,
    violations: checker.violations,
    context,
  };
}

export function describeFailure(r: SeedResult, opts: SeedOptions, t0 = new VirtualClock().now()): string {
  const nonFatal = new Set(opts.nonFatal ?? []);
  const shown = r.violations.filter((v) => !nonFatal.has(v.rule));
  const lines = [`seed ${r.seed}: ${shown.length} invariant violation(s); replay with:`, `  ${replayCommand(r.seed, opts)}`];
  for (const v of (shown.length ? shown : r.violations).slice(0, 5)) lines.push(`  +${((v.t - t0) / 1000).toFixed(3)}s ${v.service}: ${v.rule}: ${v.message}`);
  if (r.context.length) lines.push('  last events of that service:', ...r.context.map((c) => `    ${c}`));
  return lines.join('\n');
}

/** When a pause begins covering each service, and when the last mute covering it ends (inside the run). */
function coverageEvents(plan: MaintenancePlan, names: readonly string[]): Array<{ at: number; service: string; what: 'pause-start' | 'end' }> {
  const out: Array<{ at: number; service: string; what: 'pause-start' | 'end' }> = [];
  for (const service of names) {
    const { covers, union } = plan.coverOf(service);
    for (const c of covers) if (c.mode === 'pause') out.push({ at: c.start, service, what: 'pause-start' });
    for (const u of union) out.push({ at: u.end, service, what: 'end' });
  }
  return out.sort((a, b) => a.at - b.at);
}
