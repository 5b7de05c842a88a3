// A deliberately careless reconciler, the seed's cron loop without its best practices: check
// every service on its interval and restart whatever fails, ignoring markers, dependencies,
// backoff and the engine. The invariant checker must catch it; if it ever stops catching it,
// the checker has gone blind.
import type { DesiredState } from '../../src/manifest/types.js';
import type { ServiceTarget } from '../../src/executor/types.js';
import type { SystemFactory } from './system.js';

export const naiveSystem: SystemFactory = async ({ clock, executor, notifier, desired }) => {
  let state: DesiredState = desired;
  let stopped = false;
  const target = (name: string): ServiceTarget => {
    const d = state.services.get(name)!;
    return { name, spec: d.spec, defaultLogPath: `/sim/logs/${name}.log`, workingDir: '/sim' };
  };
  const loop = async (name: string): Promise<void> => {
    if (stopped || !state.services.has(name)) return;
    const t = target(name);
    const r = await executor.check(t);
    if (r.health !== 'healthy') {
      await executor.run(t, 'restart');
      await clock.sleep(t.spec.startup_delay_seconds * 1000);
      const again = await executor.check(t);
      if (again.health !== 'healthy') {
        await notifier.submit({ id: `${name}:${clock.now()}`, kind: 'recovery-failed', service: name, spec: t.spec, at: new Date(clock.now()).toISOString(), message: again.message, attempt: 1, dependents: [] });
      }
    }
    clock.setTimeout(() => void loop(name), t.spec.health_check.interval_seconds * 1000);
  };
  for (const name of state.services.keys()) clock.setTimeout(() => void loop(name), 1000);
  return {
    setDesired(s) {
      state = s;
    },
    setMarker() {},
    setSilences() {},
    async stop() {
      stopped = true;
    },
  };
};
