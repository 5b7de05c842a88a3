// Generations only grow for one state dir (issue 15). The manifest loader counts from 1 in each
// process; this ledger continues from what status recorded: a service whose spec and labels
// hash as recorded keeps its recorded generation, a changed one gets the next, and the desired
// state's generation continues from the recorded one. So a restarted vaid on unchanged
// manifests records no SpecChanged event and /metrics never sees the generation drop.
import { stableJson } from '../core/stable-json.js';
import { createHash } from 'node:crypto';
import type { DesiredService, DesiredState } from '../manifest/types.js';

export interface RecordedGenerations {
  /** The desired state's generation in the reloaded status (0: none). */
  generation: number;
  services: Iterable<{ name: string; generation: number; specHash?: string | undefined }>;
}

export class Generations {
  private readonly recorded = new Map<string, { generation: number; specHash: string | undefined }>();
  private readonly stamped = new WeakMap<DesiredService, DesiredService>();
  private readonly hashes = new Map<string, string>();
  private last: { loaded: number; applied: number } | null = null;
  private readonly recordedGeneration: number;

  constructor(recorded: RecordedGenerations) {
    this.recordedGeneration = recorded.generation;
    for (const s of recorded.services) this.recorded.set(s.name, { generation: s.generation, specHash: s.specHash });
  }

  /** The spec hash of each service of the last state applied. */
  specHashes(): ReadonlyMap<string, string> {
    return this.hashes;
  }

  /** The state with generations continued from the recorded ones (same objects when unchanged). */
  apply(state: DesiredState): DesiredState {
    const services = new Map<string, DesiredService>();
    let changed = false;
    for (const [name, svc] of state.services) {
      let out = this.stamped.get(svc);
      if (!out) {
        const hash = specHash(svc);
        const rec = this.recorded.get(name);
        // A status from before hashes were recorded: take it as unchanged rather than report every service changed.
        const generation = rec === undefined ? svc.generation : rec.specHash === undefined || rec.specHash === hash ? rec.generation : rec.generation + 1;
        out = generation === svc.generation ? svc : Object.freeze({ ...svc, generation });
        this.stamped.set(svc, out);
        this.recorded.set(name, { generation, specHash: hash });
        this.hashes.set(name, hash);
        if (!rec || rec.generation !== generation) changed = true;
      }
      services.set(name, out);
    }
    for (const name of [...(this.last ? this.hashes.keys() : this.recorded.keys())]) {
      if (state.services.has(name)) continue;
      this.hashes.delete(name);
      this.recorded.delete(name);
      changed = true;
    }
    let generation: number;
    if (this.last) generation = this.last.applied + Math.max(0, state.generation - this.last.loaded);
    else generation = this.recordedGeneration === 0 ? state.generation : this.recordedGeneration + (changed ? 1 : 0);
    this.last = { loaded: state.generation, applied: generation };
    return { ...state, generation, services };
  }
}

function specHash(svc: DesiredService): string {
  return createHash('sha256').update(stableJson({ spec: svc.spec, labels: svc.labels })).digest('hex').slice(0, 16);
}

