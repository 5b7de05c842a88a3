// Pull mode with a real git remote: vaid fetches a bare repository itself (file:// and git://
// on loopback), applies each commit whole, refuses a bad one, follows a force-push, suspends
// and resumes, takes signed webhooks, verifies SSH signatures, and survives kill -9 mid-switch.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, readlinkSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { testdir } from '../support/testdir.js';
import { gitDaemon, gitRemote, serviceManifest, git } from '../support/git-remote.js';
import { startVaid, VAICTL_BIN, type VaidProcess } from '../support/vaid.js';
import { waitFor } from '../support/wait.js';
import type { StatusDocument } from '../../src/status/schema.js';

const run = promisify(execFile);

async function vaictl(stateDir: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await run(process.execPath, [VAICTL_BIN, ...args, '--state-dir', stateDir], { timeout: 60_000 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const x = e as { code: number; stdout: string; stderr: string };
    return { code: x.code, stdout: x.stdout, stderr: x.stderr };
  }
}

function applied(doc: StatusDocument, commit: string): boolean {
  return doc.source?.appliedRevision === commit && doc.manifests.revision?.commit === commit;
}

function names(doc: StatusDocument): string[] {
  return Object.keys(doc.services).sort();
}

async function pullVaid(stateDir: string, url: string, extra: string[] = [], env: Record<string, string> = {}): Promise<VaidProcess> {
  return startVaid({ manifests: '/nonexistent-in-pull-mode', stateDir, args: ['--git-url', url, '--git-interval', '1', ...extra], env });
}

test('pull mode: each pushed commit is applied whole; a bad commit stays attempted; a force-push goes back; suspend holds new commits', async () => {
  const dir = testdir({}, 'vai-git-');
  const remote = gitRemote(dir.path);
  let vaid: VaidProcess | undefined;
  try {
    const c1 = remote.commit({ 'services/a.yaml': serviceManifest('alpha') }, 'alpha');
    const state = dir.join('state');
    vaid = await pullVaid(state, remote.url);
    let doc = await vaid.waitForStatus((d) => applied(d, c1) && d.services.alpha && d, 'first commit applied');
    assert.deepEqual(names(doc), ['alpha']);
    assert.equal(doc.source?.url, remote.url);
    assert.ok(readlinkSync(path.join(state, 'source', 'current')).endsWith(c1));

    const c2 = remote.commit({ 'services/b.yaml': serviceManifest('beta') }, 'beta');
    doc = await vaid.waitForStatus((d) => applied(d, c2) && d.services.beta && d, 'second commit applied within the interval');
    assert.deepEqual(names(doc), ['alpha', 'beta']);
    const generation = doc.manifests.generation;

    // A YAML error in one file: the whole commit is refused, the previous one stays applied.
    const c3 = remote.commit({ 'services/b.yaml': 'apiVersion: vai/v1\nkind: Service\nmetadata: {name: beta\nspec: [' }, 'broken');
    doc = await vaid.waitForStatus((d) => d.source?.attemptedRevision === c3 && d, 'bad commit attempted');
    assert.equal(doc.source?.appliedRevision, c2);
    assert.notEqual(doc.source?.attemptedRevision, doc.source?.appliedRevision);
    assert.match(doc.source!.attemptErrors[0]!, /^services\/b\.yaml:\d+:\d+: /, doc.source!.attemptErrors.join('\n'));
    assert.deepEqual(names(doc), ['alpha', 'beta']);
    assert.equal(doc.manifests.generation, generation, 'a refused commit is no new generation');
    assert.equal(doc.manifests.revision?.commit, c2);

    // Force-push back to the first commit: vaid follows, beta goes away.
    remote.forcePush(c1);
    doc = await vaid.waitForStatus((d) => applied(d, c1) && !d.services.beta && d, 'force-push to an older commit applied');
    assert.deepEqual(names(doc), ['alpha']);

    // Suspended: the new commit is fetched and shown, not applied; resume applies it.
    const s = await vaictl(state, 'suspend', '--reason', 'incident 42');
    assert.equal(s.code, 0, s.stderr);
    await vaid.waitForStatus((d) => d.source?.suspended, 'suspension seen');
    const c4 = remote.commit({ 'services/c.yaml': serviceManifest('gamma') }, 'gamma');
    doc = await vaid.waitForStatus((d) => d.source?.fetchedRevision === c4 && d, 'new commit fetched while suspended');
    assert.equal(doc.source?.appliedRevision, c1);
    assert.equal(doc.services.gamma, undefined);
    const r = await vaictl(state, 'resume');
    assert.equal(r.code, 0, r.stderr);
    doc = await vaid.waitForStatus((d) => applied(d, c4) && d.services.gamma && !d.source?.suspended && d, 'resumed commit applied');

    // Only the applied tree and its predecessor are kept; no temp leftovers.
    const trees = readdirSync(path.join(state, 'source', 'trees'));
    assert.ok(trees.includes(c4) && trees.length <= 2, trees.join(' '));
  } finally {
    await vaid?.stop();
    dir.remove();
  }
});

test('pull mode over git:// on loopback (git daemon), with --git-path', async () => {
  const dir = testdir({}, 'vai-gitd-');
  const remote = gitRemote(dir.path);
  const daemon = await gitDaemon(dir.path);
  let vaid: VaidProcess | undefined;
  try {
    const c1 = remote.commit({ 'hosts/vps1/a.yaml': serviceManifest('web'), 'README.md': '# infra\n' }, 'web');
    vaid = await pullVaid(dir.join('state'), daemon.url('remote.git'), ['--git-path', 'hosts/vps1']);
    const doc = await vaid.waitForStatus((d) => applied(d, c1) && d.services.web && d, 'commit applied over git://');
    assert.equal(doc.source?.path, 'hosts/vps1');
    assert.deepEqual(names(doc), ['web']);
  } finally {
    await vaid?.stop();
    await daemon.stop();
    dir.remove();
  }
});

test('webhook: a hook with a bad signature is refused and fetches nothing; a signed one fetches at once', async () => {
  const dir = testdir({}, 'vai-hook-');
  const remote = gitRemote(dir.path);
  let vaid: VaidProcess | undefined;
  try {
    const secret = 'hook-secret-for-the-test-0123456789';
    const secretFile = dir.write('hook.secret', `${secret}\n`);
    const c1 = remote.commit({ 'a.yaml': serviceManifest('alpha') });
    // An hour's interval: only the hook can bring the second commit in time.
    vaid = await startVaid({ manifests: '/nonexistent', stateDir: dir.join('state'), args: ['--git-url', remote.url, '--git-interval', '3600', '--git-webhook-secret-file', secretFile, '--listen', '127.0.0.1:0'] });
    await vaid.waitForStatus((d) => applied(d, c1), 'first commit');
    const rec = await waitFor(() => vaid!.records().find((x) => typeof x.url === 'string' && String(x.msg).startsWith('serving status')), { what: 'web url' });
    const url = `${String(rec.url)}/hooks/git`;
    const c2 = remote.commit({ 'b.yaml': serviceManifest('beta') });
    const body = JSON.stringify({ ref: 'refs/heads/main', after: c2 });
    const bad = await fetch(url, { method: 'POST', body, headers: { 'X-Hub-Signature-256': `sha256=${createHmac('sha256', 'wrong').update(body).digest('hex')}`, 'Content-Type': 'application/json' } });
    assert.equal(bad.status, 401);
    const none = await fetch(url, { method: 'POST', body });
    assert.equal(none.status, 401);
    const get = await fetch(url);
    assert.notEqual(get.status, 202, 'GET never triggers a fetch');
    assert.notEqual(vaid.readStatus()?.source?.fetchedRevision, c2, 'a refused hook fetched nothing');
    const good = await fetch(url, { method: 'POST', body, headers: { 'X-Hub-Signature-256': `sha256=${createHmac('sha256', secret).update(body).digest('hex')}` } });
    assert.equal(good.status, 202);
    await vaid.waitForStatus((d) => applied(d, c2) && d.services.beta, 'hooked commit applied', 30_000);
    const c3 = remote.commit({ 'c.yaml': serviceManifest('gamma') });
    const gitea = await fetch(url, { method: 'POST', body, headers: { 'X-Gitea-Signature': createHmac('sha256', secret).update(body).digest('hex') } });
    assert.equal(gitea.status, 202);
    await vaid.waitForStatus((d) => applied(d, c3), 'gitea-signed hook applied', 30_000);
    const c4 = remote.commit({ 'd.yaml': serviceManifest('delta') });
    const gitlab = await fetch(url, { method: 'POST', body, headers: { 'X-Gitlab-Token': secret } });
    assert.equal(gitlab.status, 202);
    await vaid.waitForStatus((d) => applied(d, c4), 'gitlab hook applied', 30_000);
    assert.ok(!vaid.stdout().includes(secret), 'the secret is never logged');
    const metrics = await (await fetch(`${String(rec.url)}/metrics`)).text();
    assert.match(metrics, /^vai_source_attempt_failed 0$/m);
    assert.match(metrics, /^vai_source_suspended 0$/m);
    assert.match(metrics, /^vai_source_last_fetch_timestamp_seconds \d/m);
  } finally {
    await vaid?.stop();
    dir.remove();
  }
});

test('--git-verify: an unsigned commit is refused with SignatureRejected; a commit signed by an allowed SSH key applies', async () => {
  const dir = testdir({}, 'vai-sign-');
  const remote = gitRemote(dir.path);
  let vaid: VaidProcess | undefined;
  try {
    const key = dir.join('signing');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'deploy@example.com', '-f', key]);
    const pub = execFileSync('cat', [`${key}.pub`], { encoding: 'utf8' }).trim();
    const signers = dir.write('allowed_signers', `deploy@example.com ${pub}\n`);
    const sign = ['-S', `--gpg-sign=${key}.pub`];
    git(remote.work, 'config', 'gpg.format', 'ssh');
    git(remote.work, 'config', 'user.signingkey', `${key}.pub`);
    git(remote.work, 'config', 'user.email', 'deploy@example.com');
    const c1 = remote.commit({ 'a.yaml': serviceManifest('alpha') }, 'signed', sign);
    vaid = await pullVaid(dir.join('state'), remote.url, ['--git-verify', signers]);
    await vaid.waitForStatus((d) => applied(d, c1), 'signed commit applied');
    const c2 = remote.commit({ 'b.yaml': serviceManifest('beta') }, 'unsigned');
    const doc = await vaid.waitForStatus((d) => d.source?.attemptedRevision === c2 && d, 'unsigned commit attempted');
    assert.equal(doc.source?.appliedRevision, c1);
    assert.match(doc.source!.attemptErrors[0]!, /not signed by a key/);
    assert.equal(doc.services.beta, undefined);
    await waitFor(() => vaid!.records().some((r) => r.reason === 'SignatureRejected'), { what: 'SignatureRejected logged' });
    const c3 = remote.commit({ 'c.yaml': serviceManifest('gamma') }, 'signed again', sign);
    await vaid.waitForStatus((d) => applied(d, c3) && d.services.beta && d.services.gamma, 'next signed commit applied');
  } finally {
    await vaid?.stop();
    dir.remove();
  }
});

