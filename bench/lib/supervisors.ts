// vai and monit behind the Supervisor interface.
import type { Monit } from './monit.js';
import type { Supervisor } from './supervisor.js';
import { readStatus, waitStatus, type Vaid } from './vaid.js';

export function vaiSupervisor(v: Vaid): Supervisor {
  return {
    kind: 'vai',
    pid: v.pid,
    async settled(name, faultAtMs) {
      await waitStatus(
        v,
        (s) => {
          const svc = s.services[name];
          const check = svc?.lastCheck;
          return (
            svc?.phase === 'Healthy' &&
            svc.recovery === null &&
            check?.health === 'healthy' &&
            Date.parse(check.at) >= faultAtMs
          );
        },
        { what: `${name} Healthy in vai's status after ${new Date(faultAtMs).toISOString()}` },
      );
    },
    async checksReported() {
      const s = readStatus(v.stateDir);
      if (!s) return undefined;
      let n = 0;
      for (const svc of Object.values(s.services)) n += svc.counters.checks;
      return n;
    },
    stop: () => v.stop(),
  };
}

const LINE = /^\[(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)([+-]\d{4})\]\s+\w+\s+:\s+(.*)$/;

function logTimeMs(stamp: string, zone: string): number {
  return Date.parse(`${stamp}${zone.slice(0, 3)}:${zone.slice(3)}`);
}

/**
 * monit says little at its default log level; what it does say is enough: a (re)start of the
 * service (`'X' start:`), a process seen running again, or monit itself starting. Its log has
 * one-second stamps, hence the one-second allowance.
 */
export function monitSupervisor(m: Monit): Supervisor {
  return {
    kind: 'monit',
    pid: m.pid,
    async settled(name, faultAtMs) {
      const wanted = [`'${name}' start:`, `'${name}' process is running with pid`, 'Monit 5', 'daemon with pid'];
      const deadline = performance.now() + 60_000;
      for (;;) {
        for (const line of m.log().split('\n')) {
          const mm = LINE.exec(line);
          if (!mm) continue;
          if (logTimeMs(mm[1] as string, mm[2] as string) < faultAtMs - 1000) continue;
          if (wanted.some((w) => (mm[3] as string).includes(w))) return;
        }
        if (performance.now() > deadline) throw new Error(`monit did not restart ${name} within 60 s:\n${m.log().split('\n').slice(-10).join('\n')}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    checksReported: async () => undefined,
    stop: () => m.stop(),
  };
}
