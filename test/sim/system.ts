// What the simulation needs of vai: start it on a desired state with injected clock, executor
// and notifier, tell it about spec and marker changes, stop it. The one implementation wires
// the real controller (real-system.ts); the interface keeps the harness independent of how
// the controller is built.
import type { DesiredState } from '../../src/manifest/types.js';
import type { Executor } from '../../src/executor/types.js';
import type { Notifier } from '../../src/notify/types.js';
import type { RecordedStatus } from '../../src/status/store.js';
import type { Silence } from '../../src/status/state-dir/silences.js';
import type { VirtualClock } from './virtual-clock.js';

export interface SystemDeps {
  clock: VirtualClock;
  executor: Executor;
  notifier: Notifier;
  desired: DesiredState;
  /** The seed's generator for the reconciler's own jitter. */
  random: () => number;
  /** Names with a manual-stop marker at start. */
  markers: ReadonlySet<string>;
  /** The ad-hoc silences in the state dir at start (vaictl silence). */
  silences: readonly Silence[];
  /** Every status.json the store would write. */
  onWrite(text: string): void;
  /** Every change of one service's status. */
  onServiceStatus(status: RecordedStatus): void;
}

export interface SystemUnderTest {
  setDesired(state: DesiredState): void;
  setMarker(name: string, present: boolean): void;
  /** The silences in the state dir now (one was made or deleted). */
  setSilences(silences: readonly Silence[]): void;
  stop(): Promise<void>;
}

export type SystemFactory = (deps: SystemDeps) => Promise<SystemUnderTest>;
