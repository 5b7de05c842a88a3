// Command output goes to a log file, never to a pipe vai waits on: a daemon started with `&`
// inherits the descriptor and may hold it for months. Opened append-only and never through a
// symlink planted at the last path component (vai runs as root; logs may sit in shared dirs).
import { constants, mkdirSync, openSync } from 'node:fs';
import path from 'node:path';

const FLAGS = constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_NOFOLLOW;

/** Opens (creating with mode 0640, parent dirs 0750) and returns a descriptor the caller closes. */
export function openLogFile(file: string): number {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o750 });
  return openSync(file, FLAGS, 0o640);
}
