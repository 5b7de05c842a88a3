// `make build` step after tsc: bundles what every vaictl command runs first (src/cli/vaictl-main.ts,
// the get command and everything they import statically) into dist/src/cli/vaictl-bundle.cjs, one
// CJS file that the bin (src/cli/vaictl.ts) compiles with a V8 code cache per command. Loading the
// same code as ES modules cost `get` ~40 ms of CPU (docs/vaictl.md, Speed). Everything loaded on
// demand (the other command modules, found by name, -o wide's manifest reader, -w, yaml, the
// label selector) stays a module of dist/ and is imported through the bin's loader, so the
// bundle stays small and `get` loads no more than it needs.
//   npx tsx scripts/bundle-vaictl.ts [DIST=dist]
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';

const dist = path.resolve(process.argv[2] ?? 'dist');
const cli = path.join(dist, 'src/cli');
const out = path.join(cli, 'vaictl-bundle.cjs');
/** Loaded on demand but part of every plain `get`: inlined. */
const INLINE = [path.join(cli, 'commands/get.js')];

await build({
  entryPoints: [path.join(cli, 'vaictl-main.js')],
  outfile: out,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  packages: 'external',
  logLevel: 'warning',
  // import.meta.url of the bundle itself (the bin passes its path as __filename): modules that find
  // files beside them (the status reader's validators, one level under dist/src as the bundle is) work bundled too.
  define: { 'import.meta.url': '__vaiBundleUrl' },
  banner: { js: 'var __vaiBundleUrl = require("node:url").pathToFileURL(__filename).href;' },
  plugins: [
    {
      name: 'on-demand-modules-stay-modules',
      setup(b) {
        b.onResolve({ filter: /.*/ }, (args) => {
          if (args.kind !== 'dynamic-import') return undefined;
          if (!args.path.startsWith('.')) return { path: args.path, external: true };
          const abs = path.resolve(args.resolveDir, args.path);
          if (INLINE.includes(abs)) return undefined;
          // Relative to the bundle, which sits in dist/src/cli, not to the importing module.
          const rel = path.relative(cli, abs);
          return { path: rel.startsWith('.') ? rel : `./${rel}`, external: true };
        });
      },
    },
  ],
});

// A script compiled by vm.Script from a code cache has no dynamic import() of its own on
// Node 20 (ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING): the bin passes its own as __vaiImport.
const text = readFileSync(out, 'utf8');
const imports = text.match(/\bimport\(/g)?.length ?? 0;
// Also the import(file) of a command module found by name: a path relative to dist/src/cli,
// where both the bundle and vaictl-main.js live.
const fixed = text.replace(/\bimport\(/g, '__vaiImport(');
// Packages are imported on demand, through the loader (and test/e2e/vaictl-lazy-imports.test.ts sees them).
const required = [...fixed.matchAll(/\brequire\("([^"]*)"\)/g)].map((m) => m[1]).filter((m) => !m?.startsWith('node:'));
if (required.length > 0) throw new Error(`${out}: requires ${required.join(', ')}; only node: built-ins may be required, a package must be imported on demand`);
writeFileSync(out, fixed);
process.stdout.write(`${path.relative(process.cwd(), out)}: ${(fixed.length / 1024).toFixed(0)} KiB, ${imports} modules left to load on demand\n`);
