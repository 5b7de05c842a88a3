// vai installs like a real tool (issue 21): a checkout's `npx vaictl` works in any order, the npm
// tarball installs with `npm install -g` into a fresh prefix and runs with no build there, and
// `make deb`'s package installs and removes with the real dpkg.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { cpSync, existsSync, readFileSync, readdirSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { testdir } from '../support/testdir.js';
import { ROOT, VAICTL_BIN } from '../support/vaid.js';

const built = existsSync(VAICTL_BIN);
const isRoot = process.getuid?.() === 0;
const hasDpkg = spawnSync('dpkg-deb', ['--version']).status === 0;

function sh(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): SpawnSyncReturns<string> {
  return spawnSync(cmd, args, { encoding: 'utf8', timeout: 600_000, cwd: opts.cwd, env: { ...process.env, ...opts.env } });
}

const MANIFEST = `apiVersion: vai/v1
kind: Service
metadata: { name: web }
spec:
  health_check: { type: tcp, host: 127.0.0.1, port: 1, timeout_seconds: 1 }
  restart_cmd: "true"
`;

test('npx vaictl typed before the build leaves a checkout where npx vaictl works once built', { skip: !built && 'dist/ not built (make build)' }, () => {
  // A checkout as a newcomer has it while `make run` is still building: no dist/ yet. npx's
  // cache is private to the test, so the first call installs this package into it afresh.
  const dir = testdir({}, 'vai-npx-');
  try {
    const co = dir.join('checkout');
    for (const f of ['package.json', 'package-lock.json', 'bin', 'vaictl']) cpSync(path.join(ROOT, f), path.join(co, f), { recursive: true });
    symlinkSync(path.join(ROOT, 'node_modules'), path.join(co, 'node_modules'));
    const env = { npm_config_cache: dir.join('npm-cache'), npm_config_update_notifier: 'false' };
    const before = sh('npx', ['vaictl', 'version'], { cwd: co, env });
    assert.equal(before.status, 4, before.stdout + before.stderr);
    assert.match(before.stderr, /vaictl is not built in this checkout yet .*run "make build"/);
    const script = sh(path.join(co, 'vaictl'), ['version'], { cwd: co });
    assert.equal(script.status, 4, script.stderr);

    symlinkSync(path.join(ROOT, 'dist'), path.join(co, 'dist')); // the build finished
    const after = sh('npx', ['vaictl', 'version'], { cwd: co, env });
    assert.equal(after.status, 0, after.stdout + after.stderr);
    assert.match(after.stdout, /^vaictl \d+\.\d+\.\d+/);
    const viaScript = sh(path.join(co, 'vaictl'), ['version'], { cwd: dir.path });
    assert.equal(viaScript.status, 0, viaScript.stderr);
    assert.match(viaScript.stdout, /^vaictl /);
  } finally {
    dir.remove();
  }
});

test('npm pack, then npm install -g of the tarball into a temp prefix: vaid and vaictl run with no build', { skip: !built && 'dist/ not built (make build)' }, () => {
  const dir = testdir({ 'manifests/web.yaml': MANIFEST }, 'vai-npm-');
  try {
    const packed = sh('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', dir.path], { cwd: ROOT });
    assert.equal(packed.status, 0, packed.stderr);
    const tgz = readdirSync(dir.path).find((f) => /^vai-.*\.tgz$/.test(f));
    assert.ok(tgz, `no tarball in ${readdirSync(dir.path).join(', ')}`);
    const prefix = dir.join('prefix');
    const inst = sh('npm', ['install', '-g', '--prefix', prefix, '--no-audit', '--no-fund', '--prefer-offline', dir.join(tgz)], { cwd: dir.path });
    assert.equal(inst.status, 0, inst.stdout + inst.stderr);
    const pkg = path.join(prefix, 'lib/node_modules/vai');
    assert.ok(existsSync(path.join(pkg, 'dist/src/cli/vaid.js')), 'dist/ ships in the package');
    assert.equal(existsSync(path.join(pkg, 'src/cli')), false, 'no TypeScript sources to build on the target');
    const env = { PATH: `${path.join(prefix, 'bin')}:${process.env.PATH}` };
    const v = sh('vaictl', ['version'], { cwd: dir.path, env });
    assert.equal(v.status, 0, v.stderr);
    assert.match(v.stdout, new RegExp(`^vaictl ${JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version}`));
    const help = sh('vaid', ['--help'], { cwd: dir.path, env });
    assert.equal(help.status, 0, help.stderr);
    assert.match(help.stdout, /Usage: vaid/);
    // validate loads yaml, ajv and the schemas; reconcile --once runs the whole daemon once.
    const val = sh('vaictl', ['validate', dir.join('manifests')], { cwd: dir.path, env });
    assert.equal(val.status, 0, val.stdout + val.stderr);
    const once = sh('vaictl', ['reconcile', '--once', '--manifests', dir.join('manifests'), '--state-dir', dir.join('state')], { cwd: dir.path, env });
    assert.ok(existsSync(dir.join('state/status.json')), once.stdout + once.stderr);
    const get = sh('vaictl', ['get', '--state-dir', dir.join('state')], { cwd: dir.path, env });
    assert.match(get.stdout, /^NAME\s+DESIRED/);
    assert.match(get.stdout, /\nweb\s+Running/);
  } finally {
    dir.remove();
  }
});

