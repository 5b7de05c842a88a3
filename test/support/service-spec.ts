// Builders of service specs and executor targets for tests: what a manifest gives after the
// loader has applied the schema's defaults, so a test names only the fields it is about.
import type { HealthCheck, ServiceSpec } from '../../src/manifest/schema.js';
import type { ServiceTarget } from '../../src/executor/types.js';

export function healthCheck(hc: Partial<HealthCheck> & Pick<HealthCheck, 'type'>): HealthCheck {
  return { interval_seconds: 60, timeout_seconds: 5, failure_threshold: 1, success_threshold: 1, ...hc };
}

export function serviceSpec(spec: Partial<ServiceSpec> & { health_check: HealthCheck }): ServiceSpec {
  return {
    enabled: true,
    type: 'daemon',
    restart_container: false,
    command_timeout_seconds: 60,
    startup_delay_seconds: 5,
    dependencies: [],
    max_failures: 3,
    failure_window_seconds: 300,
    backoff_initial_seconds: 10,
    backoff_max_seconds: 300,
    backoff_reset_seconds: 600,
    ...spec,
  };
}

/** A target as the controller hands it to an executor; command output goes to DIR/logs/NAME.log. */
export function serviceTarget(name: string, spec: Partial<ServiceSpec> & { health_check: HealthCheck }, dir: string): ServiceTarget {
  return { name, spec: serviceSpec(spec), defaultLogPath: `${dir}/logs/${name}.log`, workingDir: dir };
}
