import { test } from 'node:test';
import assert from 'node:assert/strict';
import { redactJson, redactText } from '../../../src/web/redact.js';

test('credentials in messages are masked, the rest stays readable', () => {
  const rows: [string, string][] = [
    ['GET http://admin:s3cret@127.0.0.1:9000/health -> 401', 'GET http://***@127.0.0.1:9000/health -> 401'],
    ['https://u:p@a.example/x and redis://:pw@127.0.0.1:6379', 'https://***@a.example/x and redis://***@127.0.0.1:6379'],
    ['http://127.0.0.1/h?token=abc&x=1', 'http://127.0.0.1/h?token=***&x=1'],
    ['http://h/?api_key=k1;password=p2#frag', 'http://h/?api_key=***;password=***#frag'],
    ['Authorization: Bearer eyJhbGciOi.x.y failed', 'Authorization: Bearer *** failed'],
    ['HTTP 503 from http://127.0.0.1:9000/minio/health/live, 3 consecutive failures', 'HTTP 503 from http://127.0.0.1:9000/minio/health/live, 3 consecutive failures'],
    ['user@example.org wrote', 'user@example.org wrote'],
  ];
  for (const [input, want] of rows) assert.equal(redactText(input), want, input);
});

test('redactJson masks every string at any depth and leaves other values and the input alone', () => {
  const input = { a: ['http://u:p@h/'], b: { c: 'x?token=1', n: 3, t: true, z: null } };
  const out = redactJson(input);
  assert.deepEqual(out, { a: ['http://***@h/'], b: { c: 'x?token=***', n: 3, t: true, z: null } });
  assert.equal(input.a[0], 'http://u:p@h/');
});
