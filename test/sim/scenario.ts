// A random host for one seed: services with their specs (schema defaults applied), a
// dependency DAG, some in containers, and the simulated truth behind each of them.
import { Value } from '@sinclair/typebox/value';
import { ServiceSpecSchema, type ServiceSpec } from '../../src/manifest/schema.js';
import type { DesiredMaintenance, DesiredService, DesiredState } from '../../src/manifest/types.js';
import type { Rng } from './prng.js';

export interface ScenarioService {
  name: string;
  spec: ServiceSpec;
  container: boolean;
  needsDeps: boolean;
  startMs: number;
}

export interface Scenario {
  services: ScenarioService[];
  /** Mean virtual ms between two faults of one service. */
  faultMeanMs: number;
  /** Mean virtual ms between two manual stops (markers) of one service. */
  markerMeanMs: number;
  /** Mean virtual ms between two flips of `enabled` of one service. */
  enabledFlipMeanMs: number;
}

export function makeSpec(fields: Record<string, unknown>): ServiceSpec {
  const spec = Value.Default(ServiceSpecSchema, structuredClone(fields)) as ServiceSpec;
  if (!Value.Check(ServiceSpecSchema, spec)) {
    const first = [...Value.Errors(ServiceSpecSchema, spec)][0];
    throw new Error(`simulated spec is invalid at ${first?.path}: ${first?.message}`);
  }
  return spec;
}

export function makeScenario(rng: Rng, opts: { services?: number } = {}): Scenario {
  const n = opts.services ?? rng.between(4, 12);
  const services: ScenarioService[] = [];
  for (let i = 0; i < n; i++) {
    const name = `svc-${i}`;
    const deps = services.filter(() => rng.chance(0.25)).map((s) => s.name).slice(0, 3);
    const container = rng.chance(0.4);
    const startupDelay = rng.between(2, 30);
    // Mostly the seed's 5-minute cron cadence and slower; a fifth check every 30 s to 5 min.
    const interval = rng.chance(0.2) ? rng.between(30, 300) : rng.between(300, 900);
    const backoffInitial = rng.between(5, 60);
    const spec = makeSpec({
      enabled: !rng.chance(0.08),
      ...(container ? { container: `c${i}` } : {}),
      health_check: {
        type: container ? 'http' : rng.pick(['http', 'tcp', 'custom']),
        endpoint: 'http://127.0.0.1:8080/health',
        port: 8080,
        command: 'true',
        interval_seconds: interval,
        timeout_seconds: rng.between(1, 10),
        failure_threshold: rng.pick([1, 1, 1, 2, 3]),
        success_threshold: rng.pick([1, 1, 2]),
      },
      restart_cmd: `start ${name}`,
      ...(rng.chance(0.3) ? { stop_cmd: `stop ${name}` } : {}),
      startup_delay_seconds: startupDelay,
      dependencies: deps,
      max_failures: rng.between(1, 5),
      failure_window_seconds: rng.between(60, 900),
      backoff_initial_seconds: backoffInitial,
      backoff_max_seconds: backoffInitial * rng.between(1, 30),
      backoff_reset_seconds: rng.between(60, 1200),
    });
    // Some services normally take longer than their startup delay: each recovery first "fails".
    const startMs = Math.round(startupDelay * 1000 * rng.pick([0.1, 0.3, 0.6, 0.9, 1.5]));
    services.push({ name, spec, container, needsDeps: deps.length > 0 && rng.chance(0.7), startMs });
  }
  return {
    services,
    faultMeanMs: rng.between(4, 12) * 3_600_000,
    markerMeanMs: rng.between(6, 48) * 3_600_000,
    enabledFlipMeanMs: rng.between(12, 96) * 3_600_000,
  };
}

export function desiredStateOf(services: ReadonlyMap<string, DesiredService>, generation: number, now: number, maintenance?: ReadonlyMap<string, DesiredMaintenance>): DesiredState {
  return { generation, revision: null, attemptedRevision: null, services, notifiers: new Map(), ...(maintenance ? { maintenance } : {}), errors: [], loadedAt: now };
}

export function desiredService(s: ScenarioService, spec: ServiceSpec, generation: number, labels: Record<string, string> = {}): DesiredService {
  return {
    name: s.name,
    labels,
    annotations: {},
    spec: Object.freeze(spec),
    generation,
    source: { file: '/sim/manifests/services.yaml', line: 1, column: 1 },
    format: 'native',
  };
}
