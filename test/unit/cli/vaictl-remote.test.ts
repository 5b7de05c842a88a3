import { test } from 'node:test';
import assert from 'node:assert/strict';
import { remoteFlags, takeServerFlag } from '../../../src/cli/vaictl-remote.js';
import { isVaiError } from '../../../src/errors.js';
import { COMMANDS } from '../../../src/cli/commands/index.js';

test('--server is taken out of argv in both spellings; everything else stays in order', () => {
  assert.deepEqual(takeServerFlag(['db', '--server', 'http://vps1:9753', '-o', 'wide']), { server: 'http://vps1:9753', rest: ['db', '-o', 'wide'] });
  assert.deepEqual(takeServerFlag(['--server=vps1:9753']), { server: 'vps1:9753', rest: [] });
  assert.deepEqual(takeServerFlag(['get', '--', '--server', 'x']), { server: undefined, rest: ['get', '--', '--server', 'x'] });
  assert.throws(() => takeServerFlag(['--server']), (e) => isVaiError(e, 'VAI_E_USAGE'));
  assert.throws(() => takeServerFlag(['--server', '-o']), (e) => isVaiError(e, 'VAI_E_USAGE'));
});

test('commands with no remote route are refused before any request is made', async () => {
  for (const cmd of ['reconcile', 'logs', 'alerts', 'suspend']) {
    const command = COMMANDS.find((c) => c.name === cmd)!;
    await assert.rejects(remoteFlags(command, ['x', '--server', 'http://127.0.0.1:9'], {}, COMMANDS), (e) => isVaiError(e, 'VAI_E_USAGE') && e.message.includes(`"${cmd}" acts on this host only`) && e.message.includes('get, describe, events'));
  }
  assert.deepEqual(await remoteFlags({ name: 'reconcile' }, ['x'], {}), { rest: ['x'], status: undefined }, 'without --server nothing changes');
});
