import { test } from 'node:test';
import assert from 'node:assert/strict';
import { matchesSelector, parseLabelSelector } from '../../../src/manifest/index.js';
import { isVaiError } from '../../../src/errors.js';

const labels = { host: 'vps1', tier: 'db', 'vai.dev/owner': 'ops' };

const ROWS: [string, boolean][] = [
  ['', true],
  ['host=vps1', true],
  ['host==vps1', true],
  ['host=vps2', false],
  ['host!=vps2', true],
  ['env!=prod', true],
  ['host,tier=db', true],
  ['!env', true],
  ['!host', false],
  ['env', false],
  ['host in (vps1, vps2)', true],
  ['host notin (vps1)', false],
  ['host=vps1, tier in (web,db), !env', true],
  ['vai.dev/owner=ops', true],
];

for (const [text, want] of ROWS) {
  test(`selector "${text}" ${want ? 'matches' : 'does not match'} ${JSON.stringify(labels)}`, () => {
    assert.equal(matchesSelector(labels, parseLabelSelector(text)), want);
  });
}

test('a bad selector is a usage error that names the selector and the bad part', () => {
  for (const [text, why] of [
    ['host=', null],
    ['host=a b', '"a b" is not a valid label value'],
    ['=x', '"=x" is not a valid label key'],
    ['host in (a', 'unbalanced parentheses'],
    ['a,,b', 'empty requirement'],
  ] as const) {
    if (why === null) {
      assert.ok(matchesSelector({ host: '' }, parseLabelSelector(text)), 'host= means an empty value, as kubectl');
      continue;
    }
    assert.throws(() => parseLabelSelector(text), (e: unknown) => isVaiError(e, 'VAI_E_USAGE') && e.message === `invalid label selector "${text}": ${why}`);
  }
});
