import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sseParser } from '../../../src/web/client.js';

test('events split across chunks arrive whole, comments and data-less blocks are skipped', () => {
  const got: [string, string][] = [];
  const feed = sseParser((e, d) => got.push([e, d]));
  const stream = 'retry: 2000\nevent: snapshot\nid: 0\ndata: {"a":1}\n\n: ping\n\nevent: patch\ndata: [1,\ndata: 2]\n\ndata: plain\n\n';
  for (let i = 0; i < stream.length; i += 7) feed(stream.slice(i, i + 7));
  assert.deepEqual(got, [['snapshot', '{"a":1}'], ['patch', '[1,\n2]'], ['message', 'plain']]);
});