test('--git-verify with OpenPGP keys: only a commit signed by a key of the file applies; in SSH mode vaid\'s own keyring never counts', async () => {
  const dir = testdir({}, 'vai-gpg-');
  const remote = gitRemote(dir.path);
  const homes: string[] = [];
  let vaid: VaidProcess | undefined;
  /** A signer: its own GnuPG home with one new key, and a gpg wrapper git can sign with. */
  const signer = (name: string) => {
    const home = dir.join(`gpg-${name}`);
    mkdirSync(home, { mode: 0o700 });
    homes.push(home);
    execFileSync('gpg', ['--batch', '--homedir', home, '--passphrase', '', '--quick-gen-key', `${name} <${name}@example.com>`, 'ed25519', 'sign', 'never'], { stdio: 'ignore' });
    const wrapper = dir.write(`gpg-${name}.sh`, `#!/bin/sh\nexec gpg --homedir ${home} "$@"\n`);
    execFileSync('chmod', ['755', wrapper]);
    return { home, wrapper, email: `${name}@example.com` };
  };
  try {
    const deploy = signer('deploy');
    const stranger = signer('stranger');
    const keys = dir.write('deploy.asc', execFileSync('gpg', ['--homedir', deploy.home, '--armor', '--export', 'deploy@example.com'], { encoding: 'utf8' }));
    assert.match(readFileSync(keys, 'utf8'), /BEGIN PGP PUBLIC KEY BLOCK/);
    const signWith = (s: typeof deploy, files: Record<string, string>, msg: string) => {
      git(remote.work, 'config', 'gpg.program', s.wrapper);
      return remote.commit(files, msg, [`--gpg-sign=${s.email}`]);
    };
    const c1 = signWith(deploy, { 'a.yaml': serviceManifest('alpha') }, 'signed by deploy');

    // SSH mode, and vaid's own GNUPGHOME holds the deploy key: a GPG signature must not pass.
    const sshKey = dir.join('ssh-signing');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'deploy@example.com', '-f', sshKey]);
    const sshSigners = dir.write('allowed_signers', `deploy@example.com ${readFileSync(`${sshKey}.pub`, 'utf8').trim()}\n`);
    vaid = await pullVaid(dir.join('state-ssh'), remote.url, ['--git-verify', sshSigners], { GNUPGHOME: deploy.home });
    const ssh = await vaid.waitForStatus((d) => d.source?.attemptedRevision === c1 && d, 'GPG-signed commit attempted in SSH mode');
    assert.equal(ssh.source?.appliedRevision, null, 'a key in vaid\'s own keyring is no allowed signer');
    assert.match(ssh.source!.attemptErrors[0]!, /not signed by a key/);
    await vaid.stop();

    vaid = await pullVaid(dir.join('state'), remote.url, ['--git-verify', keys]);
    await vaid.waitForStatus((d) => applied(d, c1), 'commit signed by a key of the file applied');
    const c2 = signWith(stranger, { 'b.yaml': serviceManifest('beta') }, 'signed by a stranger');
    let doc = await vaid.waitForStatus((d) => d.source?.attemptedRevision === c2 && d, 'stranger-signed commit attempted');
    assert.equal(doc.source?.appliedRevision, c1);
    assert.match(doc.source!.attemptErrors[0]!, /not signed by a key/);
    const c3 = remote.commit({ 'c.yaml': serviceManifest('gamma') }, 'unsigned');
    doc = await vaid.waitForStatus((d) => d.source?.attemptedRevision === c3 && d, 'unsigned commit attempted');
    assert.equal(doc.source?.appliedRevision, c1);
    const c4 = signWith(deploy, { 'd.yaml': serviceManifest('delta') }, 'signed by deploy again');
    doc = await vaid.waitForStatus((d) => applied(d, c4) && d, 'next deploy-signed commit applied');
    assert.deepEqual(names(doc), ['alpha', 'beta', 'delta', 'gamma']);
    assert.ok(!readdirSync(path.join(dir.join('state'), 'source')).some((e) => e.startsWith('gnupg-')), 'no keyring left behind');
  } finally {
    await vaid?.stop();
    for (const home of homes) execFileSync('gpgconf', ['--homedir', home, '--kill', 'gpg-agent'], { stdio: 'ignore' });
    dir.remove();
  }
});

