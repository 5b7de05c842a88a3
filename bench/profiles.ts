// How much of each scenario a run does. `full` meets the sample counts of issue 8; `quick`
// only shows that every scenario runs (under a minute), its figures mean little.
export interface CostSize {
  kind: 'http' | 'tcp';
  services: number;
  /** Also run monit at this size. */
  monit: boolean;
}

export interface Profile {
  startSamples: number;
  crashSamples: number;
  hangSamples: number;
  cost: CostSize[];
  costSlices: number;
  costSliceMs: number;
  scale: { services: number; slices: number; sliceMs: number };
  edit: { services: number; edits: number; cliRuns: number };
}

export const PROFILES: Record<'quick' | 'full', Profile> = {
  quick: {
    startSamples: 2,
    crashSamples: 2,
    hangSamples: 1,
    cost: [{ kind: 'http', services: 50, monit: true }],
    costSlices: 2,
    costSliceMs: 1000,
    scale: { services: 1000, slices: 2, sliceMs: 1000 },
    edit: { services: 100, edits: 3, cliRuns: 2 },
  },
  full: {
    startSamples: 10,
    crashSamples: 20,
    hangSamples: 10,
    cost: [
      { kind: 'http', services: 50, monit: true },
      { kind: 'http', services: 200, monit: true },
      { kind: 'http', services: 1000, monit: true },
      { kind: 'tcp', services: 50, monit: false },
      { kind: 'tcp', services: 200, monit: true },
      { kind: 'tcp', services: 1000, monit: false },
    ],
    costSlices: 5,
    costSliceMs: 3000,
    scale: { services: 10_000, slices: 10, sliceMs: 3000 },
    edit: { services: 1000, edits: 25, cliRuns: 20 },
  },
};
