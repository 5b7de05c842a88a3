// `vaictl get` runs from dist/src/cli/vaictl-bundle.cjs (make build, scripts/bundle-vaictl.ts)
// with a V8 code cache; these check that a person cannot tell: same output and exit codes as the
// modules, errors from modules loaded on demand still recognised, an older bundle than the
// modules ignored, a missing or refused code cache (re)written.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, readFileSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { testdir } from '../support/testdir.js';
import { syntheticStatus } from '../fixtures/status/synthetic.js';
import { writeStateDir } from '../fixtures/status/state-dir.js';
import { VAICTL } from '../fixtures/status/run-vaictl.js';

const BUNDLE = path.join(path.dirname(VAICTL), 'vaictl-bundle.cjs');
const dir = testdir();
const fake = spawn(process.execPath, ['-e', 'setInterval(() => {}, 60000)', 'fake-vaid'], { stdio: 'ignore' });
test.after(() => {
  fake.kill('SIGKILL');
  dir.remove();
});
// Times far enough back that the ages printed do not move between two runs.
const doc = writeStateDir(dir.join('state'), { doc: syntheticStatus(40, Date.now() - 7_200_000), lockPid: fake.pid! });
const [A, B, C] = Object.keys(doc.services).sort() as [string, string, string];
const S = ['--state-dir', dir.join('state')];

function run(bin: string, args: string[], env: Record<string, string> = {}): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', VAICTL_NO_BUNDLE: '', ...env } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

test('get from the bundle prints what the modules print, errors and exit codes included', { skip: !existsSync(BUNDLE) && 'no bundle: dist was built by tsc alone, not make build' }, () => {
  for (const args of [
    ['get'],
    ['get', '-o', 'name'],
    ['get', A, 'nope'],
    ['get', '-l', 'tier=storage', '--no-headers'],
    ['get', '-l', 'tier in (a', '-o', 'name'],
    ['get', '-o', 'wide', B],
    ['get', '-o', 'yaml', C],
    ['get', '-o', 'bogus'],
  ]) {
    const bundled = run(VAICTL, [...args, ...S]);
    const modules = run(VAICTL, [...args, ...S], { VAICTL_NO_BUNDLE: '1' });
    assert.deepEqual(bundled, modules, `vaictl ${args.join(' ')}`);
  }
  // The bad selector is refused by label-selector.js, a module the bundle loads on demand: its
  // VaiError is another class than the bundle's, and still a usage error (exit 2), not a crash.
  const bad = run(VAICTL, ['get', '-l', 'tier in (a', ...S]);
  assert.equal(bad.code, 2, bad.err);
  assert.match(bad.err, /VAI_E_USAGE/);
});

test('an older bundle than the modules is not run, and the code cache is written after a get that worked', () => {
  // A copy of dist, so that its bundle and cache can be changed.
  const copy = dir.join('dist');
  cpSync(path.resolve(path.dirname(VAICTL), '../..'), copy, { recursive: true });
  const cli = path.join(copy, 'src/cli');
  const bin = path.join(cli, 'vaictl.js');
  const bundle = path.join(cli, 'vaictl-bundle.cjs');
  const cache = `${bundle}.get.cache`;
  const expected = run(bin, ['get', ...S], { VAICTL_NO_BUNDLE: '1' });
  assert.equal(expected.code, 0, expected.err);

  writeFileSync(bundle, 'exports.run = async () => { process.stdout.write("from the bundle\\n"); };\n');
  const main = statSync(path.join(cli, 'vaictl-main.js')).mtime;
  utimesSync(bundle, new Date(main.getTime() - 60_000), new Date(main.getTime() - 60_000));
  assert.deepEqual(run(bin, ['get', ...S]), expected, 'the older bundle is ignored');
  utimesSync(bundle, new Date(main.getTime() + 60_000), new Date(main.getTime() + 60_000));
  assert.equal(run(bin, ['get', ...S]).out, 'from the bundle\n', 'a bundle as new as the modules is run');
  assert.equal(run(bin, ['describe', A, ...S]).code, 0, 'other commands run as modules');

  if (!existsSync(BUNDLE)) return;
  cpSync(BUNDLE, bundle);
  rmSync(cache, { force: true });
  utimesSync(bundle, new Date(main.getTime() + 60_000), new Date(main.getTime() + 60_000));
  assert.equal(run(bin, ['get', '--state-dir', dir.join('none')]).code, 4);
  assert.ok(!existsSync(cache), 'no cache from a get that failed');
  assert.deepEqual(run(bin, ['get', ...S]), expected);
  assert.ok(statSync(cache).size > 1000, 'the first get that worked wrote the code cache');
  writeFileSync(cache, 'not a V8 code cache');
  assert.deepEqual(run(bin, ['get', ...S]), expected, 'a refused cache only costs time');
  assert.notEqual(readFileSync(cache, 'utf8').slice(0, 19), 'not a V8 code cache', 'and is written anew');
  assert.deepEqual(run(bin, ['get', ...S]), expected);
});

