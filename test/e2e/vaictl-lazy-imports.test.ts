// `vaictl get` must answer fast on 1,000 services; most of that budget is module loading, and
// yaml, ajv, TypeBox and dockerode each cost ~100 ms to load. Wall-clock targets live in bench/;
// this test checks, independently of machine load, which modules the built CLI really loads.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { testdir } from '../support/testdir.js';
import { syntheticStatus } from '../fixtures/status/synthetic.js';
import { writeStateDir } from '../fixtures/status/state-dir.js';
import { VAICTL } from '../fixtures/status/run-vaictl.js';

const HEAVY = ['/node_modules/yaml/', '/node_modules/ajv', '/node_modules/@sinclair/typebox/', '/node_modules/dockerode/', '/node_modules/chokidar/', '/node_modules/pino'];

function loadedModules(dir: string, args: string[], okCodes: readonly number[] = [0, 4], env: Record<string, string> = {}): string[] {
  // A resolve hook (it runs on the loader thread) appends every module URL to a file.
  const log = path.join(dir, 'modules.log');
  const hooks = path.join(dir, 'hooks.mjs');
  const register = path.join(dir, 'register.mjs');
  writeFileSync(log, '');
  writeFileSync(hooks, `import { appendFileSync } from 'node:fs';\nexport async function resolve(s, c, next) { const r = await next(s, c); appendFileSync(${JSON.stringify(log)}, r.url + '\\n'); return r; }\n`);
  // And every require(): the bundle loads the packages that modules import statically with require,
  // which Node 20's resolve hooks do not see.
  writeFileSync(
    register,
    `import Module, { register } from 'node:module';\nimport { appendFileSync } from 'node:fs';\nimport { pathToFileURL } from 'node:url';\n` +
      `register(${JSON.stringify(pathToFileURL(hooks).href)});\n` +
      `const load = Module._load;\nModule._load = function (request, parent, isMain) {\n  try { const f = Module._resolveFilename(request, parent, isMain); appendFileSync(${JSON.stringify(log)}, (f.startsWith('/') ? pathToFileURL(f).href : f) + '\\n'); } catch {}\n  return load.apply(this, arguments);\n};\n`,
  );
  const r = spawnSync(process.execPath, ['--import', pathToFileURL(register).href, VAICTL, ...args], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, env: { ...process.env, ...env } });
  assert.ok(okCodes.includes(r.status ?? -1), `vaictl ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return readFileSync(log, 'utf8').split('\n').filter(Boolean);
}

test('get, get -o name, -o jsonpath and get NAME load no yaml, ajv, TypeBox, dockerode, chokidar or pino', (t) => {
  const dir = testdir();
  t.after(() => dir.remove());
  writeStateDir(dir.join('state'), { doc: syntheticStatus(1000, Date.now()) });
  // `make build` writes the bundle that get runs from (src/cli/vaictl.ts); a tsc-only build has none.
  const bundle = existsSync(path.join(path.dirname(VAICTL), 'vaictl-bundle.cjs'));
  for (const args of [['get'], ['get', '-o', 'name'], ['get', '-o', 'jsonpath={.items[*].status.phase}'], ['get', 'minio-0000', '-l', 'tier=storage']]) {
    for (const asModules of [true, false]) {
      const modules = loadedModules(dir.path, [...args, '--state-dir', dir.join('state')], [0, 4], asModules ? { VAICTL_NO_BUNDLE: '1' } : {});
      const what = `vaictl ${args.join(' ')}${asModules ? ' (modules)' : ''}`;
      if (asModules || !bundle) assert.ok(modules.some((m) => m.endsWith('/cli/commands/get.js')), `${what}: the hook saw the command load`);
      else assert.deepEqual(modules.filter((m) => m.includes('/dist/src/cli/') && !m.endsWith('/cli/vaictl.js')), [], `${what}: ran from the bundle, no module of the get path loaded`);
      const heavy = modules.filter((m) => HEAVY.some((h) => m.includes(h)));
      assert.deepEqual(heavy, [], `${what} loaded heavy modules`);
      assert.ok(!modules.some((m) => m.endsWith('/cli/commands/index.js')), `${what}: the full command list (validate, convert...) stays unloaded`);
    }
  }
});

// The bundle holds every module of dist/src (scripts/bundle-vaictl.ts), so which of them a command
// loads is seen when it runs as modules (VAICTL_NO_BUNDLE): the same code decides in both.
const AS_MODULES = { VAICTL_NO_BUNDLE: '1' };

test('-o yaml and -o wide load what they need, and only then', (t) => {
  const dir = testdir();
  t.after(() => dir.remove());
  writeStateDir(dir.join('state'));
  // (yaml too is inside the bundle.)
  assert.ok(loadedModules(dir.path, ['get', '-o', 'yaml', '--state-dir', dir.join('state')], [0, 4], AS_MODULES).some((m) => m.includes('/node_modules/yaml/')));
  assert.ok(loadedModules(dir.path, ['get', '-o', 'json', '--state-dir', dir.join('state')], [0, 4], AS_MODULES).some((m) => m.includes('/manifest/load-file.js')));
  assert.ok(loadedModules(dir.path, ['get', '-o', 'wide', '--state-dir', dir.join('state')], [0, 4], AS_MODULES).some((m) => m.includes('/manifest/load-file.js')));
});

// The whole-dir load (scan, git revision, cross-file rules) is what made describe take seconds
// with 1,000 manifest files; these modules are its part that a one-file parse does not need.
const FULL_LOAD = ['/manifest/load-desired-state.js', '/manifest/scan-tree.js', '/manifest/git-revision.js', '/manifest/assemble-state.js'];
const NEVER = ['/node_modules/dockerode/', '/node_modules/chokidar/', '/node_modules/pino'];

test('describe NAME, get NAME -o wide and logs NAME parse only the manifest file the status names', (t) => {
  const dir = testdir();
  t.after(() => dir.remove());
  writeStateDir(dir.join('state'));
  for (const args of [['describe', 'api'], ['describe', 'minio', 'postgres', 'worker'], ['get', 'api', 'minio', '-o', 'wide'], ['logs', 'api', '-n', '1']]) {
    const modules = loadedModules(dir.path, [...args, '--state-dir', dir.join('state')], [0, 4, 1], AS_MODULES);
    assert.ok(modules.some((m) => m.endsWith('/manifest/load-file.js')), `vaictl ${args.join(' ')} parsed a manifest file`);
    const bundled = loadedModules(dir.path, [...args, '--state-dir', dir.join('state')], [0, 4, 1]);
    assert.deepEqual(bundled.filter((m) => NEVER.some((h) => m.includes(h))), [], `vaictl ${args.join(' ')} (bundle) loaded a daemon-only module`);
    assert.deepEqual(modules.filter((m) => [...FULL_LOAD, ...NEVER].some((h) => m.includes(h))), [], `vaictl ${args.join(' ')} loaded the whole manifest dir or a daemon-only module`);
  }
});

test('describe of a service whose file the status holds an error against loads the whole dir, as vaid did', (t) => {
  const dir = testdir();
  t.after(() => dir.remove());
  writeStateDir(dir.join('state'));
  // The fixture's status holds a schema error in cache.yaml (services cache and redis): vaid keeps
  // their last good specs, and which spec applies depends on the other files.
  const modules = loadedModules(dir.path, ['describe', 'redis', '--state-dir', dir.join('state')], [0, 4], AS_MODULES);
  assert.ok(modules.some((m) => m.endsWith('/manifest/load-desired-state.js')));
  assert.deepEqual(modules.filter((m) => NEVER.some((h) => m.includes(h))), []);
});
