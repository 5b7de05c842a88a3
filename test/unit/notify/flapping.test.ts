// The flapping rule, table-driven on exact times (pure: no clock).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decideFlapping, flappingMessage, type Restart } from '../../../src/notify/flapping.js';

const T0 = Date.parse('2026-11-27T10:00:00Z');
const MIN = 60_000;
const at = (...mins: number[]): Restart[] => mins.map((m) => ({ at: T0 + m * MIN, cause: `crash at +${m}m` }));

test('flapping: five recovered restarts within an hour open one incident; resolved after an hour stable', () => {
  const rows: Array<[string, Restart[], number | null, number, string]> = [
    ['four restarts in an hour: quiet', at(0, 10, 20, 30), null, T0 + 31 * MIN, 'quiet'],
    ['the fifth within the hour: one alert', at(0, 10, 20, 30, 40), null, T0 + 41 * MIN, 'open'],
    ['five spread over more than an hour: quiet', at(0, 20, 40, 60, 80), null, T0 + 81 * MIN, 'quiet'],
    ['a sixth while open: no second alert', at(0, 10, 20, 30, 40, 50), T0 + 40 * MIN, T0 + 51 * MIN, 'still-flapping'],
    ['59 min stable after the last restart: still open', at(0, 10, 20, 30, 40), T0 + 40 * MIN, T0 + 99 * MIN, 'still-flapping'],
    ['an hour stable: resolved', at(0, 10, 20, 30, 40), T0 + 40 * MIN, T0 + 100 * MIN, 'resolve'],
  ];
  for (const [name, restarts, open, now, want] of rows) assert.equal(decideFlapping(restarts, open, now).type, want, name);
  assert.equal(decideFlapping(at(0, 1, 2), null, T0 + 3 * MIN, { restarts: 3, windowSeconds: 300 }).type, 'open', 'a per-service policy');
});

test('flapping: the alert lists each restart with its time and cause', () => {
  const d = decideFlapping(at(0, 10, 20, 30, 40), null, T0 + 41 * MIN);
  assert.equal(d.type, 'open');
  if (d.type !== 'open') return;
  const text = flappingMessage('minio', d.restarts, { restarts: 5, windowSeconds: 3600 });
  assert.match(text, /^minio was restarted 5 times within 1 h, each time recovering:\n {2}2026-11-27T10:00:00.000Z {2}crash at \+0m\n/);
  assert.equal(text.split('\n').length, 6);
});
