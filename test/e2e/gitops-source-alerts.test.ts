// Source alerts in pull mode, with a real bare remote and the ntfy-like server on loopback: a
// refused commit is told once (not at every later fetch), and fetches failing longer than
// --git-alert-after are told once per failure streak, to the Notifier named by --git-notify.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { renameSync } from 'node:fs';
import { promisify } from 'node:util';
import { testdir } from '../support/testdir.js';
import { gitRemote, serviceManifest } from '../support/git-remote.js';
import { startVaid, VAICTL_BIN, type VaidProcess } from '../support/vaid.js';
import { startNtfyServer, type NtfyMessage } from '../support/ntfy-server.js';
import { waitFor } from '../support/wait.js';
import type { StatusDocument } from '../../src/status/schema.js';

function notifier(url: string): string {
  return `apiVersion: vai/v1\nkind: Notifier\nmetadata: { name: ops }\nspec:\n  type: ntfy\n  server: ${url}\n  topic: ops\n  cooldown_seconds: 0\n`;
}

const run = promisify(execFile);

async function sourceLine(stateDir: string): Promise<string> {
  const r = await run(process.execPath, [VAICTL_BIN, 'get', '--state-dir', stateDir], { timeout: 60_000 });
  return r.stdout.split('\n').find((l) => l.startsWith('Source: ')) ?? `no Source line in:\n${r.stdout}`;
}

const about = (messages: NtfyMessage[], text: string) => messages.filter((m) => m.message.includes(text));

/** Waits until vaid has fetched `n` more times than in `doc` (lastFetchAt moves at each fetch). */
async function fetchesAfter(vaid: VaidProcess, doc: StatusDocument, n: number, what: string): Promise<StatusDocument> {
  let seen = doc.source?.lastFetchAt ?? null;
  let count = 0;
  return vaid.waitForStatus((d) => {
    const at = d.source?.lastFetchAt ?? null;
    if (at !== seen) {
      seen = at;
      count++;
    }
    return count >= n && d;
  }, what, 90_000);
}

test('source alerts: a refused commit is told once; a fetch failing past --git-alert-after is told once per streak', async () => {
  const dir = testdir({}, 'vai-git-alert-');
  const remote = gitRemote(dir.path);
  const ntfy = await startNtfyServer();
  let vaid: VaidProcess | undefined;
  try {
    const c1 = remote.commit({ 'services/a.yaml': serviceManifest('alpha'), 'notifiers/ops.yaml': notifier(ntfy.url) }, 'alpha');
    const state = dir.join('state');
    vaid = await startVaid({ manifests: '/nonexistent-in-pull-mode', stateDir: state, args: ['--git-url', remote.url, '--git-interval', '1', '--git-notify', 'ops', '--git-alert-after', '2', '--listen', '127.0.0.1:0'] });
    await vaid.waitForStatus((d) => d.source?.appliedRevision === c1 && d.services.alpha, 'first commit applied', 90_000);
    // No webhook secret configured: the endpoint has no write route for hooks.
    const rec = await waitFor(() => vaid!.records().find((x) => typeof x.url === 'string' && String(x.msg).startsWith('serving status')), { what: 'web url' });
    const hook = await fetch(`${String(rec.url)}/hooks/git`, { method: 'POST', body: '{}' });
    assert.notEqual(hook.status, 202, 'without a secret, POST /hooks/git triggers nothing');
    assert.ok(hook.status >= 400, `POST /hooks/git answered ${hook.status}`);

    const c2 = remote.commit({ 'services/a.yaml': 'apiVersion: vai/v1\nkind: Service\nmetadata: {name: alpha\nspec: [' }, 'broken');
    const refused = await waitFor(() => about(ntfy.messages, `commit ${c2.slice(0, 7)}`)[0], { timeoutMs: 90_000, what: 'the refused-commit alert' });
    assert.match(refused.title ?? '', /git-source Not Applied/);
    assert.match(refused.message, new RegExp(`${c1.slice(0, 7)} stays applied`));
    assert.match(refused.message, /Cause: CommitRejected: services\/a\.yaml:\d+:\d+: /, refused.message);
    let doc = await vaid.waitForStatus((d) => d.source?.attemptedRevision === c2 && d, 'bad commit attempted');
    doc = await fetchesAfter(vaid, doc, 3, 'three more fetches of the same bad commit');
    assert.equal(doc.source?.appliedRevision, c1, 'the previous commit stays applied');
    assert.equal(about(ntfy.messages, `commit ${c2.slice(0, 7)}`).length, 1, 'one alert per refused commit, not one per fetch');
    assert.match(await sourceLine(state), new RegExp(`^Source: file://\\S+ HEAD: applied ${c1.slice(0, 7)} .*; failed ${c2.slice(0, 7)}: services/a\\.yaml:\\d+:\\d+: `));

    // The remote goes away: fetches fail; after 2 s a person is told, once.
    renameSync(remote.bare, `${remote.bare}.away`);
    const failing = await waitFor(() => about(ntfy.messages, 'has failed for')[0], { timeoutMs: 90_000, what: 'the failing-fetch alert' });
    assert.match(failing.message, /Cause: FetchFailed: /, failing.message);
    assert.match(failing.message, new RegExp(`${c1.slice(0, 7)} stays applied`));
    doc = await vaid.waitForStatus((d) => (d.source?.lastFetchError ? d : undefined), 'fetch failing in status');
    doc = await fetchesAfter(vaid, doc, 3, 'three more failing fetches');
    assert.equal(about(ntfy.messages, 'has failed for').length, 1, 'one alert per failure streak');
    assert.match(await sourceLine(state), /; fetch failing since \S+ ago: /);

    renameSync(`${remote.bare}.away`, remote.bare);
    doc = await vaid.waitForStatus((d) => d.source?.lastFetchError === null && d.source.fetchFailingSince === null && d, 'fetch works again');
    assert.equal(doc.source?.appliedRevision, c1);
    assert.ok(ntfy.messages.every((m) => !m.message.includes('recovery')), 'no service alert came of it');
  } finally {
    await vaid?.stop();
    await ntfy.close();
    dir.remove();
  }
});
