// vaictl plan's wording, driven by the real planner on the demo fixture (one row per scenario).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadDesiredState } from '../../../src/manifest/load-desired-state.js';
import { plan } from '../../../src/reconcile/planner.js';
import type { CheckResult } from '../../../src/executor/types.js';
import type { ServiceStatus } from '../../../src/status/schema.js';
import { planWords } from '../../../src/cli/printers/plan-words.js';
import { demoStatus } from '../../fixtures/status/synthetic.js';
import { FIXTURE_MANIFESTS, relocate } from '../../fixtures/status/state-dir.js';

const now = Date.parse('2026-11-27T21:00:00Z');
const doc = relocate(demoStatus(now), FIXTURE_MANIFESTS);
const specs = (await loadDesiredState({ dir: FIXTURE_MANIFESTS, allowUnsafePermissions: true })).services;

function words(name: string, change: (s: ServiceStatus) => void = () => {}, desired: ServiceStatus['desired'] = 'Running', request: number | null = null) {
  const before = structuredClone(doc.services[name]!);
  change(before);
  const l = before.lastCheck;
  const observation: CheckResult | null = l ? { health: l.health, reason: l.reason as CheckResult['reason'], message: l.message, latencyMs: l.latencyMs } : null;
  const result = plan({
    name,
    service: specs.get(name)!,
    desired,
    observation,
    previous: before,
    dependencies: specs.get(name)!.spec.dependencies.map((d) => ({ name: d, status: doc.services[d] ?? null })),
    dependents: [],
    now,
    restartRequest: request,
    random: 0.5,
  });
  return planWords(name, before, result, now);
}

const rows: Array<[string, () => ReturnType<typeof words>, RegExp, RegExp]> = [
  ['healthy: nothing to do', () => words('minio'), /^nothing$/, /^healthy: HTTP 200 from/],
  ['dependency down: recover it first, do not restart api', () => words('api'), /^recover (redis, )?postgres first, then restart api if it still fails$/, /redis is in CrashLoopBackOff/],
  ['crash loop: wait for the next attempt', () => words('redis'), /^wait, then restart in 35s$/, /^crash loop: 1 failed recovery in the window, backing off 20s$/],
  ['manually stopped: never acted on', () => words('worker', () => {}, 'Stopped'), /^nothing$/, /manual-stop marker/],
  ['disabled: never acted on', () => words('legacy-cron', () => {}, 'Disabled'), /^nothing$/, /enabled: false/],
  ['executor unavailable: no action on what cannot be seen', () => words('search'), /^nothing$/, /^cannot observe \(Docker engine unreachable/],
  ['recovering: verify, do not restart again', () => words('cache'), /^verify the restart$/, /^attempt 1: its check must pass by the deadline \(in 2s\)$/],
  [
    'unhealthy with ready dependencies: stop_cmd then restart_cmd, with the check message as the reason',
    () => words('cache', (s) => {
      s.recovery = null;
      s.phase = 'Healthy';
    }),
    /^run stop_cmd, then restart_cmd$/,
    /^attempt 1: timed out after 1 s, 2 consecutive failures$/,
  ],
  ['a vaictl restart request on a healthy service: restart now', () => words('postgres', () => {}, 'Running', now - 1000), /^run restart_cmd$/, /requested by vaictl restart/],
];

for (const [name, get, action, why] of rows) {
  test(name, () => {
    const w = get();
    assert.match(w.action, action);
    assert.match(w.why, why);
  });
}
