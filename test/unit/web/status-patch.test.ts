import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import jsonPatch from 'fast-json-patch';
import { statusPatch } from '../../../src/web/status-patch.js';
import { redactStatus } from '../../../src/web/redact.js';
import { serviceStatus, statusDocument } from '../../e2e/web-fixtures.js';
import { PHASES, type StatusDocument } from '../../../src/status/schema.js';

const apply = (doc: StatusDocument, ops: ReturnType<typeof statusPatch>) => jsonPatch.applyPatch(structuredClone(doc), ops, true, false).newDocument;

test('an unchanged service (same object) yields no operations; a changed one only its own', () => {
  const a = serviceStatus('a');
  const b = serviceStatus('b');
  const prev = statusDocument([a, b]);
  const next = { ...prev, services: { a, b: { ...b, phase: 'Recovering' as const } } };
  assert.deepEqual(statusPatch(prev, next), [{ op: 'replace', path: '/services/b/phase', value: 'Recovering' }]);
  assert.deepEqual(statusPatch(prev, { ...prev }), []);
});

test('services added and removed, and top-level fields, become patches that rebuild the document', () => {
  const prev = statusDocument([serviceStatus('a'), serviceStatus('b')]);
  const next = structuredClone(prev);
  delete next.services.a;
  next.services.c = serviceStatus('c');
  next.writtenAt = '2027-01-01T00:00:00.000Z';
  next.manifests = { ...next.manifests, generation: 8 };
  const ops = statusPatch(prev, next);
  assert.ok(ops.some((o) => o.op === 'remove' && o.path === '/services/a'));
  assert.ok(ops.some((o) => o.op === 'add' && o.path === '/services/c'));
  assert.deepEqual(apply(prev, ops), next);
});

test('property: applying the patch to the previous document always gives the next one', () => {
  const names = ['api', 'db', 'web', 'a~b', 'x/y'];
  const step = fc.record({
    name: fc.constantFrom(...names),
    action: fc.constantFrom('keep', 'remove', 'phase', 'restart', 'event', 'add'),
    phase: fc.constantFrom(...PHASES),
    top: fc.boolean(),
  });
  fc.assert(
    fc.property(fc.array(fc.array(step, { maxLength: 6 }), { minLength: 1, maxLength: 8 }), (writes) => {
      let doc = statusDocument([serviceStatus('api'), serviceStatus('db')]);
      let client = structuredClone(redactStatus(doc));
      for (const changes of writes) {
        // As the store does: a changed service is a new object, the others are kept as they are.
        const services = { ...doc.services };
        let top = doc.alerts;
        for (const c of changes) {
          const s = services[c.name];
          if (c.action === 'remove') delete services[c.name];
          else if (c.action === 'add' || !s) services[c.name] = serviceStatus(c.name, { phase: c.phase });
          else if (c.action === 'phase') services[c.name] = { ...s, phase: c.phase };
          else if (c.action === 'restart') services[c.name] = { ...s, restarts: { ...s.restarts, count: s.restarts.count + 1 } };
          else if (c.action === 'event') services[c.name] = { ...s, events: [...s.events, { ...s.events[0]!, reason: 'Restarting', count: 1 }].slice(-3) };
          if (c.top) top = { ...top, outboxSize: top.outboxSize + 1 };
        }
        const next = { ...doc, services, alerts: top };
        const ops = statusPatch(redactStatus(doc), redactStatus(next));
        client = jsonPatch.applyPatch(client, ops, true, false).newDocument;
        assert.deepEqual(client, redactStatus(next));
        doc = next;
      }
    }),
    { numRuns: 300 },
  );
});