// dpkg needs root. On this machine node comes from NodeSource's nodejs package, which satisfies
// Depends: nodejs (>= 20.19); where node is not a Debian package (nvm, a tarball) the test says
// so and installs with --force-depends, the only case that needs it.
test('make deb: dpkg -i installs vaid, vaictl, the unit and /etc/vai; dpkg -r removes them', { skip: (!isRoot && 'dpkg -i needs root') || (!hasDpkg && 'dpkg-deb is not installed') || (!built && 'dist/ not built') }, () => {
  const dir = testdir({}, 'vai-deb-');
  try {
    const b = sh('bash', [path.join(ROOT, 'deploy/deb/build.sh'), dir.path], { cwd: ROOT });
    assert.equal(b.status, 0, b.stdout + b.stderr);
    const deb = b.stdout.trim().split('\n').pop()!;
    const control = sh('dpkg-deb', ['-f', deb, 'Depends']).stdout.trim();
    assert.equal(control, 'nodejs (>= 20.19)');
    const nodePkg = sh('dpkg-query', ['-W', '-f', '${Version}', 'nodejs']);
    const nodeIsDeb = nodePkg.status === 0 && sh('dpkg', ['--compare-versions', nodePkg.stdout, 'ge', '20.19']).status === 0;
    if (!nodeIsDeb) console.log('# node here is not a Debian package of version >= 20.19: installing with --force-depends');
    const inst = dpkg(['-i', ...(nodeIsDeb ? [] : ['--force-depends']), deb]);
    try {
      assert.equal(inst.status, 0, inst.stdout + inst.stderr);
      assert.match(inst.stdout, /vai: node \S+ OK/);
      assert.match(sh('dpkg-query', ['-W', '-f', '${Status}', 'vai']).stdout, /install ok installed/);
      for (const f of ['/lib/systemd/system/vaid.service', '/usr/lib/tmpfiles.d/vai.conf', '/etc/vai/vaid.env', '/usr/lib/vai/dist/src/cli/vaid.js']) assert.ok(existsSync(f), f);
      assert.match(readFileSync('/lib/systemd/system/vaid.service', 'utf8'), /^ExecStart=\/usr\/bin\/vaid$/m);
      const v = sh('/usr/bin/vaictl', ['version']);
      assert.equal(v.status, 0, v.stderr);
      assert.match(v.stdout, /^vaictl /);
      const valid = sh('/usr/bin/vaictl', ['validate', path.join(ROOT, 'manifests')]);
      assert.equal(valid.status, 0, valid.stdout + valid.stderr);
      assert.match(sh('/usr/bin/vaid', ['--help']).stdout, /Usage: vaid/);
      if (sh('systemd-analyze', ['--version']).status === 0) {
        const verify = sh('systemd-analyze', ['verify', '/lib/systemd/system/vaid.service']);
        assert.equal(verify.status, 0, verify.stderr);
      }
    } finally {
      const rm = dpkg(['-r', 'vai']);
      assert.equal(rm.status, 0, rm.stdout + rm.stderr);
    }
    assert.equal(existsSync('/usr/bin/vaictl'), false);
    assert.equal(existsSync('/usr/lib/vai'), false);
    assert.ok(existsSync('/etc/vai/vaid.env'), 'a conffile stays on remove, as Debian policy says');
    assert.equal(dpkg(['--purge', 'vai']).status, 0);
    assert.equal(existsSync('/etc/vai/vaid.env'), false);
  } finally {
    dir.remove();
  }
});

test("the deb's postinst refuses a node older than 20.19 and says what to do", { skip: !hasDpkg && 'dpkg-deb is not installed' }, () => {
  // The old node is a two-line script standing in for Node 18: no such node can be installed
  // beside the real one here, and the postinst only reads its version.
  const dir = testdir({ 'bin/node': '#!/bin/sh\necho 18.19.1\n' }, 'vai-postinst-');
  try {
    sh('chmod', ['+x', dir.join('bin/node')]);
    const r = sh('sh', [path.join(ROOT, 'deploy/deb/postinst'), 'configure'], { env: { PATH: `${dir.join('bin')}:/usr/bin:/bin` } });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /node 18\.19\.1 is too old; vai needs 20\.19 or newer\. Upgrade nodejs .* dpkg --configure vai/);
  } finally {
    dir.remove();
  }
});

// Another helper's apt-get may hold dpkg's lock for a while: wait for it, bounded.
function dpkg(args: string[]): SpawnSyncReturns<string> {
  let r = sh('dpkg', args);
  for (let i = 0; i < 60 && r.status !== 0 && /lock/.test(r.stderr); i++) {
    spawnSync('sleep', ['2']);
    r = sh('dpkg', args);
  }
  return r;
}
