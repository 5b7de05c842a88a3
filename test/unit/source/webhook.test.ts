import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { HookRateLimit, verifyGitHook } from '../../../src/source/index.js';
import { parseGitConfig } from '../../../src/cli/daemon/git-flags.js';

const secret = 's3cret-for-hooks';
const body = Buffer.from('{"ref":"refs/heads/main"}');
const hmac = (key: string, b: Buffer) => createHmac('sha256', key).update(b).digest('hex');

test('GitHub, Gitea and GitLab hooks with the right secret pass; a changed body, a wrong key or no header fail', () => {
  assert.deepEqual(verifyGitHook({ 'x-hub-signature-256': `sha256=${hmac(secret, body)}` }, body, secret), { ok: true, via: 'github' });
  assert.deepEqual(verifyGitHook({ 'x-gitea-signature': hmac(secret, body) }, body, secret), { ok: true, via: 'gitea' });
  assert.deepEqual(verifyGitHook({ 'x-gitlab-token': secret }, body, secret), { ok: true, via: 'gitlab' });
  assert.equal(verifyGitHook({ 'x-hub-signature-256': `sha256=${hmac(secret, body)}` }, Buffer.from('{"ref":"x"}'), secret).ok, false);
  assert.equal(verifyGitHook({ 'x-hub-signature-256': `sha256=${hmac('other', body)}` }, body, secret).ok, false);
  assert.equal(verifyGitHook({ 'x-gitea-signature': hmac(secret, body).slice(0, 10) }, body, secret).ok, false);
  assert.equal(verifyGitHook({ 'x-gitlab-token': `${secret}x` }, body, secret).ok, false);
  const none = verifyGitHook({}, body, secret);
  assert.equal(none.ok, false);
  assert.match(!none.ok ? none.reason : '', /no X-Hub-Signature-256/);
});

test('the hook rate limit allows a burst, then one per period', () => {
  let now = 0;
  const limit = new HookRateLimit(3, 1000, () => now);
  assert.deepEqual([limit.take(), limit.take(), limit.take(), limit.take()], [true, true, true, false]);
  now += 999;
  assert.equal(limit.take(), false);
  now += 2;
  assert.equal(limit.take(), true);
});

test('--git-url: a password in the URL is refused; secrets come from env or files; no URL is directory mode', () => {
  assert.equal(parseGitConfig({}, {}), undefined);
  assert.throws(() => parseGitConfig({ 'git-url': 'https://bob:hunter2@git.example.com/r.git' }, {}), /carries a password/);
  assert.throws(() => parseGitConfig({ 'git-url': 'gopher://x/r' }, {}), /file:\/\/, ssh:\/\/ or https:\/\//);
  assert.throws(() => parseGitConfig({ 'git-url': 'file:///r', 'git-interval': '0' }, {}), /--git-interval 0/);
  const c = parseGitConfig({ 'git-url': 'git@github.com:o/r.git' }, { VAI_GIT_TOKEN: ' tok ', VAI_GIT_WEBHOOK_SECRET: 'hook' })!;
  assert.equal(c.token, 'tok');
  assert.equal(c.webhookSecret, 'hook');
  assert.equal(c.intervalMs, 60_000);
  assert.equal(c.ref, undefined);
  assert.equal(c.notify, undefined, 'no --git-notify: source problems are logged only');
  assert.equal(c.alertAfterMs, 600_000);
  assert.equal(parseGitConfig({ 'git-url': 'file:///r', 'git-notify': 'ops', 'git-alert-after': '30' }, {})!.alertAfterMs, 30_000);
  assert.throws(() => parseGitConfig({ 'git-url': 'file:///r', 'git-alert-after': 'soon' }, {}), /--git-alert-after soon/);
});
