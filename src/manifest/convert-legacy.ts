// `vaictl convert`: the seed's system-config.json as native manifests, one YAML document per
// service, with the schema modeline. Only the fields the legacy entry had are written (plus
// the ones whose legacy meaning differs from the native default), so the output stays short.
import { stringify } from 'yaml';
import path from 'node:path';
import type { ServiceManifest } from './schema.js';
import type { ManifestError } from './types.js';
import { parseSource } from './source-document.js';
import { legacyCandidates } from './legacy-config.js';
import { validateCandidate } from './schema-validator.js';
import { checkServiceRules } from './spec-rules.js';
import { findCycles, graphOf, unknownDependencies } from './dependency-graph.js';

// The schema as the repository ships it, relative to a manifests/ dir at the repository's top, as
// the docs write it: SCHEMA_ID is the schema's $id, not a page anyone serves (issue 21).
export const SCHEMA_PATH = '../schemas/service.schema.json';
export const MODELINE = `# yaml-language-server: $schema=${SCHEMA_PATH}`;

export function convertLegacy(text: string, file: string): { documents: ServiceManifest[]; yaml: string; errors: ManifestError[] } {
  const parsed = parseSource(text, file, { single: true });
  const errors = [...parsed.errors];
  const documents: ServiceManifest[] = [];
  const blocks: string[] = [];
  for (const doc of parsed.documents) {
    const legacy = legacyCandidates(doc);
    errors.push(...legacy.errors);
    for (const c of legacy.candidates) {
      const minimal = structuredClone(c.data);
      const v = validateCandidate(c);
      errors.push(...v.errors);
      if (v.kind !== 'Service') continue;
      const m = c.data as unknown as ServiceManifest;
      const rules = checkServiceRules(m, c);
      errors.push(...rules);
      if (rules.length > 0) continue;
      documents.push(m);
      blocks.push(stringify(minimal, { lineWidth: 0 }));
    }
  }
  const graph = graphOf(documents.map((d) => ({ name: d.metadata.name, spec: d.spec })));
  for (const [name, dep] of unknownDependencies(graph)) {
    errors.push({ code: 'VAI_E_UNKNOWN_DEPENDENCY', file, line: 1, column: 1, path: `services.${name}.dependencies`, message: `unknown service "${dep}"` });
  }
  for (const cycle of findCycles(graph)) {
    errors.push({ code: 'VAI_E_DEP_CYCLE', file, line: 1, column: 1, path: `services.${cycle[0]}.dependencies`, message: `dependency cycle: ${cycle.join(' -> ')}` });
  }
  errors.sort((a, b) => a.line - b.line || a.column - b.column);
  const header = [MODELINE, `# Converted from ${path.basename(file)} by vaictl convert. Legacy "container: X" is written as "X-container".`];
  const yaml = `${header.join('\n')}\n${blocks.map((b, i) => (i === 0 ? b : `---\n${b}`)).join('')}`;
  return { documents, yaml, errors };
}
