// The docker check: the container named by spec.container is running, and healthy when its image
// has a HEALTHCHECK, as the Engine's inspect says. Engine trouble is never the service's fault:
// it comes back `unknown`.
import type Docker from 'dockerode';
import { performance } from 'node:perf_hooks';
import type { CheckResult } from '../types.js';
import type { EngineClient } from '../engine-client.js';
import { classifyDockerError } from '../docker-errors.js';
import { unknown } from '../container-probe.js';
import { oneLine, round } from '../format.js';
import type { CheckType, TypeBuilder } from './check-type.js';

export async function containerCheck(engine: EngineClient, container: string): Promise<CheckResult> {
  const started = performance.now();
  try {
    const info = await engine.json<Docker.ContainerInspectInfo>('GET', `/containers/${encodeURIComponent(container)}/json`);
    const ms = performance.now() - started;
    const st = info.State;
    if (!st.Running || st.Paused || st.Restarting) {
      const what = st.Paused ? 'paused' : st.Restarting ? 'restarting' : `${st.Status} (exit ${st.ExitCode})`;
      return { health: 'unhealthy', reason: 'ContainerNotRunning', message: `container ${container} is ${what}`, latencyMs: round(ms) };
    }
    const health = st.Health?.Status;
    if (health === 'unhealthy') {
      const last = st.Health?.Log?.at(-1)?.Output ?? '';
      return { health: 'unhealthy', reason: 'ContainerUnhealthy', message: oneLine(`container ${container} HEALTHCHECK says unhealthy${last ? `: ${last}` : ''}`), latencyMs: round(ms) };
    }
    if (health === 'starting') {
      return { health: 'unknown', reason: 'ContainerStarting', message: `container ${container} is running; its HEALTHCHECK is still starting`, latencyMs: round(ms) };
    }
    const suffix = health === 'healthy' ? ' and healthy' : '';
    return { health: 'healthy', reason: 'CheckPassed', message: `container ${container} is running${suffix}`, latencyMs: round(ms) };
  } catch (e) {
    const f = classifyDockerError(e, container);
    return unknown(f.reason, f.message, performance.now() - started);
  }
}

export const DOCKER_FIELDS = (_: TypeBuilder) => ({});

export const DOCKER: CheckType<'docker', ReturnType<typeof DOCKER_FIELDS>> = {
  type: 'docker',
  summary: 'docker: the container is running (and healthy when it has a HEALTHCHECK)',
  fields: DOCKER_FIELDS,
  required: [],
  aboutContainer: true,
  host: () => ({ health: 'unknown', reason: 'CheckError', message: 'a docker check needs spec.container (the container to watch)', latencyMs: 0 }),
  container: ({ engine, container }) => containerCheck(engine, container),
  target: () => 'docker',
  sentence: (_hc, spec) => `container ${spec.container ?? '<none>'} is running (and healthy if it has a HEALTHCHECK)`,
  alertText: (_hc, spec) => `Docker container ${spec.container ?? '?'} running and healthy`,
  rules: (_hc, spec) =>
    spec.container === undefined ? [{ path: ['type'], at: 'value', message: 'a docker check needs spec.container (the container to inspect)' }] : [],
};
