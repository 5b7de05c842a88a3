// Running git for the git source. A clean environment (a GIT_DIR inherited from a hook or a
// wrapper would point git at another repository; no terminal prompts), credentials passed
// through the environment only, never argv (every local user can read argv in /proc), and
// bounded time and output. stderr is kept short for the status and the log.
import { execFile, spawn } from 'node:child_process';

export interface GitCredentials {
  /** A deploy key for ssh:// URLs (GIT_SSH_COMMAND -i). */
  sshKeyFile?: string | undefined;
  /** known_hosts for ssh:// URLs; unknown host keys are accepted on first use and pinned there. */
  knownHostsFile?: string | undefined;
  /** A token for https:// URLs, sent as HTTP basic auth (x-access-token:TOKEN) in a header. */
  token?: string | undefined;
}

export class GitError extends Error {
  constructor(
    readonly command: string,
    readonly stderr: string,
  ) {
    super(`git ${command} failed: ${stderr || 'no output'}`);
    this.name = 'GitError';
  }
}

const SCRUBBED = ['GIT_DIR', 'GIT_WORK_TREE', 'GIT_INDEX_FILE', 'GIT_OBJECT_DIRECTORY', 'GIT_COMMON_DIR', 'GIT_CONFIG', 'GIT_CONFIG_GLOBAL', 'GIT_SSH', 'GIT_SSH_COMMAND', 'GIT_ASKPASS', 'SSH_ASKPASS'];

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

export function gitEnv(creds: GitCredentials = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of SCRUBBED) delete env[k];
  for (const k of Object.keys(env)) if (k.startsWith('GIT_CONFIG_')) delete env[k];
  env.GIT_TERMINAL_PROMPT = '0';
  env.GIT_OPTIONAL_LOCKS = '0';
  // The user's ~/.gitconfig (url rewrites, credential helpers) is not vaid's configuration.
  env.GIT_CONFIG_NOSYSTEM = '1';
  env.GIT_CONFIG_GLOBAL = '/dev/null';
  const ssh = ['ssh', '-o', 'BatchMode=yes', '-o', 'ConnectTimeout=15'];
  if (creds.sshKeyFile) ssh.push('-i', creds.sshKeyFile, '-o', 'IdentitiesOnly=yes');
  if (creds.knownHostsFile) ssh.push('-o', `UserKnownHostsFile=${creds.knownHostsFile}`, '-o', 'StrictHostKeyChecking=accept-new');
  env.GIT_SSH_COMMAND = ssh.map(shellQuote).join(' ');
  if (creds.token) {
    const basic = Buffer.from(`x-access-token:${creds.token}`).toString('base64');
    env.GIT_CONFIG_COUNT = '1';
    env.GIT_CONFIG_KEY_0 = 'http.extraHeader';
    env.GIT_CONFIG_VALUE_0 = `Authorization: Basic ${basic}`;
  }
  return env;
}

/** Last lines of git's stderr, without the token should a server echo a header back. */
function tail(stderr: string, creds: GitCredentials): string {
  let s = stderr.trim().split('\n').slice(-4).join(' | ');
  if (creds.token) s = s.split(creds.token).join('***');
  return s.slice(0, 500);
}

export interface GitRun {
  gitDir: string;
  creds?: GitCredentials | undefined;
  timeoutMs?: number | undefined;
  /** More environment (GNUPGHOME for verification). */
  env?: Record<string, string> | undefined;
}

export function git(run: GitRun, args: string[]): Promise<string> {
  const creds = run.creds ?? {};
  return new Promise((resolve, reject) => {
    execFile('git', ['--git-dir', run.gitDir, ...args], { env: { ...gitEnv(creds), ...run.env }, timeout: run.timeoutMs ?? 120_000, maxBuffer: 4 * 1024 * 1024, killSignal: 'SIGKILL' }, (err, stdout, stderr) => {
      if (err) reject(new GitError(args[0] ?? '', tail(String(stderr) || err.message, creds)));
      else resolve(String(stdout));
    });
  });
}

/** `git archive COMMIT | tar -x -C DIR`: the commit's files, nothing of git's. */
export function extractCommit(run: GitRun, commit: string, dir: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const env = gitEnv(run.creds);
    // tar.umask keeps git's default 0002 from making every file group-writable: the manifest
    // rules refuse such files, rightly.
    const archive = spawn('git', ['--git-dir', run.gitDir, '-c', 'tar.umask=022', 'archive', '--format=tar', commit], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const tar = spawn('tar', ['-x', '--no-same-owner', '-C', dir], { stdio: ['pipe', 'ignore', 'pipe'] });
    tar.stdin.on('error', () => undefined);
    archive.stdout.pipe(tar.stdin);
    let err = '';
    archive.stderr.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-2000)));
    tar.stderr.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-2000)));
    const timer = setTimeout(() => {
      archive.kill('SIGKILL');
      tar.kill('SIGKILL');
    }, run.timeoutMs ?? 120_000);
    const exit = (c: ReturnType<typeof spawn>) => new Promise<number | null>((r) => { c.on('close', (code) => r(code)); c.on('error', () => r(-1)); });
    void Promise.all([exit(archive), exit(tar)]).then(([a, t]) => {
      clearTimeout(timer);
      if (a === 0 && t === 0) resolve();
      else reject(new GitError('archive', tail(err, run.creds ?? {}) || `exit ${a}/${t}`));
    });
  });
}
