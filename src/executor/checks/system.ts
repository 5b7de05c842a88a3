// The system check: the host itself, for an alert-only service ("vps1 memory") that tells a
// person the host is running out before its services fall over: the 1-minute load average per
// core, available memory (MemAvailable, what the kernel can hand out without swapping) and swap
// in use. Two small /proc reads per check.
import { readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import type { HealthCheck } from '../../manifest/schema.js';
import type { CheckResult } from '../types.js';
import { round } from '../format.js';
import type { CheckType, TypeBuilder } from './check-type.js';

const SYSTEM_FIELDS = (Type: TypeBuilder) => ({
  max_load_per_core: Type.Optional(Type.Number({ minimum: 0, maximum: 1000, description: 'system: unhealthy (LoadHigh) when the 1-minute load average divided by the cores exceeds this.' })),
  min_available_memory_percent: Type.Optional(Type.Number({ minimum: 0, maximum: 100, description: 'system: unhealthy (MemoryLow) when less than this much of the memory is available (MemAvailable).' })),
  min_available_memory_mb: Type.Optional(Type.Number({ minimum: 0, maximum: 1e9, description: 'system: unhealthy (MemoryLow) when fewer MB (MiB) than this are available.' })),
  max_swap_used_percent: Type.Optional(Type.Number({ minimum: 0, maximum: 100, description: 'system: unhealthy (SwapHigh) when more than this much of the swap is in use.' })),
});

export interface SystemFigures {
  load1: number;
  cores: number;
  memTotalKb: number;
  memAvailableKb: number;
  swapTotalKb: number;
  swapFreeKb: number;
}

export function parseMeminfo(text: string): Pick<SystemFigures, 'memTotalKb' | 'memAvailableKb' | 'swapTotalKb' | 'swapFreeKb'> {
  const get = (k: string): number => Number(new RegExp(`^${k}:\\s+(\\d+)`, 'm').exec(text)?.[1] ?? 0);
  return { memTotalKb: get('MemTotal'), memAvailableKb: get('MemAvailable'), swapTotalKb: get('SwapTotal'), swapFreeKb: get('SwapFree') };
}

/** Pure: the host's figures against the thresholds; the message always carries all of them. */
export function judgeSystem(hc: HealthCheck, f: SystemFigures, latencyMs: number): CheckResult {
  const perCore = f.load1 / Math.max(1, f.cores);
  const memPct = f.memTotalKb > 0 ? (f.memAvailableKb / f.memTotalKb) * 100 : 100;
  const memMb = f.memAvailableKb / 1024;
  const swapUsedPct = f.swapTotalKb > 0 ? ((f.swapTotalKb - f.swapFreeKb) / f.swapTotalKb) * 100 : 0;
  const figures =
    `load ${f.load1.toFixed(2)} on ${f.cores} cores (${perCore.toFixed(2)} per core), ` +
    `${Math.round(memMb)} MB of ${Math.round(f.memTotalKb / 1024)} MB available (${memPct.toFixed(1)} %), ` +
    (f.swapTotalKb > 0 ? `swap ${swapUsedPct.toFixed(1)} % used` : 'no swap');
  const fail = (reason: CheckResult['reason'], why: string): CheckResult => ({ health: 'unhealthy', reason, message: `${why}: ${figures}`, latencyMs });
  if (hc.max_load_per_core !== undefined && perCore > hc.max_load_per_core) return fail('LoadHigh', `load per core ${perCore.toFixed(2)} > ${hc.max_load_per_core}`);
  if (hc.min_available_memory_percent !== undefined && memPct < hc.min_available_memory_percent) {
    return fail('MemoryLow', `available memory ${memPct.toFixed(1)} % < ${hc.min_available_memory_percent} %`);
  }
  if (hc.min_available_memory_mb !== undefined && memMb < hc.min_available_memory_mb) return fail('MemoryLow', `available memory ${Math.round(memMb)} MB < ${hc.min_available_memory_mb} MB`);
  if (hc.max_swap_used_percent !== undefined && swapUsedPct > hc.max_swap_used_percent) return fail('SwapHigh', `swap ${swapUsedPct.toFixed(1)} % used > ${hc.max_swap_used_percent} %`);
  return { health: 'healthy', reason: 'CheckPassed', message: figures, latencyMs };
}

export const SYSTEM: CheckType<'system', ReturnType<typeof SYSTEM_FIELDS>> = {
  type: 'system',
  summary: 'system: the host\'s load per core, available memory and swap use are within bounds',
  fields: SYSTEM_FIELDS,
  required: [],
  host: async ({ hc }) => {
    const started = performance.now();
    try {
      const [loadavg, meminfo] = await Promise.all([readFile('/proc/loadavg', 'latin1'), readFile('/proc/meminfo', 'latin1')]);
      const f = { load1: Number(loadavg.split(' ', 1)[0]), cores: availableParallelism(), ...parseMeminfo(meminfo) };
      return judgeSystem(hc, f, round(performance.now() - started));
    } catch (e) {
      return { health: 'unknown', reason: 'CheckError', message: `cannot read /proc: ${(e as Error).message}`, latencyMs: 0 };
    }
  },
  container: { unsupported: 'a system check watches the host itself; drop spec.container' },
  target: () => 'system',
  sentence: (hc) => {
    const wants = [
      hc.max_load_per_core !== undefined ? `load per core at most ${hc.max_load_per_core}` : '',
      hc.min_available_memory_percent !== undefined ? `at least ${hc.min_available_memory_percent} % memory available` : '',
      hc.min_available_memory_mb !== undefined ? `at least ${hc.min_available_memory_mb} MB memory available` : '',
      hc.max_swap_used_percent !== undefined ? `swap at most ${hc.max_swap_used_percent} % used` : '',
    ].filter(Boolean);
    return `the host has ${wants.join(', ')}`;
  },
  alertText: () => 'host load, memory and swap',
  rules: (hc) =>
    [hc.max_load_per_core, hc.min_available_memory_percent, hc.min_available_memory_mb, hc.max_swap_used_percent].every((v) => v === undefined)
      ? [{ path: ['type'], at: 'value', message: 'a system check needs max_load_per_core, min_available_memory_percent, min_available_memory_mb or max_swap_used_percent' }]
      : [],
};
