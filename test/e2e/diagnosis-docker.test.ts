// A container killed by the kernel for memory on the test dockerd (--memory, no swap): the
// engine's event stream (oom, die 137) wakes vaid at once, long before the next check (interval
// 1 h), and the failure's cause is OOMKilled with the engine's own record as evidence.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { testEngine, runContainer, execText, type TestEngine } from '../support/docker.js';
import { describeJson, withFaultEnv, notifierManifest } from '../support/diagnosis.js';
import { startVaid } from '../support/vaid.js';
import { startsAndRestarts } from '../support/restart-count.js';

const got = await testEngine();
const skip = 'skip' in got ? got.skip : false;
const engine = 'engine' in got ? got.engine : (null as unknown as TestEngine);
after(async () => {
  if (!skip) await engine.stop();
});

describe('Docker: causes from the engine', { skip }, () => {
  test('a container OOM-killed under --memory: the event stream wakes vaid, the cause is OOMKilled (State.OOMKilled, exit 137), the container restarted', async () => {
    await withFaultEnv(async (e) => {
      const name = `vai-oom-${process.pid}`;
      // Waits for /run/go (a tmpfs, empty again after each restart), then doubles a string until killed.
      const c = await runContainer(engine, name, 'while [ ! -e /run/go ]; do sleep 0.2; done; x=aaaaaaaaaaaaaaaa; while true; do x=$x$x; done', {
        HostConfig: { NetworkMode: 'none', Memory: 24 * 1024 * 1024, MemorySwap: 24 * 1024 * 1024, Tmpfs: { '/run': 'rw,size=1m' } },
      });
      e.cleanups.push(() => c.remove({ force: true }).then(() => undefined));
      e.dir.write('manifests/alerts.yaml', notifierManifest(e));
      e.dir.write(
        'manifests/service.yaml',
        `apiVersion: vai/v1
kind: Service
metadata: { name: hog }
spec:
  container: ${name}
  health_check: { type: docker, interval_seconds: 3600, timeout_seconds: 5 }
  restart_container: true
  startup_delay_seconds: 30
`,
      );
      const vaid = await startVaid({ manifests: e.dir.join('manifests'), stateDir: e.dir.join('state'), env: { DOCKER_HOST: engine.host } });
      e.vaids.push(vaid);
      await vaid.waitForService('hog', (x) => x.phase === 'Healthy', 'hog healthy');
      await execText(c, ['touch', '/run/go']);
      const s = await vaid.waitForService('hog', (x) => startsAndRestarts(x) === 1 && x.phase === 'Healthy', 'restarted after the OOM kill (only the event stream can tell it before the 1 h check)', 90_000);
      assert.equal(s.lastFailure?.kind, 'check');
      const d = describeJson(vaid.stateDir, 'hog');
      assert.equal(d.lastFailure?.reason, 'OOMKilled', JSON.stringify(d.lastFailure));
      assert.ok(d.lastFailure!.evidence.some((l) => /^container exited with code 137, State\.OOMKilled true/.test(l)), d.lastFailure!.evidence.join('\n'));
      assert.ok(vaid.records().some((r) => r.service === 'hog' && /container vai-oom-\d+ (oom|die)/.test(String(r.msg))), 'vaid logged the engine event');
      console.log(`# OOMKilled (Docker) evidence: ${JSON.stringify(d.lastFailure!.evidence)}`);
    });
  });
});
