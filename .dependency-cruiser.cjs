// Import rules of vai (docs/architecture.md): the folders of src/ form layers, each importing
// only the ones below it, and no file or folder is in an import cycle. `make lint-imports`.
// Order, lowest first. Top-level files (errors.ts, version.ts, schemas.ts) sit with core.
const LAYERS = ['core', 'manifest', 'source', 'executor', 'status', 'diagnosis', 'history', 'notify', 'reconcile', 'web', 'cli'];

/** "src/<folder>/" of every layer above `layer`. */
const above = (layer) => LAYERS.slice(LAYERS.indexOf(layer) + 1).map((l) => `^src/${l}/`);

module.exports = {
  forbidden: [
    ...LAYERS.slice(0, -1).map((layer) => ({
      name: `layer-${layer}`,
      comment: `src/${layer}/ may import only folders below it: ${LAYERS.slice(0, LAYERS.indexOf(layer)).join(', ') || '(none)'} (docs/architecture.md)`,
      severity: 'error',
      from: { path: `^src/${layer}/` },
      // One known exception: the manifest schema takes each check type's fields from its module in
      // the check registry (src/executor/checks/, one file per type). Moving the fields below
      // manifest/ is the way to lift it (docs/architecture.md).
      to: layer === 'manifest' ? { path: above(layer), pathNot: '^src/executor/checks/index\\.ts$' } : { path: above(layer) },
    })),
    {
      name: 'ground-floor-files',
      comment: 'src/errors.ts and version.ts are the ground floor with core/: they import no folder but core/',
      severity: 'error',
      from: { path: '^src/(errors|version)\\.ts$' },
      to: { path: `^src/(${LAYERS.slice(1).join('|')})/` },
    },
    {
      name: 'published-schemas',
      comment: 'src/schemas.ts gathers the published JSON Schemas: it sits with status/ and imports nothing above it',
      severity: 'error',
      from: { path: '^src/schemas\\.ts$' },
      to: { path: above('status') },
    },
    {
      name: 'no-folder-cycles',
      comment: 'no folder depends on itself through another folder (the layer rules forbid it for the listed folders; this catches new ones)',
      severity: 'error',
      from: { path: '^src/([^/]+)/' },
      to: { path: '^src/([^/]+)/', pathNot: '^src/$1/', circular: true },
    },
    {
      name: 'no-file-cycles',
      comment: 'no file imports itself through others',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'no-src-to-tests',
      comment: 'shipped code never imports tests, benchmarks or scripts',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^(test|bench|scripts)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // Type-only imports are erased at build time and make no cycle at run time; the layer rules
    // count what runs.
    tsPreCompilationDeps: false,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
    exclude: { path: '^src/web/assets/' },
  },
};
