import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, renameSync, writeFileSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { follow, lastLines } from '../../../src/cli/log-tail.js';
import { testdir } from '../../support/testdir.js';
import { waitFor } from '../../support/wait.js';

test('lastLines reads only the tail, across block boundaries, with or without a final newline', (t) => {
  const dir = testdir();
  t.after(() => dir.remove());
  const lines = Array.from({ length: 20_000 }, (_, i) => `line ${i} ${'x'.repeat(i % 50)}`);
  const file = dir.write('big.log', `${lines.join('\n')}\n`);
  assert.equal(lastLines(file, 3).text, `${lines.slice(-3).join('\n')}\n`);
  assert.equal(lastLines(file, 5000).text, `${lines.slice(-5000).join('\n')}\n`);
  assert.equal(lastLines(file, 0).text, '');
  const open = dir.write('open.log', 'a\nb\nc');
  assert.equal(lastLines(open, 2).text, 'b\nc\n');
  assert.equal(lastLines(dir.write('empty.log', ''), 10).text, '');
});

test('follow prints appended lines, then a rotated file (new inode) from its start', async (t) => {
  const dir = testdir();
  t.after(() => dir.remove());
  const file = dir.write('svc.log', 'old\n');
  const start = lastLines(file, 10);
  const out = new PassThrough();
  let text = '';
  out.on('data', (d: Buffer) => (text += d.toString()));
  const controller = new AbortController();
  const done = follow(file, start.end, start.ino, out, controller.signal);
  appendFileSync(file, 'new 1\n');
  await waitFor(() => text === 'new 1\n', { what: 'the appended line' });
  renameSync(file, dir.join('svc.log.1'));
  writeFileSync(file, 'after rotation\n');
  await waitFor(() => text === 'new 1\nafter rotation\n', { what: 'the rotated file', timeoutMs: 30_000 });
  controller.abort();
  await done;
});
