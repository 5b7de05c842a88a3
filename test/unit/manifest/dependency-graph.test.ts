import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dependencyOrder, dependentsOf, findCycles, unknownDependencies } from '../../../src/manifest/index.js';

const g = (o: Record<string, string[]>) => new Map(Object.entries(o));

test('dependencies come before their dependents; ties by name', () => {
  assert.deepEqual(dependencyOrder(g({ api: ['db', 'cache'], db: [], cache: [], web: ['api'], admin: [] })), ['admin', 'cache', 'db', 'api', 'web']);
});

test('cycles are found once each, printed from their smallest name', () => {
  assert.deepEqual(findCycles(g({ a: ['b'], b: ['c'], c: ['a'], d: ['e'], e: ['d'], f: ['a'] })), [
    ['a', 'b', 'c', 'a'],
    ['d', 'e', 'd'],
  ]);
  assert.deepEqual(findCycles(g({ a: ['b'], b: [] })), []);
});

test('a long chain does not overflow the stack', () => {
  const chain: Record<string, string[]> = {};
  for (let i = 0; i < 50_000; i++) chain[`s${i}`] = i === 0 ? [] : [`s${i - 1}`];
  assert.equal(dependencyOrder(g(chain))[49_999], 's49999');
  assert.deepEqual(findCycles(g(chain)), []);
});

test('unknown dependencies and transitive dependents', () => {
  assert.deepEqual(unknownDependencies(g({ a: ['x', 'b'], b: [] })), [['a', 'x']]);
  assert.deepEqual(dependentsOf(g({ db: [], api: ['db'], web: ['api'], other: [] }), 'db'), ['api', 'web']);
});
