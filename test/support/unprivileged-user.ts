// A real unprivileged user for a test (useradd, removed after): the service owner of the threat
// model, who controls its service's directories. Needs root; `rootOrSkip` prints why it skips and
// never skips under CI.
import { spawnSync } from 'node:child_process';
import { chownSync } from 'node:fs';
import { randomBytes } from 'node:crypto';

export interface TestUser {
  name: string;
  uid: number;
  gid: number;
  /** Runs argv as the user (runuser); throws on a non-zero exit. */
  run(argv: string[]): string;
  chown(path: string): void;
  remove(): void;
}

/** A reason to skip when not root (null under root); under CI=true never a skip, a failure. */
export function rootOrSkip(): string | null {
  if (process.getuid?.() === 0) return null;
  if (process.env.CI === 'true') throw new Error('this test needs root, and CI never skips it');
  const why = 'needs root (useradd, chown, mount): run as root to exercise it';
  console.log(`# skipped: ${why}`);
  return why;
}

export function createUser(t: { after(fn: () => unknown): void }): TestUser {
  const name = `vaih${randomBytes(3).toString('hex')}`;
  const r = spawnSync('useradd', ['--no-create-home', '--shell', '/usr/sbin/nologin', name], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`useradd ${name} failed: ${r.stderr}`);
  const id = (flag: string) => Number(spawnSync('id', [flag, name], { encoding: 'utf8' }).stdout.trim());
  const user: TestUser = {
    name,
    uid: id('-u'),
    gid: id('-g'),
    run(argv) {
      const x = spawnSync('runuser', ['-u', name, '--', ...argv], { encoding: 'utf8', timeout: 30_000 });
      if (x.status !== 0) throw new Error(`${argv.join(' ')} as ${name}: exit ${x.status}: ${x.stderr}`);
      return x.stdout;
    },
    chown(p) {
      chownSync(p, user.uid, user.gid);
    },
    remove() {
      spawnSync('userdel', [name], { encoding: 'utf8' });
    },
  };
  t.after(() => user.remove());
  return user;
}
