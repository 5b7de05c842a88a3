// Copy-then-truncate rotation on real files: a writer holding an O_APPEND descriptor keeps
// writing into the live file, copies shift and the oldest is dropped, gzip copies unzip to the
// original, a symlinked directory is refused, and a log over twice its limit gives a warning.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, lchownSync, openSync, readFileSync, readdirSync, symlinkSync, writeSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { testdir } from '../../support/testdir.js';
import { LogRotator, rotateIfNeeded } from '../../../src/executor/log-rotation.js';

const policy = { maxBytes: 1000, keep: 2, compress: false };

test('a writer holding O_APPEND keeps writing at the start of the truncated file; copies shift, the oldest is dropped', async () => {
  const dir = testdir({}, 'vai-rot-');
  try {
    const log = dir.join('app.log');
    const fd = openSync(log, 'a');
    try {
      for (const round of ['a', 'b', 'c']) {
        writeSync(fd, `${round.repeat(1500)}\n`);
        const r = await rotateIfNeeded(log, policy);
        assert.deepEqual(r, { rotated: true, bytes: 1501 });
        assert.equal(readFileSync(log, 'utf8'), '');
      }
      writeSync(fd, 'after\n');
      assert.equal(readFileSync(log, 'utf8'), 'after\n', 'the next O_APPEND write lands at offset 0');
      assert.deepEqual(readdirSync(dir.path).sort(), ['app.log', 'app.log.1', 'app.log.2']);
      assert.equal(readFileSync(`${log}.1`, 'utf8')[0], 'c');
      assert.equal(readFileSync(`${log}.2`, 'utf8')[0], 'b');
      assert.deepEqual(await rotateIfNeeded(log, policy), { rotated: false }, 'under the limit: untouched');
    } finally {
      closeSync(fd);
    }
  } finally {
    dir.remove();
  }
});

test('gzip copies hold exactly what was written', async () => {
  const dir = testdir({ 'app.log': `${'line of text\n'.repeat(200)}` }, 'vai-rot-');
  try {
    await rotateIfNeeded(dir.join('app.log'), { ...policy, compress: true });
    assert.equal(gunzipSync(readFileSync(dir.join('app.log.1.gz'))).toString(), 'line of text\n'.repeat(200));
  } finally {
    dir.remove();
  }
});

test('a directory swapped for a symlink is refused, not followed; the rotator says so as a warning, and when it falls behind', { skip: process.getuid?.() === 0 ? false : 'needs root to plant a symlink owned by another user' }, async () => {
  const dir = testdir({ 'real/app.log': 'x'.repeat(5000) }, 'vai-rot-');
  try {
    symlinkSync(dir.join('real'), dir.join('link'));
    // Planted by a service user: root's own links in root-only dirs are trusted (safe-open).
    lchownSync(dir.join('link'), 65534, 65534);
    await assert.rejects(rotateIfNeeded(dir.join('link', 'app.log'), policy), /symlink/);
    assert.deepEqual(readdirSync(dir.join('real')), ['app.log'], 'nothing written through the link');
    const rotator = new LogRotator(undefined, 60_000);
    rotator.watch('linked', dir.join('link', 'app.log'), policy);
    rotator.watch('fast', dir.join('real', 'app.log'), policy);
    await rotator.pass();
    rotator.close();
    assert.match(rotator.warning('linked') ?? '', /log rotation failed: .*link\/app\.log .*symlink/);
    assert.match(rotator.warning('fast') ?? '', /log rotation cannot keep up: .*over twice its limit/);
    assert.equal(rotator.warning('fast'), undefined, 'a warning is said once');
  } finally {
    dir.remove();
  }
});

test('the rotator keeps logs in its own directory and elsewhere bounded alike; a missing log is no error', async () => {
  const dir = testdir({ 'own/a.log': 'a'.repeat(1500), 'elsewhere/b.log': 'b'.repeat(1500) }, 'vai-rot-');
  try {
    const rotated: string[] = [];
    const rotator = new LogRotator((service) => rotated.push(service), 60_000);
    rotator.watch('own', dir.join('own/a.log'), policy, true);
    rotator.watch('path', dir.join('elsewhere/b.log'), policy, false);
    rotator.watch('never-ran', dir.join('own/missing.log'), policy, true);
    await rotator.pass();
    rotator.close();
    assert.deepEqual(rotated.sort(), ['own', 'path']);
    assert.equal(readFileSync(dir.join('own/a.log'), 'utf8'), '');
    assert.equal(readFileSync(dir.join('own/a.log.1'), 'utf8'), 'a'.repeat(1500));
    assert.equal(readFileSync(dir.join('elsewhere/b.log.1'), 'utf8'), 'b'.repeat(1500));
    assert.equal(rotator.warning('never-ran'), undefined);
  } finally {
    dir.remove();
  }
});
