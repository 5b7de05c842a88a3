// `make build` step after tsc: bundles vaictl (src/cli/vaictl-main.ts, every command module and
// every module of dist/src they import, statically or on demand) into dist/src/cli/vaictl-bundle.cjs,
// one CJS file that the bin (src/cli/vaictl.ts) compiles with a V8 code cache per command. Loading
// the same code as ES modules cost `get` ~40 ms of CPU (docs/vaictl.md, Speed) and describe, logs
// or plan ~100 ms (docs/performance.md, session 8). A module imported on demand stays on demand:
// esbuild wraps it in a function run at its first import(), and V8 compiles only the functions
// that run (the code cache holds those of its command), so a plain `get` pays for no more than
// before. Packages stay outside (better-sqlite3, ajv, croner...), loaded by Node when first
// imported, but for yaml: pure JavaScript, and inside it shares the code cache (describe parses
// one file with it: ~50 ms of CPU less).
//   npx tsx scripts/bundle-vaictl.ts [DIST=dist]
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';

const dist = path.resolve(process.argv[2] ?? 'dist');
const cli = path.join(dist, 'src/cli');
const out = path.join(cli, 'vaictl-bundle.cjs');
const src = path.dirname(cli);
/** Each command module by its name, for vaictl-main.ts's `direct` (which imports a computed path, left to the modules). */
const commands = readdirSync(path.join(cli, 'commands'))
  .filter((f) => f.endsWith('.js') && f !== 'index.js')
  .map((f) => f.slice(0, -3));
const entry = [
  "export { run } from './vaictl-main.js';",
  `export const commands = {${commands.map((n) => `${JSON.stringify(n)}: () => import(${JSON.stringify(`./commands/${n}.js`)})`).join(', ')}};`,
].join('\n');

await build({
  stdin: { contents: entry, resolveDir: cli, sourcefile: 'vaictl-bundle-entry.js' },
  outfile: out,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  logLevel: 'warning',
  // history/sinks.ts's import.meta.resolve runs only under tsx (vaid from source), never bundled.
  logOverride: { 'empty-import-meta': 'silent' },
  // Modules that find files beside them (the validators compiled at build time, the status
  // reader's) get the URL of their own file in dist/src, from the bundle's place (the bin passes
  // the bundle's dir as __dirname).
  banner: { js: 'var __vaiModuleUrl = (rel) => require("node:url").pathToFileURL(require("node:path").join(__dirname, rel)).href;' },
  plugins: [
    {
      name: 'own-module-urls',
      setup(b) {
        // Packages stay outside, but for yaml (pure JavaScript): inside, its code is in each command's code cache.
        b.onResolve({ filter: /^[^./]/ }, (args) => (args.path === 'yaml' ? undefined : { path: args.path, external: true }));
        b.onLoad({ filter: /\.js$/ }, (args) => {
          if (!args.path.startsWith(src + path.sep)) return undefined;
          const text = readFileSync(args.path, 'utf8');
          if (!text.includes('import.meta.url')) return undefined;
          const rel = JSON.stringify(path.relative(cli, args.path));
          return { contents: text.replaceAll('import.meta.url', `__vaiModuleUrl(${rel})`), loader: 'js' };
        });
      },
    },
  ],
});

// A script compiled by vm.Script from a code cache has no dynamic import() of its own on
// Node 20 (ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING): the bin passes its own as __vaiImport.
const text = readFileSync(out, 'utf8');
// Not the import() inside the text of a worker's eval (history/sinks.ts, vaid's): `import(${...`.
const call = /\bimport\((?!\$\{)/g;
const imports = text.match(call)?.length ?? 0;
// Also the import(file) of a command module found by name: a path relative to dist/src/cli,
// where both the bundle and vaictl-main.js live.
const fixed = text.replace(call, '__vaiImport(');
writeFileSync(out, fixed);
process.stdout.write(`${path.relative(process.cwd(), out)}: ${(fixed.length / 1024).toFixed(0)} KiB, ${imports} modules left to load on demand\n`);
