// Pull mode over smart HTTP (git http-backend behind a server on loopback that wants a token, as
// a forge does): the token comes from VAI_GIT_TOKEN and reaches the server as HTTP basic auth,
// and never vaid's argv, status.json or log; a wrong token is a failing fetch, the applied
// commit stays.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { testdir } from '../support/testdir.js';
import { gitHttp, gitRemote, serviceManifest } from '../support/git-remote.js';
import { startVaid, type VaidProcess } from '../support/vaid.js';

test('pull over smart HTTP with a token: fetched with basic auth; the token is in no argv, status or log', async () => {
  const dir = testdir({}, 'vai-githttp-');
  const remote = gitRemote(dir.path);
  const token = `tok-${Math.random().toString(36).slice(2)}-secret`;
  const server = await gitHttp(dir.path, token);
  let vaid: VaidProcess | undefined;
  try {
    const c1 = remote.commit({ 'a.yaml': serviceManifest('alpha') }, 'alpha');
    const state = dir.join('state');
    const args = ['--git-url', server.url('remote.git'), '--git-interval', '1'];
    vaid = await startVaid({ manifests: '/nonexistent-in-pull-mode', stateDir: state, args, env: { VAI_GIT_TOKEN: token } });
    await vaid.waitForStatus((d) => d.source?.appliedRevision === c1 && d.services.alpha, 'commit fetched over http with the token', 90_000);
    const c2 = remote.commit({ 'b.yaml': serviceManifest('beta') }, 'beta');
    await vaid.waitForStatus((d) => d.source?.appliedRevision === c2 && d.services.beta, 'next commit within the interval', 90_000);
    assert.ok(server.allowed > 0, 'the server let the token in');
    assert.ok(!readFileSync(`/proc/${vaid.pid}/cmdline`, 'utf8').includes(token), 'not in argv');
    assert.ok(!readFileSync(path.join(state, 'status.json'), 'utf8').includes(token), 'not in status.json');
    await vaid.stop();

    // A wrong token: the fetch fails (401) and says so; what was applied stays.
    vaid = await startVaid({ manifests: '/nonexistent-in-pull-mode', stateDir: state, args, env: { VAI_GIT_TOKEN: 'wrong-token' } });
    const doc = await vaid.waitForStatus((d) => (d.source?.lastFetchError ? d : undefined), 'fetch with a wrong token fails', 90_000);
    assert.equal(doc.source?.appliedRevision, c2);
    assert.ok(doc.services.beta, 'the applied commit keeps its services');
    assert.ok(server.refused > 0, 'the server refused the wrong token');
    assert.ok(!vaid.stdout().includes(token) && !vaid.stdout().includes('wrong-token'), 'no token in the log');
  } finally {
    await vaid?.stop();
    await server.stop();
    dir.remove();
  }
});
