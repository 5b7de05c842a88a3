import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { tcpCheck } from '../../../src/executor/checks/tcp.js';
import { healthCheck } from './target.js';
import { checkWhileLoopBlocked } from '../../support/blocked-loop.js';
import { testdir } from '../../support/testdir.js';
import { startHttpService } from '../../support/services/processes.js';

const dir = testdir();
after(() => dir.remove());

async function listener(): Promise<net.Server> {
  const s = net.createServer((c) => c.destroy());
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return s;
}

test('a listening port is healthy', async () => {
  const s = await listener();
  try {
    const port = (s.address() as AddressInfo).port;
    const r = await tcpCheck(healthCheck({ type: 'tcp', host: '127.0.0.1', port }));
    assert.equal(r.health, 'healthy');
    assert.match(r.message, new RegExp(`^connected to 127\\.0\\.0\\.1:${port} after [\\d.]+ m?s$`));
  } finally {
    await new Promise((r) => s.close(r));
  }
});

test('a closed port is unhealthy: connection refused', async () => {
  const s = await listener();
  const port = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  const r = await tcpCheck(healthCheck({ type: 'tcp', host: '127.0.0.1', port }));
  assert.equal(r.health, 'unhealthy');
  assert.equal(r.reason, 'ConnectFailed');
  assert.equal(r.message, `connect ECONNREFUSED 127.0.0.1:${port}`);
});

test('a frozen process whose accept queue is full times out', async () => {
  const svc = await startHttpService(dir.path, ['--backlog', '1']);
  const fillers: net.Socket[] = [];
  try {
    process.kill(svc.pid, 'SIGSTOP');
    // Fill the accept queue: once it is full the kernel drops new SYNs and connects hang.
    for (let i = 0; i < 8; i++) {
      const c = net.connect(svc.port, '127.0.0.1');
      c.on('error', () => undefined);
      fillers.push(c);
    }
    const r = await tcpCheck(healthCheck({ type: 'tcp', host: '127.0.0.1', port: svc.port, timeout_seconds: 0.5 }));
    assert.equal(r.health, 'unhealthy');
    assert.equal(r.reason, 'Timeout');
    assert.match(r.message, /^timed out after 500 ms connecting to 127\.0\.0\.1:\d+$/);
  } finally {
    for (const c of fillers) c.destroy();
    await svc.kill();
  }
});

test('a cancelled check is unknown, not unhealthy', async () => {
  const s = await listener();
  try {
    const ac = new AbortController();
    ac.abort();
    const r = await tcpCheck(healthCheck({ type: 'tcp', port: (s.address() as AddressInfo).port }), ac.signal);
    assert.equal(r.health, 'unknown');
  } finally {
    await new Promise((r) => s.close(r));
  }
});


test('a connect that completed while the event loop was blocked past the timeout is healthy', async () => {
  const svc = await startHttpService(dir.path);
  try {
    const r = await checkWhileLoopBlocked(() => tcpCheck(healthCheck({ type: 'tcp', host: '127.0.0.1', port: svc.port, timeout_seconds: 0.2 })), 600);
    assert.equal(r.health, 'healthy', r.message);
    assert.equal(r.reason, 'CheckPassed');
  } finally {
    await svc.kill();
  }
});
