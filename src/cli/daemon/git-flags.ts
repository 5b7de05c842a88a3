// vaid's pull-mode flags (src/source/). Secrets never come through argv, which every local user
// can read in /proc: the token from VAI_GIT_TOKEN or --git-token-file, the webhook secret from
// VAI_GIT_WEBHOOK_SECRET or --git-webhook-secret-file, ssh keys by file name.
import { readFileSync } from 'node:fs';
import { VaiError } from '../../errors.js';

export const GIT_OPTIONS = {
  'git-url': { type: 'string' },
  'git-ref': { type: 'string' },
  'git-path': { type: 'string' },
  'git-interval': { type: 'string' },
  'git-ssh-key': { type: 'string' },
  'git-token-file': { type: 'string' },
  'git-verify': { type: 'string' },
  'git-webhook-secret-file': { type: 'string' },
  'git-notify': { type: 'string' },
  'git-alert-after': { type: 'string' },
} as const;

export const GIT_USAGE = `  --git-url URL                 pull mode: vaid fetches this repository itself (file://, ssh://, https://; VAI_GIT_URL)
  --git-ref REF                 branch, tag or commit to apply (VAI_GIT_REF, default the remote's HEAD)
  --git-path DIR                manifests subdirectory of the repository (VAI_GIT_PATH)
  --git-interval SECONDS        how often to fetch (VAI_GIT_INTERVAL, default 60)
  --git-ssh-key FILE            deploy key for ssh:// (VAI_GIT_SSH_KEY); a token for https comes from VAI_GIT_TOKEN or --git-token-file
  --git-verify FILE             apply only commits signed by a key in this file: SSH allowed signers or armoured OpenPGP keys (VAI_GIT_VERIFY)
  --git-webhook-secret-file F   accept POST /hooks/git signed with this secret (VAI_GIT_WEBHOOK_SECRET_FILE or VAI_GIT_WEBHOOK_SECRET)
  --git-notify NAME             Notifier (or ntfy topic) told of a refused commit or a failing fetch (VAI_GIT_NOTIFY)
  --git-alert-after SECONDS     how long fetches may fail before --git-notify is told (VAI_GIT_ALERT_AFTER, default 600)
`;

export interface GitConfig {
  url: string;
  ref: string | undefined;
  path: string;
  intervalMs: number;
  sshKeyFile: string | undefined;
  token: string | undefined;
  allowedSigners: string | undefined;
  webhookSecret: string | undefined;
  /** Where source alerts go (a Notifier name or an ntfy topic); undefined: logged only. */
  notify: string | undefined;
  alertAfterMs: number;
}

type GitValues = { [K in keyof typeof GIT_OPTIONS]?: string | undefined };

function secretFrom(file: string | undefined, env: string | undefined, flag: string): string | undefined {
  if (file) {
    try {
      return readFileSync(file, 'utf8').trim() || undefined;
    } catch (e) {
      throw new VaiError('VAI_E_USAGE', `--${flag} ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  }
  return env?.trim() || undefined;
}

/** undefined in directory mode (no --git-url). */
export function parseGitConfig(values: GitValues, env: NodeJS.ProcessEnv): GitConfig | undefined {
  const url = values['git-url'] ?? env.VAI_GIT_URL;
  if (!url) return undefined;
  try {
    const u = new URL(url);
    if (!['file:', 'ssh:', 'https:', 'http:', 'git:'].includes(u.protocol)) throw new VaiError('VAI_E_USAGE', `--git-url ${url}: use file://, ssh:// or https://`);
    if (u.password) throw new VaiError('VAI_E_USAGE', `--git-url: the URL carries a password, which would be visible to every user in the process list and end up in logs; put the token in VAI_GIT_TOKEN or --git-token-file instead`);
  } catch (e) {
    if (e instanceof VaiError) throw e;
    // scp-like ssh syntax: git@host:owner/repo.git
    if (!/^[\w.-]+@[\w.-]+:/.test(url)) throw new VaiError('VAI_E_USAGE', `--git-url ${url}: not a URL (file:///srv/repo.git, ssh://git@host/repo.git, https://host/repo.git)`);
  }
  const intervalText = values['git-interval'] ?? env.VAI_GIT_INTERVAL ?? '60';
  const interval = Number(intervalText);
  if (!Number.isFinite(interval) || interval < 1 || interval > 86_400) throw new VaiError('VAI_E_USAGE', `--git-interval ${intervalText}: use seconds from 1 to 86400`);
  const afterText = values['git-alert-after'] ?? env.VAI_GIT_ALERT_AFTER ?? '600';
  const after = Number(afterText);
  if (!Number.isFinite(after) || after < 0 || after > 604_800) throw new VaiError('VAI_E_USAGE', `--git-alert-after ${afterText}: use seconds from 0 to 604800`);
  return {
    url,
    ref: values['git-ref'] ?? env.VAI_GIT_REF ?? undefined,
    path: values['git-path'] ?? env.VAI_GIT_PATH ?? '',
    intervalMs: Math.round(interval * 1000),
    sshKeyFile: values['git-ssh-key'] ?? env.VAI_GIT_SSH_KEY ?? undefined,
    token: secretFrom(values['git-token-file'] ?? env.VAI_GIT_TOKEN_FILE, env.VAI_GIT_TOKEN, 'git-token-file'),
    allowedSigners: values['git-verify'] ?? env.VAI_GIT_VERIFY ?? undefined,
    notify: values['git-notify'] ?? env.VAI_GIT_NOTIFY ?? undefined,
    alertAfterMs: Math.round(after * 1000),
    webhookSecret: secretFrom(values['git-webhook-secret-file'] ?? env.VAI_GIT_WEBHOOK_SECRET_FILE, env.VAI_GIT_WEBHOOK_SECRET, 'git-webhook-secret-file'),
  };
}
