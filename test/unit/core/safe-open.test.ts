// core/safe-open with real files, FIFOs, symlinks, hard links and /dev/zero.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, closeSync, lchownSync, rmSync, existsSync, linkSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { openSafe, readSafe } from '../../../src/core/safe-open.js';
import { isVaiError } from '../../../src/errors.js';
import { testdir } from '../../support/testdir.js';

const refused = (reason: string) => (e: unknown) => isVaiError(e, 'VAI_E_UNSAFE_PATH') && (e.details as { reason: string }).reason === reason;

test('a symlink on any component is refused, at the end or in the middle', (t) => {
  const dir = testdir({ 'real/app.log': 'x\n' });
  t.after(() => dir.remove());
  symlinkSync(dir.join('real'), dir.join('link'));
  symlinkSync(dir.join('real/app.log'), dir.join('real/alias.log'));
  // Planted by another user (as root, a link of our own in a root-only dir would be trusted).
  if (process.getuid?.() === 0) for (const l of ['link', 'real/alias.log']) lchownSync(dir.join(l), 65534, 65534);
  assert.throws(() => openSafe(dir.join('link/app.log'), { mode: 'append' }), refused('symlink'));
  assert.throws(() => openSafe(dir.join('real/alias.log')), refused('symlink'));
  const f = openSafe(dir.join('real/app.log'));
  closeSync(f.fd);
});

test("root's own links in root-only dirs (/var/run -> /run) are followed", { skip: process.getuid?.() !== 0 || !existsSync('/var/run/') ? 'needs root and /var/run' : false }, () => {
  const file = `/run/vai-safe-open-${process.pid}`;
  writeFileSync(file, '1\n');
  try {
    assert.equal(readSafe(`/var/run/vai-safe-open-${process.pid}`, 64)?.toString(), '1\n');
  } finally {
    rmSync(file, { force: true });
  }
});

test('a FIFO is refused without blocking, for reading and writing; a device and a hard link too', (t) => {
  const dir = testdir({ 'target.txt': 'precious\n' });
  t.after(() => dir.remove());
  spawnSync('mkfifo', [dir.join('fifo')]);
  assert.throws(() => openSafe(dir.join('fifo')), refused('not-regular'));
  assert.throws(() => openSafe(dir.join('fifo'), { mode: 'append', create: 0o640 }), refused('not-regular'));
  assert.throws(() => readSafe('/dev/zero', 64), refused('not-regular'));
  linkSync(dir.join('target.txt'), dir.join('hard.log'));
  assert.throws(() => openSafe(dir.join('hard.log'), { mode: 'append', singleLink: true }), refused('links'));
});

test('reads are bounded; a missing file reads as null', (t) => {
  const dir = testdir({});
  t.after(() => dir.remove());
  writeFileSync(dir.join('big'), 'a'.repeat(100_000));
  assert.equal(readSafe(dir.join('big'), 64)?.length, 64);
  assert.equal(readSafe(dir.join('nope'), 64), null);
});

test('missing parents are created only in dirs no other user can write', (t) => {
  const dir = testdir({});
  t.after(() => dir.remove());
  mkdirSync(dir.join('open'));
  chmodSync(dir.join('open'), 0o777);
  assert.throws(() => openSafe(dir.join('open/sub/app.log'), { mode: 'append', create: 0o640, mkdirParents: 0o750 }), refused('unsafe-parent'));
  assert.equal(existsSync(dir.join('open/sub')), false);
  const f = openSafe(dir.join('ok/a/b/app.log'), { mode: 'append', create: 0o640, mkdirParents: 0o750 });
  closeSync(f.fd);
  assert.ok(existsSync(dir.join('ok/a/b/app.log')));
});
