// Desired state as the manifest loader hands it to the controller, for tests that drive the
// controller without manifest files: one file, generation 1, no notifiers, no errors.
import type { ServiceSpec } from '../../src/manifest/schema.js';
import type { DesiredService, DesiredState } from '../../src/manifest/types.js';

export function desiredService(name: string, spec: ServiceSpec): DesiredService {
  return { name, labels: {}, annotations: {}, spec, generation: 1, source: { file: '/m/s.yaml', line: 1, column: 1 }, format: 'native' };
}

export function desiredState(services: DesiredService[]): DesiredState {
  return { generation: 1, revision: null, attemptedRevision: null, services: new Map(services.map((s) => [s.name, s])), notifiers: new Map(), errors: [], loadedAt: 0 };
}
