// `get -w NAME` on a name that does not exist yet (issue 21): it said "not found", then printed
// rows with no header above them. Now it says it is watching for the name, prints the header,
// and the service's row, once it appears, lines up under it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { StatusDocument } from '../../src/status/schema.js';
import { testdir } from '../support/testdir.js';
import { waitFor } from '../support/wait.js';
import { writeStateDir } from '../fixtures/status/state-dir.js';
import { VAICTL } from '../fixtures/status/run-vaictl.js';

test('get -w NAME before NAME exists: a header now, its row under the header when it appears', async () => {
  const dir = testdir();
  const fake = spawn(process.execPath, ['-e', 'setInterval(() => {}, 60000)', 'fake-vaid'], { stdio: 'ignore' });
  const doc = writeStateDir(dir.join('state'), { lockPid: fake.pid! });
  const watcher = spawn(process.execPath, [VAICTL, 'get', '-w', 'newsvc', '--state-dir', dir.join('state')], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
  let out = '';
  let err = '';
  watcher.stdout.on('data', (d: Buffer) => (out += d.toString()));
  watcher.stderr.on('data', (d: Buffer) => (err += d.toString()));
  try {
    await waitFor(() => out.includes('NAME'), { what: 'the header', timeoutMs: 30_000 });
    assert.match(err, /service "newsvc" not found.* yet; watching for it/);
    assert.doesNotMatch(err, /^Error/m);
    // vaid applies a new manifest: the service appears in status (written the way vaid writes it: rename).
    const next = JSON.parse(readFileSync(dir.join('state/status.json'), 'utf8')) as StatusDocument;
    const template = Object.values(doc.services)[0]!;
    next.services.newsvc = { ...template, name: 'newsvc' };
    writeFileSync(dir.join('state/status.json.tmp'), JSON.stringify(next));
    renameSync(dir.join('state/status.json.tmp'), dir.join('state/status.json'));
    await waitFor(() => out.split('\n').some((l) => l.startsWith('newsvc ')), { what: 'the row of newsvc', timeoutMs: 30_000 }).catch((e) => { throw new Error(`${e.message}; stdout: ${out}; stderr: ${err}`); });
    const [header, row] = out.split('\n');
    assert.match(header!, /^NAME\s+DESIRED\s+PHASE\s+HEALTH\s+RESTARTS\s+LAST CHECK\s+AGE$/);
    for (const col of ['DESIRED', 'PHASE', 'HEALTH', 'RESTARTS']) {
      const at = header!.indexOf(col);
      assert.notEqual(row![at - 1], undefined);
      assert.equal(row![at - 1], ' ', `${col}: the cell starts where its header does:\n${header}\n${row}`);
      assert.notEqual(row![at], ' ', `${col}: the cell starts where its header does:\n${header}\n${row}`);
    }
  } finally {
    watcher.kill('SIGTERM');
    fake.kill('SIGKILL');
    dir.remove();
  }
});
