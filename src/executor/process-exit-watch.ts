// The kernel says when a watched process exits, instead of vaid asking /proc ten times a second:
// a pidfd per process (pidfd_open, Linux >= 5.3) becomes readable the moment the process exits,
// before anyone reaps it (so a zombie waiting for PID 1's slow reaper is seen dead at once), and
// for any process, not only vaid's children. One poll() over every pidfd (plus an eventfd that
// wakes it when the set changes) waits on a libuv threadpool thread through koffi's async call,
// and only while something is watched: nothing is held, polled or woken when nothing is.
//
// koffi (an FFI that ships its binaries in the npm package, no install script needed) is loaded
// on the first watch. Where it cannot load, or the kernel refuses pidfd_open (older kernel,
// seccomp, EPERM), watch() returns null and the caller keeps polling /proc.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { WatchedProcess } from './types.js';

// One threadpool thread waits in poll() while something is watched: give the pool a fifth
// thread so file reads and DNS lookups keep libuv's default four. The pool starts on its first
// job, after vaid's modules are loaded; an operator's own setting wins.
process.env.UV_THREADPOOL_SIZE ??= '5';

/** pidfd_open's number in the generic syscall table (every Linux architecture since 5.3). */
const SYS_PIDFD_OPEN = 434;
const POLLIN = 0x1;
const EFD_CLOEXEC = 0o2000000;
const EFD_NONBLOCK = 0o4000;
const ESRCH = 3;

interface PollFd {
  fd: number;
  events: number;
  revents: number;
}

interface Native {
  pidfdOpen(pid: number): number;
  errno(): number;
  eventfd(): number;
  wake(fd: number): void;
  drain(fd: number): void;
  close(fd: number): void;
  pollAsync(fds: PollFd[], cb: (err: unknown, n: number) => void): void;
}

function loadNative(): Native | string {
  if (process.platform !== 'linux') return `pidfd needs Linux (this is ${process.platform})`;
  try {
    const koffi = createRequire(import.meta.url)('koffi') as typeof import('koffi');
    const libc = koffi.load('libc.so.6');
    const syscall = libc.func('long syscall(long n, int pid, unsigned int flags)');
    const eventfd = libc.func('int eventfd(unsigned int initval, int flags)');
    const write = libc.func('long write(int fd, const uint8_t *buf, unsigned long n)');
    const read = libc.func('long read(int fd, _Out_ uint8_t *buf, unsigned long n)');
    const close = libc.func('int close(int fd)');
    koffi.struct('vai_pollfd', { fd: 'int', events: 'short', revents: 'short' });
    const poll = libc.func('int poll(_Inout_ vai_pollfd *fds, unsigned long n, int timeout)');
    const one = Buffer.alloc(8);
    one.writeBigUInt64LE(1n);
    const sink = Buffer.alloc(8);
    return {
      pidfdOpen: (pid) => Number(syscall(SYS_PIDFD_OPEN, pid, 0)),
      errno: () => koffi.errno(),
      eventfd: () => eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK) as number,
      wake: (fd) => void write(fd, one, 8),
      drain: (fd) => void read(fd, sink, 8),
      close: (fd) => void close(fd),
      pollAsync: (fds, cb) => poll.async(fds, fds.length, -1, cb),
    };
  } catch (e) {
    return `koffi did not load: ${(e as Error).message.split('\n')[0]}`;
  }
}

/** Start time (clock ticks since boot) of pid, or null when it is gone. */
function startTimeOf(pid: number, procDir: string): number | null {
  try {
    const stat = readFileSync(`${procDir}/${pid}/stat`, 'latin1');
    const st = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (st[0] === 'Z' || st[0] === 'X') return null;
    return Number(st[19]);
  } catch {
    return null;
  }
}

interface Entry {
  fd: number;
  onExit: () => void;
}

export class ProcessExitWatcher {
  private native: Native | null | undefined;
  /** Why watching is refused (the caller polls), once known. */
  refused: string | null = null;
  private wakeFd = -1;
  private readonly entries = new Map<number, Entry>();
  /** pidfds no longer watched, closed once the poll in flight has returned. */
  private closing: number[] = [];
  private polling = false;

  constructor(private readonly procDir = '/proc') {}

  /**
   * Calls onExit once, soon after the process exits (or at once when it already has: gone,
   * a zombie, or its pid now names a process started at another time). Returns the function
   * that stops the watch, or null when the kernel or the platform refuses (poll instead).
   */
  watch(p: WatchedProcess, onExit: () => void): (() => void) | null {
    const n = this.load();
    if (!n) return null;
    const fd = n.pidfdOpen(p.pid);
    if (fd < 0) {
      const errno = n.errno();
      if (errno !== ESRCH) {
        this.refused = `pidfd_open refused (errno ${errno})`;
        return null;
      }
      queueMicrotask(onExit);
      return () => undefined;
    }
    // Opened after the lookup: the pid may already name another process.
    if (startTimeOf(p.pid, this.procDir) !== p.startTime) {
      n.close(fd);
      queueMicrotask(onExit);
      return () => undefined;
    }
    const entry: Entry = { fd, onExit };
    this.entries.set(fd, entry);
    this.arm();
    return () => {
      if (this.entries.get(fd) !== entry) return;
      this.entries.delete(fd);
      this.release(fd);
    };
  }

  /** Processes watched now (tests, diagnostics). */
  get size(): number {
    return this.entries.size;
  }

  private load(): Native | null {
    if (this.native !== undefined) return this.native;
    const n = loadNative();
    if (typeof n === 'string') {
      this.refused = n;
      this.native = null;
      return null;
    }
    const wake = n.eventfd();
    // Probe once: a kernel without pidfd_open (ENOSYS) or a seccomp filter refuses every call.
    const self = n.pidfdOpen(process.pid);
    if (wake < 0 || self < 0) {
      this.refused = wake < 0 ? 'eventfd failed' : `pidfd_open refused (errno ${n.errno()})`;
      if (wake >= 0) n.close(wake);
      this.native = null;
      return null;
    }
    n.close(self);
    this.wakeFd = wake;
    this.native = n;
    return n;
  }

  private release(fd: number): void {
    if (this.polling) {
      this.closing.push(fd);
      this.native!.wake(this.wakeFd);
    } else {
      this.native!.close(fd);
    }
  }

  private arm(): void {
    const n = this.native!;
    if (this.polling) {
      n.wake(this.wakeFd);
      return;
    }
    if (this.entries.size === 0) return;
    const fds: PollFd[] = [{ fd: this.wakeFd, events: POLLIN, revents: 0 }];
    for (const fd of this.entries.keys()) fds.push({ fd, events: POLLIN, revents: 0 });
    this.polling = true;
    n.pollAsync(fds, (err) => {
      this.polling = false;
      for (const fd of this.closing) n.close(fd);
      this.closing = [];
      if (fds[0]!.revents) n.drain(this.wakeFd);
      const exited: Entry[] = [];
      if (!err) {
        for (const f of fds.slice(1)) {
          const e = f.revents ? this.entries.get(f.fd) : undefined;
          if (!e) continue;
          this.entries.delete(f.fd);
          n.close(f.fd);
          exited.push(e);
        }
      }
      this.arm();
      for (const e of exited) e.onExit();
    });
  }
}

let shared: ProcessExitWatcher | undefined;

/** The one watcher of this process (one poll thread for every watch). */
export function processExitWatcher(): ProcessExitWatcher {
  shared ??= new ProcessExitWatcher();
  return shared;
}
