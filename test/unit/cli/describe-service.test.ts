import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { loadDesiredState } from '../../../src/manifest/load-desired-state.js';
import { describeService } from '../../../src/cli/printers/describe-service.js';
import type { StatusDocument } from '../../../src/status/schema.js';
import { FIXTURE_MANIFESTS, relocate } from '../../fixtures/status/state-dir.js';

const raw = JSON.parse(readFileSync(new URL('../../fixtures/status/demo.json', import.meta.url), 'utf8')) as StatusDocument;
const doc = relocate(raw, FIXTURE_MANIFESTS);
const now = Date.parse(doc.writtenAt);
const specs = (await loadDesiredState({ dir: FIXTURE_MANIFESTS, allowUnsafePermissions: true })).services;

const SECTIONS = [
  'Name:', 'Labels:', 'Source:', 'Revision:', 'Generation:', 'Desired:', 'Phase:', 'Health Check:', 'Container:',
  'Restart Command:', 'Stop Command:', 'Command Timeout:', 'Startup Delay:', 'Log Path:', 'Log Rotation:', 'Dependencies:', 'Policy:',
  'Notify:', 'Restarts:', 'Backoff:', 'Last Check:', 'Next Check:', 'Counters:', 'Last Failure:', 'Conditions:', 'Manifest Errors:', 'Events:',
];

function sectionOrder(text: string): string[] {
  return text.split('\n').filter((l) => /^[A-Z]/.test(l)).map((l) => /^[A-Za-z ]+:/.exec(l)![0]);
}

test('describe prints the sections in kubectl order, Events last', () => {
  const text = describeService({ doc, status: doc.services.api!, spec: specs.get('api'), now });
  assert.deepEqual(sectionOrder(text), SECTIONS);
});

test('a crash-looping service: restarts with reason, backoff with next attempt, success rates, folded events', () => {
  const text = describeService({ doc, status: doc.services.redis!, spec: specs.get('redis'), now });
  assert.match(text, /^Phase: +CrashLoopBackOff \(since 7m ago\)$/m);
  assert.match(text, /^Health Check: +TCP connect to 127\.0\.0\.1:6379, every 30s, timeout 2s$/m);
  assert.match(text, /^Restarts: +3, last 3m ago: connect ECONNREFUSED 127\.0\.0\.1:6379, 1 consecutive failure$/m);
  assert.match(text, /^Backoff: +3 of 3 failed recoveries in the last 300s; delay 20s, next attempt in 35s$/m);
  assert.match(text, /^Policy: +at most 3 failed recoveries in 300s, then back off 10s doubling to 300s; forgotten after 600s healthy$/m);
  // The seed's formulas: (TOTAL - FAILURES) * 100 / TOTAL = 460*100/500; recoveries 0 of 3.
  assert.match(text, /^ {2}Checks: +500 \(92% passed\)$/m);
  assert.match(text, /^ {2}Recoveries: +3 attempted, 0 succeeded \(0%\)$/m);
  assert.match(text, /^ {2}Warning +CheckFailed +25s \(x14 over 7m10s\) +vaid +connect ECONNREFUSED 127\.0\.0\.1:6379$/m);
  assert.match(text, /^Manifest Errors: +.*cache\.yaml:27:5 spec\.health_check\.port: must be <= 65535 \(got 112211\) \[VAI_E_MANIFEST_SCHEMA\]$/m);
  const events = text.slice(text.indexOf('Events:'));
  assert.ok(events.indexOf('Restarting') < events.indexOf('CheckFailed'), 'events oldest first by last time');
});

test('dependencies carry their current phase; conditions are a table', () => {
  const text = describeService({ doc, status: doc.services.api!, spec: specs.get('api'), now });
  assert.match(text, /^Dependencies: +redis \(CrashLoopBackOff\)\n +postgres \(Healthy\)$/m);
  assert.match(text, /^ {2}Type +Status +Reason +Age +Message$/m);
  assert.match(text, /^ {2}DependenciesReady +False +DependencyBackOff +6m40s +dependency redis is in CrashLoopBackOff/m);
  assert.match(text, /^Health Check: +HTTP GET http:\/\/127\.0\.0\.1:8080\/healthz expecting 2xx or 3xx, every 30s, timeout 5s; 3 failures to act, 1 successes to count as recovered$/m);
});

test('no secret from a URL reaches the output', () => {
  const text = describeService({ doc, status: doc.services.minio!, spec: specs.get('minio'), now });
  assert.ok(!text.includes('s3cr3t'), text);
  assert.match(text, /^Health Check: +HTTP GET http:\/\/\*\*\*@localhost:9000\/minio\/health\/live .* inside container services-container/m);
  assert.match(text, /^Notify: +alerts$/m);
});

test('without a spec the spec sections say <unknown> and the status still shows; empty lists say <none>', () => {
  const text = describeService({ doc, status: doc.services['legacy-cron']!, now });
  assert.match(text, /^Health Check: +<unknown>$/m);
  assert.match(text, /^Labels: +<none>$/m);
  assert.match(text, /^Last Check: +<none>$/m);
  assert.match(text, /^Events: +<none>$/m);
  assert.match(text, /^Desired: +Disabled/m);
});
