// The desired state: what the manifests say should run. Produced by the manifest part,
// consumed read-only by reconcile, status and cli. Knows nothing of health or processes.
import type { ErrorCode } from '../errors.js';
import type { NotifierSpec, ServiceSpec } from './schema.js';
import type { DesiredMaintenance } from './maintenance-window.js';

export type { DesiredMaintenance };

/** Where a definition or a problem is: 1-based line and column, as editors count. */
export interface SourcePosition {
  file: string;
  line: number;
  column: number;
}

export interface ManifestError extends SourcePosition {
  code: ErrorCode;
  /** Field path such as `spec.health_check.port`, or '' for the whole document/file. */
  path: string;
  /** What was expected, without the path: show both as `path: message` (describeError does). */
  message: string;
  /** Services defined in the failing file when it last loaded cleanly (their last good spec stays in force). */
  services?: string[];
}

export interface Revision {
  /** Commit hash of HEAD when the manifest dir is inside a git work tree, else null. */
  commit: string | null;
  /** True when the work tree had uncommitted changes under the manifest dir. */
  dirty: boolean;
}

export interface DesiredService {
  name: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** Normalized spec with schema defaults applied. Frozen. */
  spec: ServiceSpec;
  /** Changes only when this service's spec (or labels) change; starts at 1. */
  generation: number;
  source: SourcePosition;
  /** 'native' manifests or the 'legacy' system-config.json. */
  format: 'native' | 'legacy';
}

export interface DesiredNotifier {
  name: string;
  spec: NotifierSpec;
  source: SourcePosition;
}

export interface DesiredState {
  /** Increments each time a new desired state is applied. */
  generation: number;
  /** Revision the applied state came from (last applied). */
  revision: Revision | null;
  /** Revision last attempted (may have errors; equal to revision when all is valid). */
  attemptedRevision: Revision | null;
  services: ReadonlyMap<string, DesiredService>;
  notifiers: ReadonlyMap<string, DesiredNotifier>;
  /** Maintenance windows (kind: Maintenance) by name; absent where a state was built without manifests. */
  maintenance?: ReadonlyMap<string, DesiredMaintenance>;
  /** Problems of the last attempt. Services of failing files keep their last good spec. */
  errors: readonly ManifestError[];
  /** Epoch ms when this state was produced. */
  loadedAt: number;
}
