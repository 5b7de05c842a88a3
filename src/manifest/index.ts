// The manifest part: finding manifest files, parsing YAML/JSON with positions, the legacy
// system-config.json, validation against schemas/service.schema.json, the dependency graph,
// and watching the directory into one DesiredState per burst of changes.
// It knows nothing of health or processes, and imports nothing from executor, reconcile,
// status, notify or cli.
export type { DesiredNotifier, DesiredService, DesiredState, ManifestError, Revision, SourcePosition } from './types.js';
export { loadDesiredState, stateDiffers, type LoadOptions } from './load-desired-state.js';
export { watchDesiredState, type DesiredStateWatch, type WatchOptions } from './watch-desired-state.js';
export { parseLabelSelector, matchesSelector, type LabelSelector, type Requirement } from './label-selector.js';
export { validatePaths, validateTree, type ValidateOptions, type ValidationReport } from './validate-paths.js';
export { convertLegacy, MODELINE } from './convert-legacy.js';
export { dependencyOrder, dependentsOf, directDependents, findCycles, graphOf, unknownDependencies, type DependencyGraph } from './dependency-graph.js';
export { LEGACY_CONTAINER_SUFFIX } from './legacy-config.js';
export { describeError } from './candidate.js';
export { MAX_FILE_BYTES, MAX_ALIAS_COUNT } from './limits.js';
