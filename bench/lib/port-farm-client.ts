// Starts bench/fixtures/port-farm.js as a child with IPC and asks it for ports and hit counts.
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { trackGroup, untrackGroup } from './reaper.js';

const FARM = fileURLToPath(new URL('../fixtures/port-farm.js', import.meta.url));

export interface PortFarm {
  pid: number;
  listen(kind: 'http' | 'tcp', count: number): Promise<number[]>;
  counts(): Promise<{ hits: number; portsHit: number }>;
  stop(): void;
}

export function startPortFarm(): PortFarm {
  const child: ChildProcess = fork(FARM, [], { detached: true, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const pid = child.pid ?? 0;
  trackGroup(pid);
  let next = 1;
  const pending = new Map<number, (v: unknown) => void>();
  child.on('message', (m: { id: number }) => {
    pending.get(m.id)?.(m);
    pending.delete(m.id);
  });
  const ask = <T>(msg: object): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const id = next++;
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new Error('port farm did not answer within 120 s'));
      }, 120_000);
      pending.set(id, (v) => {
        clearTimeout(timer);
        resolve(v as T);
      });
      child.send({ ...msg, id });
    });
  return {
    pid,
    listen: async (kind, count) => (await ask<{ ports: number[] }>({ cmd: 'listen', kind, count })).ports,
    counts: () => ask<{ hits: number; portsHit: number }>({ cmd: 'counts' }),
    stop() {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // already gone
      }
      untrackGroup(pid);
    },
  };
}
