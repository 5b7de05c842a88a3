// The main process of each container, from the engine's inspect (State.Pid): `vaictl top` measures
// the tree under it in the host's /proc, where a container's processes are visible to root.
import { dockerOptions } from '../executor/docker-engine-address.js';
import { EngineClient } from '../executor/engine-client.js';
import type { ServiceProcess } from '../executor/service-process.js';

export async function containerPids(names: readonly string[], env: NodeJS.ProcessEnv): Promise<Map<string, ServiceProcess>> {
  const out = new Map<string, ServiceProcess>();
  const opts = dockerOptions(env.DOCKER_HOST);
  if (typeof opts === 'string') {
    for (const n of names) out.set(n, { pid: null, reason: opts });
    return out;
  }
  const engine = new EngineClient(opts);
  try {
    await Promise.all(
      [...new Set(names)].map(async (n) => {
        try {
          const info = await engine.json<{ State?: { Pid?: number; Running?: boolean } }>('GET', `/containers/${encodeURIComponent(n)}/json`);
          const pid = info.State?.Pid ?? 0;
          out.set(n, pid > 0 && info.State?.Running ? { pid, via: `container ${n}` } : { pid: null, reason: `container ${n} is not running` });
        } catch (e) {
          out.set(n, { pid: null, reason: `container ${n}: ${(e as Error).message}` });
        }
      }),
    );
  } finally {
    engine.close();
  }
  return out;
}
