import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hostHeaderName, isLoopbackHost, parseListenAddress } from '../../../src/web/listen-address.js';
import { isVaiError } from '../../../src/errors.js';

test('listen addresses people write, and whether each stays on this host', () => {
  const rows: [string, string, number, boolean][] = [
    ['127.0.0.1:9753', '127.0.0.1', 9753, true],
    ['[::1]:9753', '::1', 9753, true],
    ['localhost:80', 'localhost', 80, true],
    [':9753', '127.0.0.1', 9753, true],
    ['127.0.0.2:0', '127.0.0.2', 0, true],
    ['0.0.0.0:9753', '0.0.0.0', 9753, false],
    ['[::]:9753', '::', 9753, false],
    ['10.0.0.5:9753', '10.0.0.5', 9753, false],
    ['vps1.example.org:9753', 'vps1.example.org', 9753, false],
  ];
  for (const [text, host, port, loopback] of rows) assert.deepEqual(parseListenAddress(text), { host, port, loopback }, text);
});

test('malformed listen addresses are usage errors that show an example', () => {
  for (const bad of ['9753', 'localhost', '127.0.0.1:99999', '[nothost]:1', '1.2.3.4:port', '::1:9753']) {
    assert.throws(() => parseListenAddress(bad), (e) => isVaiError(e, 'VAI_E_USAGE') && /127\.0\.0\.1:9753|out of range|not an IPv6/.test(e.message), bad);
  }
});

test('loopback names and the host part of Host headers', () => {
  assert.equal(isLoopbackHost('::ffff:127.0.0.1'), true);
  assert.equal(isLoopbackHost('app.localhost'), true);
  assert.equal(isLoopbackHost('127.evil.example'), false);
  assert.equal(hostHeaderName('[::1]:9753'), '::1');
  assert.equal(hostHeaderName('localhost:9753'), 'localhost');
  assert.equal(hostHeaderName('evil.example'), 'evil.example');
  assert.equal(hostHeaderName(undefined), '');
});
