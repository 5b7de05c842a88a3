// On these machines PID 1 reaps orphans only every ~2 s, so a killed daemon that a restart
// command left in the background stays a zombie that long; systemd on a real host reaps at
// once. Both supervisors therefore run under `tini -s` (a subreaper that reaps promptly), and
// the bench measures the real supervisor: tini's only child.
import { existsSync, readFileSync } from 'node:fs';

export const TINI = ['/usr/bin/tini', '/usr/sbin/tini', '/sbin/tini'].find((p) => existsSync(p));

/** argv for spawning `cmd` under tini when it is installed. */
export function underInit(cmd: string, args: string[]): { file: string; args: string[] } {
  return TINI ? { file: TINI, args: ['-s', '-g', '--', cmd, ...args] } : { file: cmd, args };
}

/** The real supervisor's pid: `pid` itself without tini, or tini's child. */
export async function supervisedPid(pid: number, timeoutMs = 10_000): Promise<number> {
  if (!TINI) return pid;
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    try {
      const child = Number(readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/)[0]);
      if (child > 0) return child;
    } catch {
      // tini not yet started or already gone
    }
    if (performance.now() > deadline) throw new Error(`no child of tini (pid ${pid}) within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
