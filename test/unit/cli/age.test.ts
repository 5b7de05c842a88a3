import { test } from 'node:test';
import assert from 'node:assert/strict';
import { age, formatDuration, until } from '../../../src/cli/printers/age.js';

const S = 1000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;

test('durations read as kubectl prints them: precise when recent, coarser as they grow', () => {
  const rows: Array<[number, string]> = [
    [0, '0s'],
    [-500, '0s'],
    [-5 * S, '<invalid>'],
    [59 * S, '59s'],
    [119 * S, '119s'],
    [2 * M, '2m'],
    [5 * M + 3 * S, '5m3s'],
    [10 * M + 59 * S, '10m'],
    [179 * M, '179m'],
    [3 * H + 12 * M, '3h12m'],
    [7 * H, '7h'],
    [8 * H + 30 * M, '8h'],
    [47 * H, '47h'],
    [3 * D + 2 * H, '3d2h'],
    [9 * D, '9d'],
    [800 * D, '2y70d'],
    [3000 * D, '8y'],
  ];
  for (const [ms, want] of rows) assert.equal(formatDuration(ms), want, `${ms} ms`);
});

test('ages and countdowns of ISO times, with placeholders for missing ones', () => {
  const now = Date.parse('2026-11-27T21:00:00Z');
  assert.equal(age('2026-11-27T20:55:00Z', now), '5m');
  assert.equal(age(null, now), '<unknown>');
  assert.equal(age('not a time', now), '<unknown>');
  assert.equal(until('2026-11-27T21:00:30Z', now), 'in 30s');
  assert.equal(until('2026-11-27T20:59:00Z', now), 'now');
  assert.equal(until(null, now), '<none>');
});
