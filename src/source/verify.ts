// --git-verify: is this commit signed by an allowed key? The file says which kind of keys:
// an ssh-keygen(1) allowed-signers file (SSH signatures, gpg.format=ssh), or ASCII-armoured
// OpenPGP public keys (GPG signatures). GPG runs with a keyring built from that file alone, in a
// fresh directory per verification, so a key in vaid's own ~/.gnupg never counts, and a key
// removed from the file stops counting at the next commit. In SSH mode GPG gets an empty
// keyring too: a commit signed with GPG is refused there rather than checked against root's keys.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { git, GitError, type GitRun } from './git.js';

const PGP = '-----BEGIN PGP PUBLIC KEY BLOCK-----';

export type SignersKind = 'ssh' | 'gpg';

export function signersKind(file: string): SignersKind {
  return readFileSync(file, 'utf8').includes(PGP) ? 'gpg' : 'ssh';
}

function importKeys(home: string, file: string, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile('gpg', ['--batch', '--quiet', '--no-autostart', '--homedir', home, '--import', file], { timeout: timeoutMs, killSignal: 'SIGKILL', env: { ...process.env, GNUPGHOME: home } }, (err, _out, stderr) => {
      if (err) reject(new GitError('verify-commit', `cannot read the OpenPGP keys in ${file}: ${String(stderr).trim().split('\n').slice(-2).join(' | ') || err.message}`));
      else resolve();
    });
  });
}

/** Resolves when `commit` carries a good signature by a key of `file`; rejects with git's or gpg's words. */
export async function verifyCommit(run: GitRun, commit: string, file: string, scratch: string): Promise<void> {
  const home = mkdtempSync(path.join(scratch, 'gnupg-'));
  try {
    const kind = signersKind(file);
    if (kind === 'gpg') await importKeys(home, file, run.timeoutMs ?? 120_000);
    const config = kind === 'ssh' ? ['-c', 'gpg.format=ssh', '-c', `gpg.ssh.allowedSignersFile=${file}`] : ['-c', 'gpg.program=gpg'];
    await git({ ...run, env: { GNUPGHOME: home } }, [...config, 'verify-commit', commit]);
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}
