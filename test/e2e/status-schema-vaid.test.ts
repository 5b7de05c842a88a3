// The published status schema (schemas/status.schema.json, the file other tools validate
// against) describes every field a real vaid writes: after an alert round-trip that includes a
// resend vaid could not verify, status.json validates against the file with extra fields
// forbidden on every object that has named fields.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { startNtfyServer } from '../support/ntfy-server.js';
import { testdir } from '../support/testdir.js';
import { writeUnrecoverableService } from '../support/unrecoverable-service.js';
import { waitFor } from '../support/wait.js';
import { ROOT, freePort, startVaid } from '../support/vaid.js';

type Schema = Record<string, unknown>;

const published = JSON.parse(readFileSync(path.join(ROOT, 'schemas/status.schema.json'), 'utf8')) as Schema;

function publishedProblems(doc: unknown): string | null {
  const validate = new Ajv2020({ allErrors: true, strict: false }).compile(published);
  if (validate(doc)) return null;
  return JSON.stringify(validate.errors?.slice(0, 5));
}

/** JSON pointers of objects that name their fields but let others through. */
function openObjects(node: unknown, at = ''): string[] {
  if (Array.isArray(node)) return node.flatMap((v, i) => openObjects(v, `${at}/${i}`));
  if (!node || typeof node !== 'object') return [];
  const n = node as Schema;
  const here = n.properties && n.additionalProperties !== false ? [at || '/'] : [];
  return [...here, ...Object.entries(n).flatMap(([k, v]) => openObjects(v, `${at}/${k}`))];
}

test('every object in the published status schema that names its fields forbids others', () => {
  assert.deepEqual(openObjects(published), []);
});

test("a real vaid's status.json after an alert sent again unverified validates against schemas/status.schema.json, unverifiedResends included", async (t) => {
  const dir = testdir({}, 'vai-status-schema-');
  const server = await startNtfyServer();
  const vaids: Array<{ kill9(): Promise<void> }> = [];
  t.after(async () => {
    for (const v of vaids) await v.kill9();
    await server.close();
    dir.remove();
  });
  const deadPort = await freePort();
  writeUnrecoverableService(dir, { deadPort, ntfyUrl: server.url, topic: 'vps' });
  const opts = { manifests: dir.join('manifests'), stateDir: dir.join('state') };

  // ntfy stores the alert but never answers; vaid dies not knowing whether it arrived.
  await server.setMode({ type: 'accept-no-answer' });
  const first = await startVaid(opts);
  vaids.push(first);
  await waitFor(() => server.messages.length === 1, { what: 'the alert stored by ntfy', timeoutMs: 60_000 });
  await first.kill9();
  // The next vaid cannot read the topic to check (a publish-only token): it sends again, counted.
  server.denyRead = true;
  await server.setMode({ type: 'accept' });
  const second = await startVaid(opts);
  vaids.push(second);
  await second.waitForStatus((d) => d.alerts.unverifiedResends === 1 && d.alerts.outboxSize === 0 && d.alerts.recent.some((r) => r.state === 'delivered'), 'the unverified resend in status.json', 60_000);

  const doc = JSON.parse(readFileSync(second.statusFile, 'utf8')) as { alerts: Record<string, unknown> };
  assert.equal(publishedProblems(doc), null);
  assert.equal(server.messages.length, 2, 'sent again: at least once is the floor');
  assert.notEqual(publishedProblems({ ...doc, alerts: { ...doc.alerts, unknownField: 1 } }), null, 'a field the schema does not name is refused');
});
