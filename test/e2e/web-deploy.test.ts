// The files that install vai on a VPS: the systemd unit passes systemd-analyze, install.sh lays
// out the seed's paths and working wrappers (into a DESTDIR tree, so the test needs no root and
// changes nothing on the host), and the cron line runs one-shot mode every 5 minutes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { testdir } from '../support/testdir.js';

const REPO = process.cwd();
const hasSystemdAnalyze = spawnSync('systemd-analyze', ['--version']).status === 0;
const built = existsSync('dist/src/cli/vaictl.js');

test('systemd-analyze verify accepts deploy/vaid.service', { skip: !hasSystemdAnalyze && 'systemd-analyze is not installed' }, () => {
  const r = spawnSync('systemd-analyze', ['verify', 'deploy/vaid.service'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr.trim(), '', 'no warnings');
});

test('the unit restarts vaid always and leaves the services it started running on stop', () => {
  const unit = readFileSync('deploy/vaid.service', 'utf8');
  const setting = (k: string) => [...unit.matchAll(new RegExp(`^${k}=(.*)$`, 'gm'))].map((m) => m[1]);
  assert.deepEqual(setting('Restart'), ['always']);
  assert.deepEqual(setting('KillMode'), ['process']);
  for (const inherited of ['PrivateTmp', 'ProtectSystem', 'ProtectHome', 'NoNewPrivileges', 'MemoryMax', 'TasksMax', 'SystemCallFilter', 'CapabilityBoundingSet']) {
    assert.deepEqual(setting(inherited), [], `${inherited} would be inherited by the services restart commands start`);
  }
  assert.ok(setting('Environment').includes('VAI_MARKER_DIR=/run/manual-stop'));
  assert.ok(setting('Environment').includes('VAI_LISTEN=127.0.0.1:9753'), 'the endpoint stays on loopback by default');
});

test('the cron line runs vaictl reconcile --once every 5 minutes as root', () => {
  const lines = readFileSync('deploy/vai.cron', 'utf8').split('\n').filter((l) => l.trim() && !l.startsWith('#') && !/^[A-Z]+=/.test(l));
  assert.equal(lines.length, 1);
  const [min, hour, dom, mon, dow, user, ...cmd] = lines[0]!.split(/\s+/);
  assert.deepEqual([min, hour, dom, mon, dow, user], ['*/5', '*', '*', '*', '*', 'root']);
  assert.match(cmd.join(' '), /^\/usr\/local\/bin\/vaictl reconcile --once >> \/var\/log\/vai\/reconcile\.log 2>&1$/);
});

test('install.sh lays out /etc/vai, /var/lib/vai, the marker dir and wrappers that run', { skip: !built && 'dist/ not built (make build)' }, () => {
  const root = testdir({}, 'vai-install-');
  try {
    const out = execFileSync('bash', ['deploy/install.sh', '--prefix', REPO, '--no-build', '--cron'], { env: { ...process.env, DESTDIR: root.path }, encoding: 'utf8' });
    assert.match(out, /done/);
    const mode = (p: string) => (statSync(root.join(p)).mode & 0o777).toString(8);
    assert.equal(mode('etc/vai/manifests'), '755', 'manifests not writable by others');
    assert.equal(mode('var/lib/vai'), '700');
    assert.equal(mode('etc/vai/vaid.env'), '600', 'the env file may hold tokens');
    assert.match(readFileSync(root.join('etc/tmpfiles.d/vai.conf'), 'utf8'), /^d \/run\/manual-stop 0755 root root -$/m);
    assert.ok(existsSync(root.join('etc/cron.d/vai')));
    const unit = readFileSync(root.join('etc/systemd/system/vaid.service'), 'utf8');
    assert.match(unit, new RegExp(`^ExecStart=/usr/bin/env node ${REPO}/dist/src/cli/vaid\\.js$`, 'm'));
    const wrapper = readFileSync(root.join('usr/local/bin/vaictl'), 'utf8');
    assert.match(wrapper, /VAI_STATE_DIR:=\/var\/lib\/vai/);
    assert.match(execFileSync(root.join('usr/local/bin/vaictl'), ['version'], { encoding: 'utf8' }), /^vaictl \d+\.\d+\.\d+/);
    if (hasSystemdAnalyze) {
      const r = spawnSync('systemd-analyze', ['verify', root.join('etc/systemd/system/vaid.service')], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
    }
  } finally {
    root.remove();
  }
});

test('install.sh refuses an old Node.js with a message saying what to install', () => {
  const root = testdir({ 'bin/node': '#!/bin/sh\necho 18.19.0\n' }, 'vai-install-');
  try {
    execFileSync('chmod', ['+x', root.join('bin/node')]);
    const r = spawnSync('bash', ['deploy/install.sh', '--no-build'], { env: { ...process.env, DESTDIR: root.join('dest'), PATH: `${root.join('bin')}:${process.env.PATH}` }, encoding: 'utf8' });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /Node\.js 18\.19\.0 is too old; vai needs 20\.19 or newer/);
  } finally {
    root.remove();
  }
});
