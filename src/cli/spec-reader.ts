// The specs behind `get -o wide`, `describe` and `logs`: the status document holds no spec, so
// they come from the manifests, read the way vaid reads them. The dir is the one vaid applied
// (status.manifests.dir) unless --manifests or VAI_MANIFESTS names another. Loaded only when a
// command needs it: yaml and ajv are too slow to load for a plain `vaictl get`.
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { DesiredService } from '../manifest/types.js';
import type { ParseSource } from '../manifest/source-document.js';
import type { ServiceStatus, StatusDocument } from '../status/schema.js';
import { MAX_FILE_BYTES } from '../manifest/limits.js';
import { manifestErrors } from './printers/describe-service.js';

export interface SpecSet {
  services: ReadonlyMap<string, DesiredService>;
  /** Why specs are missing, said once on stderr; null when they loaded. */
  warning: string | null;
}

/**
 * Specs of the `wanted` services (all services when omitted). Showing one service should not
 * cost a parse of every manifest (with 1,000 files that took seconds), so the files the status
 * names as their sources are parsed alone; the whole dir is loaded, as vaid loads it, only when
 * that could give a different answer: a service with no recorded source, a manifest error the
 * status holds against it (vaid keeps its last good spec), or a file that no longer parses
 * cleanly or no longer defines it.
 */
export async function readSpecs(doc: StatusDocument | null, manifests: string, explicit: boolean, wanted?: readonly ServiceStatus[], server?: string): Promise<SpecSet> {
  if (server && !explicit) {
    // The status is another host's: its manifest dir is there, and a local dir of the same name would show the wrong specs.
    return { services: new Map(), warning: `the manifests are on ${server}; pass --manifests DIR (a checkout of the same repo) to show spec fields` };
  }
  const dir = explicit || !doc ? manifests : doc.manifests.dir;
  try {
    const { parseCache } = await import('./manifest-parse-cache.js');
    // One file or a few (describe, logs) parse in less time than the cache takes to read.
    const few = wanted !== undefined && wanted.length <= 10;
    let cache = few ? undefined : parseCache(process.env);
    const fromFiles = doc && wanted ? await specsFromSourceFiles(doc, dir, wanted, cache?.parse) : null;
    if (fromFiles) {
      cache?.save();
      return { services: fromFiles, warning: null };
    }
    cache ??= parseCache(process.env);
    const { loadDesiredState } = await import('../manifest/load-desired-state.js');
    // Display only: a file vaid refuses for its permissions is still worth showing, and the
    // refusal itself is in status (manifest errors).
    // Nor is the git revision shown: no git process per command.
    const state = await loadDesiredState({ dir, allowUnsafePermissions: true, revisionOf: async () => null, parse: cache.parse });
    cache.save();
    return { services: state.services, warning: null };
  } catch (e) {
    return { services: new Map(), warning: `cannot read the manifests in ${dir} (${(e as Error).message}); spec fields show <unknown>` };
  }
}

/** The specs parsed from each service's own file, or null when only a full load can say. */
async function specsFromSourceFiles(doc: StatusDocument, dir: string, wanted: readonly ServiceStatus[], parse?: ParseSource): Promise<Map<string, DesiredService> | null> {
  const byFile = new Map<string, ServiceStatus[]>();
  for (const s of wanted) {
    const file = s.source.file ? sourceIn(dir, doc.manifests.dir, s.source.file) : null;
    if (file === null || manifestErrors(doc.manifests.errors, s).length > 0) return null;
    byFile.set(file, [...(byFile.get(file) ?? []), s]);
  }
  const specs = new Map<string, DesiredService>();
  if (byFile.size === 0) return specs;
  const { loadFileText } = await import('../manifest/load-file.js');
  for (const [file, services] of byFile) {
    let text: string;
    try {
      if (statSync(file).size > MAX_FILE_BYTES) return null;
      text = readFileSync(file, 'utf8');
    } catch {
      return null;
    }
    const result = loadFileText(text, file, parse);
    if (result.errors.length > 0) return null;
    for (const s of services) {
      const def = result.definitions.find((d) => d.kind === 'Service' && d.name === s.name);
      if (def?.kind !== 'Service') return null;
      specs.set(s.name, { name: def.name, labels: def.labels, annotations: def.annotations, spec: def.spec, generation: s.generation, source: def.source, format: def.format });
    }
  }
  return specs;
}

/** Where `file` (a path under the dir vaid applied) is under `dir`; null when it is outside it. */
function sourceIn(dir: string, appliedDir: string, file: string): string | null {
  if (dir === appliedDir) return file;
  const rel = path.relative(appliedDir, file);
  if (rel.startsWith('..') || path.isAbsolute(rel)) return null;
  return path.join(dir, rel);
}
