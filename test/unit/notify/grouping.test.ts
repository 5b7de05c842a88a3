// The pure grouping rule (src/notify/grouping.ts): which queued notifications join a head's
// message, when the head may go, and the one message they make.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dueAt, groupedNotification, MAX_GROUP, pickGroup, type GroupCandidate } from '../../../src/notify/grouping.js';
import { formatAlert } from '../../../src/notify/format.js';
import { alert, minioSpec } from './fixtures.js';

const T = 1_000_000;
const WAIT = 5_000;
const DEST = 'ntfy:http://127.0.0.1:1/alerts';

function entry(seq: number, service: string, over: Partial<GroupCandidate> = {}): GroupCandidate & { nextAttemptAt: number } {
  const createdAt = T + seq * 100;
  return { seq, service, destination: DEST, createdAt, attempts: 0, nextAttemptAt: createdAt, groupUntil: createdAt + WAIT, ...over };
}

const portInUse = { reason: 'PortInUse', message: 'port 9000 is held by pid 4242 (nginx)', evidence: ['ss: LISTEN 0.0.0.0:9000 pid 4242'] };
const failed = (service: string, over = {}) => formatAlert(alert(service, 'recovery-failed', 1, { spec: minioSpec({ notify_on_fail: 'alerts' }), ...over }), 'vps1');

test('three services failing within group_wait: one group led by the first', () => {
  const q = [entry(1, 'minio'), entry(2, 'api'), entry(3, 'web')];
  assert.deepEqual(pickGroup(q[0]!, q), [2, 3]);
});

test('a single alert is sent alone, its message unchanged', () => {
  const q = [entry(1, 'minio')];
  assert.deepEqual(pickGroup(q[0]!, q), []);
  const one = failed('minio');
  assert.equal(groupedNotification([one]), one);
});

test('queued after the head\'s wait ended: not in its message', () => {
  const head = entry(1, 'minio');
  const late = entry(2, 'api', { createdAt: head.groupUntil! + 1 });
  assert.deepEqual(pickGroup(head, [head, late]), []);
});

test('another destination, or a second notice of a service already in the group: left for later', () => {
  const q = [entry(1, 'minio'), entry(2, 'api', { destination: 'email:ops@example.org' }), entry(3, 'minio'), entry(4, 'web')];
  assert.deepEqual(pickGroup(q[0]!, q), [4]);
});

test('a message that may have gone out is never changed: a tried head forms no group, tried entries join none', () => {
  const tried = entry(1, 'minio', { attempts: 1 });
  const doubtful = entry(1, 'minio', { inDoubtSince: T });
  const q = [entry(2, 'api'), entry(3, 'web', { attempts: 2 }), entry(4, 'db', { inDoubtSince: T })];
  assert.deepEqual(pickGroup(tried, [tried, ...q]), []);
  assert.deepEqual(pickGroup(doubtful, [doubtful, ...q]), []);
  const head = entry(1, 'minio');
  assert.deepEqual(pickGroup(head, [head, ...q]), [2]);
});

test('a group once formed is the one on disk, whatever is queued since', () => {
  const head = entry(1, 'minio', { group: { seqs: [3] } });
  assert.deepEqual(pickGroup(head, [head, entry(2, 'api'), entry(3, 'web')]), [3]);
});

test('no group wait (group_wait_seconds: 0, or a sink read by programs): alone', () => {
  const head = entry(1, 'minio', { groupUntil: undefined });
  assert.deepEqual(pickGroup(head, [head, entry(2, 'api')]), []);
});

test(`at most ${MAX_GROUP} services in one message`, () => {
  const q = Array.from({ length: MAX_GROUP + 5 }, (_, i) => entry(i + 1, `svc${i}`, { createdAt: T }));
  assert.equal(pickGroup(q[0]!, q).length, MAX_GROUP - 1);
});

test('the head waits for its group only before its first attempt; a retry keeps its own time', () => {
  const e = entry(1, 'minio');
  assert.equal(dueAt(e), e.groupUntil);
  assert.equal(dueAt({ ...e, attempts: 1, nextAttemptAt: e.createdAt + 200 }), e.createdAt + 200);
  assert.equal(dueAt({ ...e, groupUntil: undefined }), e.nextAttemptAt);
});

test('the grouped message: the count in the title, every service named with its cause when known, each text below', () => {
  const parts = [failed('minio', { cause: portInUse }), failed('api'), failed('web')];
  const g = groupedNotification(parts);
  assert.equal(g.title, '3 services failed on vps1');
  assert.equal(g.message.split('\n')[0], '3 services failed on vps1: minio (Recovery Failed: PortInUse), api, web');
  for (const p of parts) {
    assert.ok(g.message.includes(p.title), `names ${p.title}`);
    assert.ok(g.message.includes(p.message), `carries ${p.service}'s own text`);
  }
  assert.equal(g.id, parts[0]!.id);
  assert.equal(g.priority, 5);
  assert.ok(g.tags.includes('grouped'));
});

test('mixed kinds: the title counts alerts and services, each named with its kind; the most urgent sets the priority', () => {
  const rec = formatAlert(alert('api', 'recovered', 1), 'vps1');
  const g = groupedNotification([rec, failed('minio')]);
  assert.equal(g.title, '2 alerts for 2 services on vps1');
  assert.equal(g.message.split('\n')[0], '2 alerts for 2 services on vps1: api (Recovered), minio (Recovery Failed)');
  assert.equal(g.priority, 5);
  assert.equal(g.kind, 'recovery-failed');
});

test('all recovered: "N services recovered"', () => {
  const g = groupedNotification([formatAlert(alert('api', 'recovered', 1), 'vps1'), formatAlert(alert('web', 'recovered', 1), 'vps1')]);
  assert.equal(g.title, '2 services recovered on vps1');
});
