// Command output goes to a log file, never to a pipe vai waits on: a daemon started with `&`
// inherits the descriptor and may hold it for months. vai runs as root and a service owner may
// control the log's directories, so the file is opened through core/safe-open: no symlink on any
// component, never a FIFO or device, never a second hard link, and missing parents are created
// only in directories no other user can write.
import { openSafe } from '../core/safe-open.js';

/** Opens (creating with mode 0640, parent dirs 0750) and returns a descriptor the caller closes. */
export function openLogFile(file: string): number {
  return openSafe(file, { mode: 'append', create: 0o640, mkdirParents: 0o750, singleLink: true }).fd;
}
