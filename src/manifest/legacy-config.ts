// The seed's system-config.json: `{"services": {"minio": {...}}}`, loaded unchanged with the
// seed's meaning. Each entry becomes a native Service candidate; errors still point into the
// legacy file (`services.minio.health_check.port`).
import path from 'node:path';
import { API_VERSION } from './api-version.js';
import type { ManifestError } from './types.js';
import { errorAt, type Candidate } from './candidate.js';
import type { FieldPath, SourceDocument } from './source-document.js';
import { LEGACY_FILE_NAME } from './limits.js';

/** The seed ran `docker exec "$CONTAINER-container"`: `container: services` is `services-container`. */
export const LEGACY_CONTAINER_SUFFIX = '-container';

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** A file named system-config.json, or a JSON document whose top level has a `services` mapping and no apiVersion. */
export function isLegacyDocument(file: string, data: unknown): boolean {
  if (path.basename(file) === LEGACY_FILE_NAME) return true;
  return file.endsWith('.json') && isObject(data) && isObject(data.services) && !('apiVersion' in data);
}

/** The native document for one legacy entry, with only the fields the entry had (no defaults). */
export function legacyEntryToManifest(name: string, entry: Record<string, unknown>): Record<string, unknown> {
  const { description, ...spec } = entry;
  // The seed's runner skipped every service whose `enabled` was not literally true.
  if (!('enabled' in spec)) spec.enabled = false;
  if (typeof spec.container === 'string') spec.container = `${spec.container}${LEGACY_CONTAINER_SUFFIX}`;
  const metadata: Record<string, unknown> = { name };
  if (typeof description === 'string') metadata.annotations = { description };
  else if (description !== undefined) spec.description = description;
  return { apiVersion: API_VERSION, kind: 'Service', metadata, spec };
}

export function legacyCandidates(source: SourceDocument): { candidates: Candidate[]; errors: ManifestError[] } {
  const root = source.data;
  const whole: Candidate = { format: 'legacy', source, data: {}, toSource: (p) => p };
  if (!isObject(root) || !isObject(root.services)) {
    return {
      candidates: [],
      errors: [errorAt(whole, isObject(root) && 'services' in root ? ['services'] : [], 'value', 'VAI_E_LEGACY_CONFIG', 'a legacy system-config.json needs a "services" mapping of name -> service')],
    };
  }
  const candidates: Candidate[] = [];
  const errors: ManifestError[] = [];
  for (const [name, entry] of Object.entries(root.services)) {
    if (!isObject(entry)) {
      errors.push(errorAt(whole, ['services', name], 'value', 'VAI_E_LEGACY_CONFIG', 'must be a mapping of service fields'));
      continue;
    }
    const toSource = (p: FieldPath): FieldPath => {
      if (p[0] === 'spec') return ['services', name, ...p.slice(1)];
      if (p[0] === 'metadata' && p[1] === 'annotations') return ['services', name, 'description'];
      return ['services', name];
    };
    candidates.push({ format: 'legacy', source, data: legacyEntryToManifest(name, entry), toSource });
  }
  return { candidates, errors };
}
