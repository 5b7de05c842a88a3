import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { httpCheck } from '../../../src/executor/checks/http.js';
import { healthCheck } from './target.js';
import { checkWhileLoopBlocked } from '../../support/blocked-loop.js';
import { testdir } from '../../support/testdir.js';
import { startHttpService, type HttpService } from '../../support/services/processes.js';

const dir = testdir();
let svc: HttpService;
let closedPort: number;

before(async () => {
  svc = await startHttpService(dir.path);
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  closedPort = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
});
after(async () => {
  await svc.kill();
  dir.remove();
});

async function control(q: string) {
  await new Promise<void>((resolve, reject) => http.get(svc.url(`/control?${q}`), (res) => res.resume().on('end', resolve)).on('error', reject));
}

test('2xx is healthy, and the message names status, URL and latency', async () => {
  await control('status=200&body=ok&delay=0&chunked=0');
  const r = await httpCheck(healthCheck({ type: 'http', endpoint: svc.url() }));
  assert.equal(r.health, 'healthy');
  assert.equal(r.reason, 'CheckPassed');
  assert.match(r.message, new RegExp(`^HTTP 200 from ${svc.url()} after [\\d.]+ m?s$`));
  assert.ok(r.latencyMs >= 0);
});

test('3xx is healthy, as curl -f treats it', async () => {
  await control('status=302');
  const r = await httpCheck(healthCheck({ type: 'http', endpoint: svc.url() }));
  assert.equal(r.health, 'healthy');
});

test('503 is unhealthy with the status in the message', async () => {
  await control('status=503&body=down');
  const r = await httpCheck(healthCheck({ type: 'http', endpoint: svc.url('/minio/health/live') }));
  assert.equal(r.health, 'unhealthy');
  assert.equal(r.reason, 'HttpStatus');
  assert.match(r.message, /^HTTP 503 from http:\/\/127\.0\.0\.1:\d+\/minio\/health\/live after [\d.]+ m?s$/);
});

test('expected_status narrows what counts as healthy', async () => {
  await control('status=204');
  const bad = await httpCheck(healthCheck({ type: 'http', endpoint: svc.url(), expected_status: [200] }));
  assert.equal(bad.health, 'unhealthy');
  assert.match(bad.message, /HTTP 204 .* \(expected 200\)/);
  await control('status=503');
  const ok = await httpCheck(healthCheck({ type: 'http', endpoint: svc.url(), expected_status: [503] }));
  assert.equal(ok.health, 'healthy');
});

test('body_contains: found, missing, and found across chunks of a chunked body', async () => {
  await control('status=200&body=status%3A%20all-systems-go&chunked=0');
  assert.equal((await httpCheck(healthCheck({ type: 'http', endpoint: svc.url(), body_contains: 'all-systems-go' }))).health, 'healthy');
  const miss = await httpCheck(healthCheck({ type: 'http', endpoint: svc.url(), body_contains: 'degraded' }));
  assert.equal(miss.health, 'unhealthy');
  assert.equal(miss.reason, 'BodyMismatch');
  assert.match(miss.message, /does not contain "degraded"/);
  await control('chunked=1');
  assert.equal((await httpCheck(healthCheck({ type: 'http', endpoint: svc.url(), body_contains: 'all-systems-go' }))).health, 'healthy');
  assert.equal((await httpCheck(healthCheck({ type: 'http', endpoint: svc.url(), body_contains: 'nope' }))).health, 'unhealthy');
  await control('chunked=0&body=ok');
});

test('max_latency_ms: a slow but correct answer is unhealthy', async () => {
  await control('status=200&delay=300');
  const r = await httpCheck(healthCheck({ type: 'http', endpoint: svc.url(), max_latency_ms: 50 }));
  assert.equal(r.health, 'unhealthy');
  assert.equal(r.reason, 'TooSlow');
  assert.ok(r.latencyMs >= 50);
  await control('delay=0');
});

test('connection refused is unhealthy with the system error', async () => {
  const r = await httpCheck(healthCheck({ type: 'http', endpoint: `http://127.0.0.1:${closedPort}/health` }));
  assert.equal(r.health, 'unhealthy');
  assert.equal(r.reason, 'ConnectFailed');
  assert.match(r.message, new RegExp(`connect ECONNREFUSED 127\\.0\\.0\\.1:${closedPort}`));
});

test('a server that never answers is caught by the timeout', async () => {
  const r = await httpCheck(healthCheck({ type: 'http', endpoint: svc.url('/hang'), timeout_seconds: 0.3 }));
  assert.equal(r.health, 'unhealthy');
  assert.equal(r.reason, 'Timeout');
  assert.match(r.message, /^timed out after 300 ms waiting for a response from/);
});

test('a process frozen with SIGSTOP times out instead of hanging the check', async () => {
  const frozen = await startHttpService(dir.path);
  try {
    process.kill(frozen.pid, 'SIGSTOP');
    const r = await httpCheck(healthCheck({ type: 'http', endpoint: frozen.url(), timeout_seconds: 0.5 }));
    assert.equal(r.health, 'unhealthy');
    assert.equal(r.reason, 'Timeout');
  } finally {
    await frozen.kill();
  }
});

test('localhost resolves as the seed endpoints expect', async () => {
  await control('status=200');
  const r = await httpCheck(healthCheck({ type: 'http', endpoint: `http://localhost:${svc.port}/health` }));
  assert.equal(r.health, 'healthy');
});

test('a bad URL is the check\'s problem, not the service\'s: unknown', async () => {
  const r = await httpCheck(healthCheck({ type: 'http', endpoint: 'ftp://127.0.0.1/x' }));
  assert.equal(r.health, 'unknown');
  assert.equal(r.reason, 'CheckError');
  assert.match(r.message, /unsupported scheme ftp:/);
});

test('a non-HTTP answer is unhealthy', async () => {
  const s = net.createServer((c) => c.resume().end('SSH-2.0-OpenSSH\r\n'));
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  try {
    const port = (s.address() as AddressInfo).port;
    const r = await httpCheck(healthCheck({ type: 'http', endpoint: `http://127.0.0.1:${port}/` }));
    assert.equal(r.health, 'unhealthy');
    assert.match(r.message, /not an HTTP response/);
  } finally {
    await new Promise((r) => s.close(r));
  }
});


test('a service that answers while the event loop is blocked past the timeout is healthy', async () => {
  const r = await checkWhileLoopBlocked(() => httpCheck(healthCheck({ type: 'http', endpoint: svc.url(), timeout_seconds: 0.2 })), 600);
  assert.equal(r.health, 'healthy', r.message);
  assert.equal(r.reason, 'CheckPassed');
});

test('a blocked event loop does not hide a service that never answers', async () => {
  const r = await checkWhileLoopBlocked(() => httpCheck(healthCheck({ type: 'http', endpoint: svc.url('/hang'), timeout_seconds: 0.2 })), 600);
  assert.equal(r.health, 'unhealthy');
  assert.equal(r.reason, 'Timeout');
  assert.match(r.message, /^timed out after 200 ms waiting for a response from/);
});
