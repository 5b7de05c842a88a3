import { test } from 'node:test';
import assert from 'node:assert/strict';
import { remoteFlags, takeServerFlag } from '../../../src/cli/vaictl-remote.js';
import { isVaiError } from '../../../src/errors.js';

test('--server is taken out of argv in both spellings; everything else stays in order', () => {
  assert.deepEqual(takeServerFlag(['db', '--server', 'http://vps1:9753', '-o', 'wide']), { server: 'http://vps1:9753', rest: ['db', '-o', 'wide'] });
  assert.deepEqual(takeServerFlag(['--server=vps1:9753']), { server: 'vps1:9753', rest: [] });
  assert.deepEqual(takeServerFlag(['get', '--', '--server', 'x']), { server: undefined, rest: ['get', '--', '--server', 'x'] });
  assert.throws(() => takeServerFlag(['--server']), (e) => isVaiError(e, 'VAI_E_USAGE'));
  assert.throws(() => takeServerFlag(['--server', '-o']), (e) => isVaiError(e, 'VAI_E_USAGE'));
});

test('commands with no remote route are refused before any request is made', async () => {
  for (const cmd of ['reconcile', 'logs', 'alerts', 'suspend']) {
    await assert.rejects(remoteFlags(cmd, ['x', '--server', 'http://127.0.0.1:9'], {}), (e) => isVaiError(e, 'VAI_E_USAGE') && e.message.includes(cmd));
  }
  assert.deepEqual(await remoteFlags('reconcile', ['x'], {}), { rest: ['x'], status: undefined }, 'without --server nothing changes');
});
