// How the newer check types read in `vaictl get -o wide` (target) and `describe` (sentence): one
// row per type, with its thresholds in words; a disk check in a container says where it runs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkSentence, checkTarget } from '../../../src/cli/printers/check-words.js';
import type { HealthCheck } from '../../../src/manifest/schema.js';
import { healthCheck, serviceSpec } from '../../support/service-spec.js';

const ROWS: [Partial<HealthCheck> & Pick<HealthCheck, 'type'>, string, string][] = [
  [
    { type: 'disk', path: '/var/lib/postgresql', min_free_percent: 10, min_free_inodes_percent: 5 },
    'disk /var/lib/postgresql',
    'the filesystem of /var/lib/postgresql has at least 10 % free and 5 % of inodes free, every 60s, timeout 5s',
  ],
  [
    { type: 'file', path: '/backups/db.dump', max_age_seconds: 93600, min_size_bytes: 1048576, sha256: 'ab'.repeat(32) },
    'file /backups/db.dump',
    'file /backups/db.dump exists, modified within 93600s, at least 1048576 bytes, sha256 abababababab…, every 60s, timeout 5s',
  ],
  [
    { type: 'certificate', endpoint: 'https://127.0.0.1:443/', server_name: 'www.example.com', warn_days: 14, fail_days: 3 },
    'certificate 127.0.0.1:443',
    'TLS certificate of 127.0.0.1:443 (SNI www.example.com) valid; warn under 14 days left, fail under 3, every 60s, timeout 5s',
  ],
  [{ type: 'certificate', host: '10.0.0.5', port: 8443 }, 'certificate 10.0.0.5:8443', 'TLS certificate of 10.0.0.5:8443 valid; warn under 14 days left, fail under 3, every 60s, timeout 5s'],
  [
    { type: 'heartbeat', period_seconds: 86400, grace_seconds: 3600, path: '/var/run/backup.done' },
    'heartbeat every 86400s',
    'a beat (vaictl heartbeat, POST /hooks/heartbeat/NAME, or touching /var/run/backup.done) at least every 86400s + 3600s grace, every 60s, timeout 5s',
  ],
  [
    { type: 'system', max_load_per_core: 4, min_available_memory_percent: 10, max_swap_used_percent: 50 },
    'system',
    'the host has load per core at most 4, at least 10 % memory available, swap at most 50 % used, every 60s, timeout 5s',
  ],
];

for (const [hc, target, sentence] of ROWS) {
  test(`${hc.type}: "${target}" / "${sentence.slice(0, 50)}…"`, () => {
    const spec = serviceSpec({ health_check: healthCheck(hc) });
    assert.equal(checkTarget(spec.health_check, spec), target);
    assert.equal(checkSentence(spec), sentence);
  });
}

test('a disk check in a container says so', () => {
  const spec = serviceSpec({ container: 'web', health_check: healthCheck({ type: 'disk', path: '/data', min_free_mb: 5 }) });
  assert.equal(checkSentence(spec), 'the filesystem of /data has at least 5 MB free inside container web, every 60s, timeout 5s');
});
