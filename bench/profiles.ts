// How much of each scenario a run does. `full` meets the sample counts of issue 8; `quick`
// only shows that every scenario runs (under a minute), its figures mean little.
export interface CostSize {
  kind: 'http' | 'tcp';
  services: number;
  /** Also run monit at this size. */
  monit: boolean;
  /** http with health_check.keep_alive (vai only). */
  keepAlive?: boolean;
}

export interface Profile {
  startSamples: number;
  floorRounds: number;
  floorPerRound: number;
  crashSamples: number;
  hangSamples: number;
  cost: CostSize[];
  costSlices: number;
  costSliceMs: number;
  /** cost: how long both subjects run after every service was checked before the first slice (JIT, first connections, start-up garbage). */
  costWarmupMs: number;
  scale: { services: number; intervalSeconds: number; observeTimeoutMs: number; slices: number; sliceMs: number };
  edit: { services: number; intervalSeconds: number; edits: number; cliRuns: number };
  gitops: { pushes: number; intervalSeconds: number };
  /** small-vps: seconds of each measuring window (>= 60 in full). */
  smallVpsWindowMs: number;
  /** small-vps: measure a second window right after the first (the steady state a long-running host sees). */
  smallVpsSteady: boolean;
  vaictl: { services: number; intervalSeconds: number; runs: number };
  /** healthz-churn: failing services restarted over and over while /healthz is probed. */
  healthzChurn: { services: number; intervalSeconds: number; flapMs: number; windowMs: number; everyMs: number; probeTimeoutMs: number };
}

export const PROFILES: Record<'quick' | 'full', Profile> = {
  quick: {
    startSamples: 2,
    floorRounds: 1,
    floorPerRound: 300,
    crashSamples: 2,
    hangSamples: 1,
    cost: [{ kind: 'http', services: 50, monit: true }],
    costSlices: 1,
    costSliceMs: 1000,
    costWarmupMs: 1500,
    scale: { services: 200, intervalSeconds: 1, observeTimeoutMs: 60_000, slices: 1, sliceMs: 1000 },
    edit: { services: 50, intervalSeconds: 1, edits: 2, cliRuns: 1 },
    gitops: { pushes: 2, intervalSeconds: 2 },
    smallVpsWindowMs: 10_000,
    smallVpsSteady: false,
    vaictl: { services: 100, intervalSeconds: 10, runs: 1 },
    healthzChurn: { services: 100, intervalSeconds: 1, flapMs: 5000, windowMs: 10_000, everyMs: 200, probeTimeoutMs: 15_000 },
  },
  full: {
    startSamples: 10,
    floorRounds: 3,
    floorPerRound: 1000,
    crashSamples: 20,
    hangSamples: 10,
    cost: [
      { kind: 'http', services: 50, monit: true },
      { kind: 'http', services: 200, monit: true },
      { kind: 'http', services: 1000, monit: true },
      { kind: 'http', services: 50, monit: false, keepAlive: true },
      { kind: 'http', services: 200, monit: false, keepAlive: true },
      { kind: 'http', services: 1000, monit: false, keepAlive: true },
      { kind: 'tcp', services: 50, monit: false },
      { kind: 'tcp', services: 200, monit: true },
      { kind: 'tcp', services: 1000, monit: false },
    ],
    costSlices: 5,
    costSliceMs: 3000,
    costWarmupMs: 20_000,
    scale: { services: 10_000, intervalSeconds: 10, observeTimeoutMs: 180_000, slices: 10, sliceMs: 3000 },
    edit: { services: 1000, intervalSeconds: 10, edits: 25, cliRuns: 10 },
    gitops: { pushes: 10, intervalSeconds: 10 },
    smallVpsWindowMs: 65_000,
    smallVpsSteady: true,
    vaictl: { services: 1000, intervalSeconds: 10, runs: 10 },
    healthzChurn: { services: 1000, intervalSeconds: 1, flapMs: 5000, windowMs: 60_000, everyMs: 200, probeTimeoutMs: 15_000 },
  },
};