test('a code cache made from another bundle of the same length is not used', () => {
  // V8 checks a cache against the source's length only; a rebuilt bundle must not run the old one's code.
  const copy = dir.join('dist-same-length');
  cpSync(path.resolve(path.dirname(VAICTL), '../..'), copy, { recursive: true });
  const cli = path.join(copy, 'src/cli');
  const bin = path.join(cli, 'vaictl.js');
  const bundle = path.join(cli, 'vaictl-bundle.cjs');
  const main = statSync(path.join(cli, 'vaictl-main.js')).mtime;
  const write = (word: string) => {
    writeFileSync(bundle, `exports.run = async () => { process.stdout.write("bundle ${word}\\n"); };\n`);
    utimesSync(bundle, new Date(main.getTime() + 60_000), new Date(main.getTime() + 60_000));
  };
  write('one');
  assert.equal(run(bin, ['get', ...S]).out, 'bundle one\n');
  assert.equal(run(bin, ['get', ...S]).out, 'bundle one\n', 'from its cache');
  write('two');
  assert.equal(run(bin, ['get', ...S]).out, 'bundle two\n');
});

test('every command runs from the bundle, each with its own code cache, and prints what the modules print', { skip: !existsSync(BUNDLE) && 'no bundle: dist was built by tsc alone, not make build' }, () => {
  const copy = dir.join('dist-all');
  cpSync(path.resolve(path.dirname(VAICTL), '../..'), copy, { recursive: true });
  // describe parses its manifest with yaml: the packages beside the copy, as beside dist.
  symlinkSync(path.resolve(path.dirname(VAICTL), '../../../node_modules'), dir.join('node_modules'));
  const bin = path.join(copy, 'src/cli/vaictl.js');
  for (const args of [['describe', A], ['events'], ['alerts'], ['get', '-o', 'name'], ['plan'], ['validate', dir.join('none')], ['help']]) {
    // Ages ("since 126m ago") may cross a unit between the two runs on a loaded machine.
    const aged = (r: ReturnType<typeof run>) => ({ ...r, out: r.out.replace(/\b\d+(?:\.\d+)?(?:ms|s|m|h|d)(?:\d+(?:s|m|h))?\b/g, 'AGE') });
    const bundled = run(bin, [...args, ...S]);
    assert.deepEqual(aged(bundled), aged(run(bin, [...args, ...S], { VAICTL_NO_BUNDLE: '1' })), `vaictl ${args.join(' ')}`);
    if (bundled.code === 0) assert.ok(existsSync(path.join(copy, `src/cli/vaictl-bundle.cjs.${args[0]}.cache`)), `vaictl ${args[0]} wrote its own cache`);
  }
  const unknown = run(VAICTL, ['nosuch', ...S]);
  assert.equal(unknown.code, 2);
  assert.match(unknown.err, /unknown command "nosuch"/);
});
