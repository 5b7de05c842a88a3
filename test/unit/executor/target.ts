// Builds ServiceTargets for executor tests from a partial spec, with the schema's defaults.
import type { ServiceSpec, HealthCheck } from '../../../src/manifest/schema.js';
import type { ServiceTarget } from '../../../src/executor/types.js';

export function healthCheck(hc: Partial<HealthCheck> & Pick<HealthCheck, 'type'>): HealthCheck {
  return { interval_seconds: 60, timeout_seconds: 5, failure_threshold: 1, success_threshold: 1, ...hc };
}

export function target(name: string, spec: Partial<ServiceSpec> & { health_check: HealthCheck }, dir: string): ServiceTarget {
  const full: ServiceSpec = {
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
  return { name, spec: full, defaultLogPath: `${dir}/logs/${name}.log`, workingDir: dir };
}