test('kill -9 during a switch leaves a consistent tree, and the next vaid applies the newest commit', async () => {
  const dir = testdir({}, 'vai-gitkill-');
  const remote = gitRemote(dir.path);
  let vaid: VaidProcess | undefined;
  try {
    const state = dir.join('state');
    const c1 = remote.commit({ 'a.yaml': serviceManifest('alpha') });
    vaid = await pullVaid(state, remote.url);
    await vaid.waitForStatus((d) => applied(d, c1), 'first commit');
    // Many files make the extraction and validation take a while: kill vaid inside it.
    const files: Record<string, string> = {};
    for (let i = 0; i < 300; i++) files[`many/s${i}.yaml`] = serviceManifest(`svc-${i}`);
    const c2 = remote.commit(files, 'many');
    const trees = path.join(state, 'source', 'trees');
    await waitFor(() => readdirSync(trees).some((e) => e.startsWith('.tmp-') || e === c2), { intervalMs: 5, what: 'switch under way' });
    await vaid.kill9();
    const current = readlinkSync(path.join(state, 'source', 'current'));
    assert.ok(current.endsWith(c1) || current.endsWith(c2), current);
    assert.ok(existsSync(path.join(state, 'source', current, 'a.yaml')), 'current names a complete tree');
    vaid = await pullVaid(state, remote.url);
    const doc = await vaid.waitForStatus((d) => applied(d, c2) && Object.keys(d.services).length === 301 && d, 'newest commit applied after restart', 120_000);
    assert.ok(doc.services['svc-299']);
    assert.ok(!readdirSync(trees).some((e) => e.startsWith('.tmp-')), 'temp trees removed');
  } finally {
    await vaid?.stop();
    dir.remove();
  }
});

