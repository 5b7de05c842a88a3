// What the recovery and cost scenarios need of a supervisor, so vai and monit run the same
// scenario code: its real pid (for /proc), a way to know it has seen a recovered service as
// healthy again, and a clean stop.
export interface Supervisor {
  kind: 'vai' | 'monit';
  /** The supervisor process itself (not a wrapper): CPU and RSS are read from /proc/PID. */
  pid: number;
  /** Resolves once the supervisor counts `name` healthy again after a fault injected at `faultAtMs` (Date.now()). */
  settled(name: string, faultAtMs: number): Promise<void>;
  /** Checks the supervisor reports having run, when it reports them (vai's status counters). */
  checksReported(): Promise<number | undefined>;
  stop(): Promise<void>;
}
