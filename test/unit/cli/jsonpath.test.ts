// kubectl's JSONPath, -o custom-columns, --sort-by and --field-selector on the objects that
// `vaictl get -o json` prints (issue 21). One row per template a kubectl user types.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jsonpath } from '../../../src/cli/printers/jsonpath.js';
import { matchesFields, parseFieldSelector, parseObjectFormat, printObjects, sortObjects } from '../../../src/cli/printers/objects.js';
import { objectList, serviceObject, type ServiceObject } from '../../../src/status/reader-objects.js';
import { syntheticStatus } from '../../fixtures/status/synthetic.js';

const doc = syntheticStatus(3, Date.parse('2026-12-01T10:00:00Z'));
const names = Object.keys(doc.services).sort();
const objs: ServiceObject[] = names.map((n) => serviceObject(doc.services[n]!));
for (const o of objs) o.status.phase = 'Healthy';
objs[1]!.status.phase = 'CrashLoopBackOff';
for (const o of objs) o.status.restarts.count = 1;
objs[1]!.status.restarts.count = 7;
const list = objectList(objs);

test('jsonpath templates as kubectl users type them', () => {
  const rows: Array<[string, string]> = [
    ['{.items[*].metadata.name}', names.join(' ')],
    ['{.items[0].metadata.name}', names[0]!],
    ['{.items[-1:].metadata.name}', names[2]!],
    ['{.items[1].status.phase}', 'CrashLoopBackOff'],
    ['{range .items[*]}{.metadata.name}{"\\t"}{.status.restarts.count}{"\\n"}{end}', objs.map((o) => `${o.metadata.name}\t${o.status.restarts.count}\n`).join('')],
    ['{.items[?(@.status.phase=="CrashLoopBackOff")].metadata.name}', names[1]!],
    ['{.items[?(@.status.restarts.count>5)].metadata.name}', names[1]!],
    ['names: {.items[*].metadata.name}!', `names: ${names.join(' ')}!`],
    ['{.kind}', 'List'],
    ['{.items[0].metadata.labels}', JSON.stringify(objs[0]!.metadata.labels)],
    ['{..creationTimestamp}', objs.map((o) => o.metadata.creationTimestamp).join(' ')],
    ['{.items[*].nosuch}', ''],
  ];
  for (const [template, want] of rows) assert.equal(jsonpath(template, list), want, template);
  assert.equal(jsonpath('{.status.phase}', objs[1]), 'CrashLoopBackOff', 'one named object: the object itself');
});

test('bad templates are usage errors that quote the template', () => {
  for (const bad of ['{.items[*].metadata.name', '{range .items[*]}{.metadata.name}', '{end}', '{.items[x]}']) {
    assert.throws(() => jsonpath(bad, list), (e: Error & { code?: string }) => e.code === 'VAI_E_USAGE' && e.message.includes(JSON.stringify(bad)), bad);
  }
});

test('custom-columns prints a header, <none> for a missing value, and --no-headers drops the header', () => {
  const fmt = parseObjectFormat('custom-columns=NAME:.metadata.name,PHASE:.status.phase,NOPE:.spec.x')!;
  const out = printObjects(fmt, list, objs, false).split('\n');
  assert.match(out[0]!, /^NAME\s+PHASE\s+NOPE$/);
  assert.match(out[2]!, new RegExp(`^${names[1]}\\s+CrashLoopBackOff\\s+<none>$`));
  assert.equal(printObjects(fmt, list, objs, true).split('\n')[0]!.startsWith(names[0]!), true);
  assert.throws(() => parseObjectFormat('custom-columns=NAME'), /HEADER:PATH/);
});

test('--sort-by sorts numbers as numbers and text as text', () => {
  const byRestarts = sortObjects(objs, '.status.restarts.count', (o) => o).map((o) => o.metadata.name);
  assert.equal(byRestarts.at(-1), names[1]);
  const byPhase = sortObjects(objs, '{.status.phase}', (o) => o).map((o) => o.status.phase);
  assert.deepEqual(byPhase, [...byPhase].sort((a, b) => a.localeCompare(b)));
});

test('--field-selector: phase=, desired=, health=, name=, with = == and !=', () => {
  const pick = (sel: string) => objs.filter((o) => matchesFields(o, parseFieldSelector(sel))).map((o) => o.metadata.name);
  assert.deepEqual(pick('phase=CrashLoopBackOff'), [names[1]]);
  assert.deepEqual(pick('status.phase!=CrashLoopBackOff'), [names[0], names[2]]);
  assert.deepEqual(pick(`name==${names[2]}`), [names[2]]);
  assert.deepEqual(pick('desired=Running,phase=CrashLoopBackOff'), [names[1]].filter((n) => doc.services[n!]!.desired === 'Running'));
  assert.equal(pick(`health=${objs[0]!.status.lastCheck?.health ?? 'unknown'}`).includes(names[0]!), true);
  assert.throws(() => parseFieldSelector('color=red'), /--field-selector: "color=red"/);
});

test('the object: kubectl-shaped metadata, status without the metadata fields, spec secrets redacted', () => {
  const s = doc.services[names[0]!]!;
  // A bearer token is 8+ characters (core/redact.ts keeps shorter words as prose).
  const o = serviceObject(s, { spec: { restart_cmd: 'curl -H "Authorization: Bearer abc.def.0123456789" http://u:pw@h/x?token=t1' } });
  assert.deepEqual(Object.keys(o), ['apiVersion', 'kind', 'metadata', 'spec', 'status']);
  assert.deepEqual(o.metadata, { name: s.name, labels: s.labels, generation: s.generation, creationTimestamp: s.createdAt });
  assert.equal(o.status.phase, s.phase);
  assert.equal(o.status.observedGeneration, s.observedGeneration);
  assert.equal('name' in o.status, false);
  const cmd = (o.spec as { restart_cmd: string }).restart_cmd;
  for (const secret of ['abc.def.0123456789', 'pw', 't1']) assert.equal(cmd.includes(secret), false, cmd);
});