test('vaictl diff DIR and --ref: services added, removed and changed field by field, whether each restarts under its rollout policy; exit 1 on changes', async () => {
  const dir = testdir({}, 'vai-diff-');
  try {
    const remote = gitRemote(dir.path);
    const c1 = remote.commit({ 'a.yaml': serviceManifest('alpha'), 'b.yaml': serviceManifest('beta') });
    const changed = serviceManifest('alpha').replace('restart_cmd: "true"', 'restart_cmd: "/usr/bin/env true"');
    remote.commit({ 'a.yaml': changed, 'b.yaml': null, 'c.yaml': serviceManifest('gamma') });
    mkdirSync(dir.join('state'));
    // Directory mode: the applied tree is the manifests dir (the work clone, back at c1).
    git(remote.work, 'checkout', '--quiet', c1);
    const other = dir.join('proposed');
    mkdirSync(other);
    writeFileSync(path.join(other, 'a.yaml'), changed);
    writeFileSync(path.join(other, 'c.yaml'), serviceManifest('gamma'));
    const d = await vaictl(dir.join('state'), 'diff', other, '--manifests', remote.work);
    assert.equal(d.code, 1, d.stderr);
    assert.match(d.stdout, /service\/alpha changed\n {2}spec\.restart_cmd: "true" -> "\/usr\/bin\/env true"/);
    assert.match(d.stdout, /service\/beta removed/);
    assert.match(d.stdout, /service\/gamma added/);
    assert.match(d.stdout, /service\/alpha changed\n(?: {2}spec\..*\n)+ {2}=> keeps running as it is; the new spec takes effect at its next recovery/);
    const rolling = dir.join('rolling');
    mkdirSync(rolling);
    writeFileSync(path.join(rolling, 'a.yaml'), `${changed}  rollout:\n    on_change: restart\n`);
    writeFileSync(path.join(rolling, 'b.yaml'), serviceManifest('beta').replace('interval_seconds: 3600', 'interval_seconds: 60'));
    const r = await vaictl(dir.join('state'), 'diff', rolling, '--manifests', remote.work);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /service\/alpha changed\n(?: {2}spec\..*\n)+ {2}=> restarts with the new spec/, r.stdout);
    assert.match(r.stdout, /service\/beta changed\n {2}spec\.health_check\.interval_seconds: 3600 -> 60\n(?!  =>)/, 'a check change restarts nothing');
    const byRef = await vaictl(dir.join('state'), 'diff', '--ref', 'main', '--manifests', remote.work);
    assert.equal(byRef.code, 1, byRef.stderr);
    assert.equal(byRef.stdout, d.stdout);
    const same = await vaictl(dir.join('state'), 'diff', '--ref', c1, '--manifests', remote.work);
    assert.equal(same.code, 0, same.stderr);
    assert.match(same.stdout, /No changes/);
    writeFileSync(path.join(other, 'c.yaml'), 'kind: Service\nspec: {');
    const bad = await vaictl(dir.join('state'), 'diff', other, '--manifests', remote.work);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /c\.yaml:\d+:\d+/);
  } finally {
    dir.remove();
  }
});
