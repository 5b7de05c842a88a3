// The simulated executor: implements the real Executor contract over the SimWorld, with
// latencies and timeouts in virtual time. Its answers follow the contract: an engine that is
// away gives `unknown`/`unavailable`, never `unhealthy`.
import type { CheckResult, CommandKind, CommandResult, Executor, PidProbe, ServiceTarget } from '../../src/executor/types.js';
import type { SimWorld } from './sim-world.js';

export class SimExecutor implements Executor {
  private op = 0;
  closed = false;

  constructor(private readonly world: SimWorld) {}

  async check(target: ServiceTarget, signal?: AbortSignal): Promise<CheckResult> {
    const { world } = this;
    const { clock, rng, trace } = world;
    const op = ++this.op;
    const name = target.name;
    trace.add({ t: clock.now(), type: 'check-start', service: name, op });
    const s = world.get(name);
    const timeoutMs = target.spec.health_check.timeout_seconds * 1000;
    let result: CheckResult;
    if (s.container && !world.engineUp) {
      await this.wait(rng.between(1, 20), signal);
      result = { health: 'unknown', reason: 'ExecutorUnavailable', message: 'connect ENOENT /var/run/docker.sock', latencyMs: 0 };
    } else {
      world.settleStart(s);
      const healthy = world.healthy(name);
      if (healthy) {
        const latency = rng.between(1, 40);
        await this.wait(Math.min(latency, timeoutMs), signal);
        result = { health: 'healthy', reason: 'CheckPassed', message: `HTTP 200 after ${latency} ms`, latencyMs: latency };
      } else if (s.state === 'hung') {
        await this.wait(timeoutMs, signal);
        result = { health: 'unhealthy', reason: 'Timeout', message: `timed out after ${timeoutMs / 1000} s`, latencyMs: timeoutMs };
      } else {
        const latency = rng.between(0, 5);
        await this.wait(latency, signal);
        const why = s.state === 'up' ? 'a dependency is down' : 'connect ECONNREFUSED';
        result = { health: 'unhealthy', reason: 'ConnectFailed', message: `${why} (${name})`, latencyMs: latency };
      }
    }
    trace.add({ t: clock.now(), type: 'check-end', service: name, op, health: result.health, reason: result.reason });
    return result;
  }

  async run(target: ServiceTarget, kind: CommandKind, signal?: AbortSignal): Promise<CommandResult> {
    const { world } = this;
    const { clock, rng, trace } = world;
    const op = ++this.op;
    const name = target.name;
    trace.add({ t: clock.now(), type: 'run-start', service: name, op, kind });
    const s = world.get(name);
    const started = clock.now();
    let result: CommandResult;
    if (s.container && !world.engineUp) {
      result = { ok: false, exitCode: null, signal: null, timedOut: false, unavailable: true, durationMs: 0, message: 'engine unavailable' };
    } else {
      await this.wait(rng.between(10, 1500), signal);
      world.settleStart(s);
      if (kind === 'stop') s.state = 'down';
      else world.restarted(s);
      const ok = !(kind === 'restart' && clock.now() < s.brokenUntil && rng.chance(0.5));
      const durationMs = clock.now() - started;
      result = { ok, exitCode: ok ? 0 : 1, signal: null, timedOut: false, unavailable: false, durationMs, message: `exit ${ok ? 0 : 1} after ${durationMs} ms` };
    }
    trace.add({ t: clock.now(), type: 'run-end', service: name, op, kind, ok: result.ok, unavailable: result.unavailable });
    return result;
  }

  async probePid(target: ServiceTarget): Promise<PidProbe> {
    if (!target.spec.pid_file) return 'unknown';
    const s = this.world.get(target.name);
    this.world.settleStart(s);
    return s.state === 'down' ? 'dead' : 'alive';
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  private wait(ms: number, signal?: AbortSignal): Promise<void> {
    return this.world.clock.sleep(ms, signal).catch(() => undefined);
  }
}
