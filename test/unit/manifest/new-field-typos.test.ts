// A misspelt field of the newer checks (disk, certificate, file, heartbeat, system, the https
// options) and of spec.limits: the exact line `vaictl validate` prints, file:line:col with the
// misspelt field named and the field meant. One row per field; the rest of each manifest is valid.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { describeError, validateTree } from '../../../src/manifest/index.js';
import { testdir } from '../../support/testdir.js';

const dir = testdir();
after(() => dir.remove());

interface Row {
  /** The field meant, and the typo written instead. */
  field: string;
  typo: string;
  value: string;
  /** The valid rest of the block the typo sits in (health_check, or limits). */
  base: string[];
  /** limits: the typo sits in spec.limits under a tcp check; else in health_check. */
  inLimits?: boolean;
  /** What else a person rightly hears: a required field the typo left out. */
  before?: string;
}

const CERT = ['type: certificate', 'endpoint: https://127.0.0.1:8443/'];
const HTTPS = ['type: http', 'endpoint: https://127.0.0.1:8443/health'];
const ROWS: Row[] = [
  { field: 'memory_mb', typo: 'max_memroy', value: '500', base: ['for_checks: 3'], inLimits: true },
  { field: 'memory_mb', typo: 'memory_md', value: '500', base: ['for_checks: 3'], inLimits: true },
  { field: 'cpu_percent', typo: 'cpu_precent', value: '90', base: ['memory_mb: 500'], inLimits: true },
  { field: 'for_checks', typo: 'for_check', value: '3', base: ['memory_mb: 500'], inLimits: true },
  { field: 'path', typo: 'pth', value: '/', base: ['type: disk', 'min_free_mb: 5'], before: 'svc.yaml:7:3: spec.health_check: missing required field "path" when type is disk [VAI_E_MANIFEST_SCHEMA]' },
  { field: 'min_free_percent', typo: 'min_free_precent', value: '10', base: ['type: disk', 'path: /', 'min_free_mb: 5'] },
  { field: 'min_free_mb', typo: 'min_fre_mb', value: '5', base: ['type: disk', 'path: /', 'min_free_percent: 10'] },
  { field: 'min_free_inodes_percent', typo: 'min_free_inode_percent', value: '5', base: ['type: disk', 'path: /', 'min_free_mb: 5'] },
  { field: 'server_name', typo: 'server_nmae', value: 'api.example.com', base: CERT },
  { field: 'warn_days', typo: 'warn_dayz', value: '14', base: CERT },
  { field: 'fail_days', typo: 'fail_dasy', value: '3', base: CERT },
  { field: 'ca_file', typo: 'ca_fiel', value: 'ca.pem', base: CERT },
  { field: 'max_age_seconds', typo: 'max_age_secs', value: '3600', base: ['type: file', 'path: /etc/hostname'] },
  { field: 'min_size_bytes', typo: 'min_size_byte', value: '1', base: ['type: file', 'path: /etc/hostname'] },
  { field: 'sha256', typo: 'sha265', value: `"${'0'.repeat(64)}"`, base: ['type: file', 'path: /etc/hostname'] },
  { field: 'period_seconds', typo: 'period_secnds', value: '60', base: ['type: heartbeat', 'period_seconds: 3600'] },
  { field: 'grace_seconds', typo: 'grace_secnds', value: '60', base: ['type: heartbeat', 'period_seconds: 3600'] },
  { field: 'max_load_per_core', typo: 'max_load_per_cpu', value: '2', base: ['type: system', 'min_available_memory_mb: 100'] },
  { field: 'min_available_memory_percent', typo: 'min_availble_memory_percent', value: '10', base: ['type: system', 'max_load_per_core: 2'] },
  { field: 'min_available_memory_mb', typo: 'min_available_memroy_mb', value: '100', base: ['type: system', 'max_load_per_core: 2'] },
  { field: 'max_swap_used_percent', typo: 'max_swap_use_percent', value: '50', base: ['type: system', 'max_load_per_core: 2'] },
  { field: 'ca_file', typo: 'ca_flie', value: 'ca.pem', base: HTTPS },
  { field: 'insecure_skip_verify', typo: 'insecure_skip_verfy', value: 'true', base: HTTPS },
  { field: 'cert_file', typo: 'cert_flie', value: 'client.pem', base: [...HTTPS, 'key_file: client.key'] },
  { field: 'key_file', typo: 'key_fiel', value: 'client.key', base: [...HTTPS, 'cert_file: client.pem'] },
  { field: 'header_env', typo: 'headers_env', value: '{ Authorization: API_TOKEN }', base: HTTPS },
];

function manifest(r: Row): { text: string; line: number } {
  const head = ['apiVersion: vai/v1', 'kind: Service', 'metadata:', '  name: svc', 'spec:'];
  const body = r.inLimits
    ? ['  health_check: { type: tcp, port: 8080 }', '  restart_cmd: "true"', '  limits:', ...r.base.map((l) => `    ${l}`)]
    : ['  restart_cmd: "true"', '  health_check:', ...r.base.map((l) => `    ${l}`)];
  const lines = [...head, ...body, `    ${r.typo}: ${r.value}`];
  return { text: `${lines.join('\n')}\n`, line: lines.length };
}

for (const [i, r] of ROWS.entries()) {
  const where = r.inLimits ? 'spec.limits' : 'spec.health_check';
  test(`${where}.${r.typo}: unknown field, did you mean "${r.field}"`, async () => {
    const m = manifest(r);
    const file = dir.write(`r${i}/svc.yaml`, m.text);
    const res = await validateTree([path.dirname(file)], { checkPermissions: false });
    const got = res.errors.map((e) => `${path.basename(e.file)}:${e.line}:${e.column}: ${describeError(e)} [${e.code}]`);
    assert.deepEqual(got, [...(r.before ? [r.before] : []), `svc.yaml:${m.line}:5: ${where}.${r.typo}: unknown field "${r.typo}"; did you mean "${r.field}"? [VAI_E_MANIFEST_SCHEMA]`]);
    assert.equal(res.services, 0, 'a manifest with an unknown field yields no service');
  });
}
