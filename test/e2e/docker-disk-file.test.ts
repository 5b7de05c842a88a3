// disk and file checks inside a container (a private dockerd, busybox image, --network none): the
// container's own tmpfs filled by the test is DiskFull with the figures, a file it writes with a
// set mtime is judged for age, size and sha256, and a symlink, a FIFO or a missing file planted in
// the container give unknown / FileMissing rather than a hang or a read through the link.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type Docker from 'dockerode';
import { createExecutor } from '../../src/executor/index.js';
import type { Executor, ServiceTarget } from '../../src/executor/types.js';
import type { HealthCheck } from '../../src/manifest/schema.js';
import { testEngine, runContainer, execText, type TestEngine } from '../support/docker.js';
import { healthCheck, serviceSpec } from '../support/service-spec.js';
import { testdir } from '../support/testdir.js';
import { waitFor } from '../support/wait.js';

const got = await testEngine();
const skip = 'skip' in got ? got.skip : false;
const dir = testdir();
const NAME = `vai-disk-${Math.random().toString(36).slice(2, 8)}`;
const CONTENT = 'backup 42\n';
const SHA = createHash('sha256').update(CONTENT).digest('hex');

function svc(hc: HealthCheck): ServiceTarget {
  return { name: 'box', workingDir: dir.path, defaultLogPath: dir.join('logs', 'box.log'), spec: serviceSpec({ container: NAME, health_check: hc, restart_cmd: 'true' }) };
}

describe('disk and file checks inside a container', { skip }, () => {
  let engine: TestEngine;
  let ex: Executor;
  let box: Docker.Container;
  const sh = (script: string) => execText(box, ['sh', '-c', script]);

  before(async () => {
    engine = (got as { engine: TestEngine }).engine;
    ex = createExecutor({ logsDir: dir.join('logs'), dockerHost: engine.host });
    box = await runContainer(engine, NAME, 'exec sleep 100000', { HostConfig: { NetworkMode: 'none', Tmpfs: { '/data': 'size=4m' } } });
    await waitFor(async () => (await sh('echo up')).includes('up'), { what: 'the container answers exec' });
  });
  after(async () => {
    await ex?.close();
    await box?.remove({ force: true }).catch(() => undefined);
    await engine?.stop();
    dir.remove();
  });

  test('disk: the container\'s 4 MB tmpfs filled past min_free_mb is DiskFull; emptied, healthy', async () => {
    const hc = healthCheck({ type: 'disk', path: '/data', min_free_mb: 2, timeout_seconds: 30 });
    const ok = await ex.check(svc(hc));
    assert.equal(ok.health, 'healthy', ok.message);
    assert.match(ok.message, new RegExp(`^4 MB free of 4 MB \\(100 %\\) on /data in container ${NAME}, [\\d.]+ % of \\d+ inodes free$`));
    await sh('dd if=/dev/zero of=/data/fill bs=1024 count=3072 2>/dev/null');
    const full = await ex.check(svc(hc));
    assert.equal(full.health, 'unhealthy', full.message);
    assert.equal(full.reason, 'DiskFull');
    assert.match(full.message, new RegExp(`^1 MB free of 4 MB \\(25 %\\) on /data in container ${NAME}, below min_free_mb 2 MB$`));
    await sh('rm /data/fill');
    assert.equal((await ex.check(svc(hc))).health, 'healthy');
    const missing = await ex.check(svc(healthCheck({ type: 'disk', path: '/nope', min_free_mb: 1, timeout_seconds: 30 })));
    assert.equal(missing.health, 'unknown', 'a path vai cannot see is not a full disk');
    assert.match(missing.message, new RegExp(`^cannot read the filesystem of /nope in container ${NAME}: `));
  });

  test('file: age against a set mtime, size and sha256 of a file in the container', async () => {
    await sh(`printf '${CONTENT.replace('\n', '\\n')}' > /data/db.dump && touch -d '2020-01-02 03:04:05' /data/db.dump`);
    const fresh = healthCheck({ type: 'file', path: '/data/db.dump', min_size_bytes: 5, sha256: SHA, timeout_seconds: 30 });
    const ok = await ex.check(svc(fresh));
    assert.equal(ok.health, 'healthy', ok.message);
    assert.match(ok.message, new RegExp(`^/data/db.dump in container ${NAME}: ${CONTENT.length} bytes, modified 2020-01-02T03:04:05.000Z \\(\\d+ days ago\\), sha256 matches$`));
    const old = await ex.check(svc(healthCheck({ type: 'file', path: '/data/db.dump', max_age_seconds: 86_400, timeout_seconds: 30 })));
    assert.equal(old.reason, 'FileTooOld', old.message);
    const small = await ex.check(svc(healthCheck({ type: 'file', path: '/data/db.dump', min_size_bytes: 1000, timeout_seconds: 30 })));
    assert.equal(small.reason, 'FileTooSmall', small.message);
    await sh('echo changed >> /data/db.dump');
    const changed = await ex.check(svc(fresh));
    assert.equal(changed.reason, 'ChecksumMismatch', changed.message);
    assert.match(changed.message, new RegExp(`is not the expected ${SHA}$`));
    await sh('touch /data/db.dump');
    const touched = await ex.check(svc(healthCheck({ type: 'file', path: '/data/db.dump', max_age_seconds: 3600, timeout_seconds: 30 })));
    assert.equal(touched.health, 'healthy', `mtime now: judged against vaid's clock (${touched.message})`);
  });

  test('file: a missing file is FileMissing; a symlink or a FIFO planted at the path is not read', async () => {
    const at = (p: string) => ex.check(svc(healthCheck({ type: 'file', path: p, sha256: SHA, timeout_seconds: 30 })));
    const missing = await at('/data/none');
    assert.equal(missing.reason, 'FileMissing', missing.message);
    assert.equal(missing.message, `/data/none in container ${NAME} does not exist`);
    await sh('echo secret > /data/real && ln -s /data/real /data/link && mkfifo /data/fifo');
    const link = await at('/data/link');
    assert.equal(link.health, 'unknown', link.message);
    assert.match(link.message, /is not a regular file \(symbolic link\)/);
    const fifo = await at('/data/fifo');
    assert.equal(fifo.health, 'unknown', fifo.message);
    assert.match(fifo.message, /is not a regular file \(fifo\)/);
  });
});
