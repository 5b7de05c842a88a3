import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkCooldown } from '../../../src/notify/cooldown.js';
import { retryDelayMs } from '../../../src/notify/retry-delay.js';
import { classifyHttpStatus, parseRetryAfter } from '../../../src/notify/sinks/outcome.js';
import { resolveRoute, routeTarget } from '../../../src/notify/route.js';
import { redactText, redactUrl } from '../../../src/notify/redact.js';
import { notifierTarget } from './fixtures.js';

test('cooldown: first always goes, then held until the cooldown passed; a clock jump back does not mute', () => {
  assert.deepEqual(checkCooldown(undefined, 900, 0), { allowed: true });
  assert.deepEqual(checkCooldown(1000, 900, 1000 + 899_999), { allowed: false, until: 1000 + 900_000 });
  assert.deepEqual(checkCooldown(1000, 900, 1000 + 900_000), { allowed: true });
  assert.deepEqual(checkCooldown(1000, 0, 1001), { allowed: true });
  assert.deepEqual(checkCooldown(10_000, 900, 5_000), { allowed: true });
});

test('retry delay doubles to its cap; Retry-After wins when longer, within its own cap', () => {
  const p = { initialMs: 2000, maxMs: 300_000, maxRetryAfterMs: 3_600_000 };
  assert.deepEqual([1, 2, 3, 4].map((a) => retryDelayMs(a, p)), [2000, 4000, 8000, 16000]);
  assert.equal(retryDelayMs(50, p), 300_000);
  assert.equal(retryDelayMs(1, p, 60_000), 60_000);
  assert.equal(retryDelayMs(3, p, 1000), 8000);
  assert.equal(retryDelayMs(1, p, 86_400_000), 3_600_000);
});

test('HTTP statuses: 2xx delivered; 5xx, 408, 425, 429 retried; other 4xx final', () => {
  const table: [number, string][] = [[200, 'delivered'], [204, 'delivered'], [500, 'retry'], [503, 'retry'], [429, 'retry'], [408, 'retry'], [400, 'reject'], [401, 'reject'], [403, 'reject'], [404, 'reject'], [413, 'reject'], [302, 'reject']];
  for (const [status, want] of table) assert.equal(classifyHttpStatus(status), want, String(status));
});

test('Retry-After as seconds or as an HTTP date', () => {
  const now = Date.parse('2026-11-27T10:00:00Z');
  assert.equal(parseRetryAfter('120', now), 120_000);
  assert.equal(parseRetryAfter('Fri, 27 Nov 2026 10:00:30 GMT', now), 30_000);
  assert.equal(parseRetryAfter('soon', now), undefined);
  assert.equal(parseRetryAfter(undefined, now), undefined);
});

test('routes: a Notifier by name, else an ntfy topic on $VAI_NTFY_URL, else a clear error', () => {
  const targets = new Map([
    notifierTarget('alerts', { type: 'ntfy', topic: 'khali-vps-alerts', token_env: 'OPS_TOKEN', cooldown_seconds: 60 }),
    notifierTarget('hook', { type: 'webhook', url: 'https://user:pw@hooks.example/x' }),
  ]);
  const env = { VAI_NTFY_URL: 'https://ntfy.example.org' };
  const a = resolveRoute('alerts', targets, env);
  assert.ok(a.ok, 'alerts resolves');
  assert.deepEqual(a.value.route, { sink: 'ntfy', notifier: 'alerts', server: 'https://ntfy.example.org', topic: 'khali-vps-alerts', tokenEnv: 'OPS_TOKEN' });
  assert.equal(a.value.cooldownSeconds, 60);
  const topic = resolveRoute('my-topic', targets, {});
  assert.ok(topic.ok, 'a topic resolves');
  assert.equal(routeTarget(topic.value.route), 'https://ntfy.sh/my-topic');
  assert.equal(topic.value.cooldownSeconds, 900);
  const hook = resolveRoute('hook', targets, {});
  assert.ok(hook.ok, 'hook resolves');
  assert.equal(routeTarget(hook.value.route), 'https://***@hooks.example/x');
  const bad = resolveRoute('not a topic!', targets, {});
  assert.ok(!bad.ok, 'a bad topic does not resolve');
  assert.match(bad.error, /names no Notifier and is not a valid ntfy topic/);
});

test('redaction: known secret values and URL userinfo', () => {
  assert.equal(redactUrl('see https://a:b@h.example/p and http://h2/'), 'see https://***@h.example/p and http://h2/');
  assert.equal(redactText('Bearer tk_abcdef failed', ['tk_abcdef']), 'Bearer *** failed');
});

test('ntfy headers: ASCII as is, anything else as an RFC 2047 encoded-word ntfy decodes', async () => {
  const { headerValue } = await import('../../../src/notify/sinks/ntfy.js');
  assert.equal(headerValue('minio Recovery Failed'), 'minio Recovery Failed');
  assert.equal(headerValue('Ausfall – minio'), `=?UTF-8?B?${Buffer.from('Ausfall – minio').toString('base64')}?=`);
});
