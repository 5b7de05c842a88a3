// The simulation's notifier: the controller's alerts land in the trace. Cooldown is the
// notifier's own pure rule (src/notify/cooldown.ts); delivery, outbox and sinks are proven
// against real servers and a killed vaid in test/e2e/crash-safety.test.ts instead, because
// their disk and network I/O cannot run on virtual time.
import type { DesiredNotifier } from '../../src/manifest/types.js';
import type { Alert, Notifier, NotifierSnapshot } from '../../src/notify/types.js';
import { checkCooldown, cooldownKey } from '../../src/notify/cooldown.js';
import type { Trace } from './trace.js';
import type { VirtualClock } from './virtual-clock.js';

export class RecordingNotifier implements Notifier {
  private readonly seen = new Set<string>();
  private readonly lastSent = new Map<string, number>();
  submitted = 0;
  delivered = 0;
  suppressed = 0;

  constructor(
    private readonly clock: VirtualClock,
    private readonly trace: Trace,
    readonly cooldownSeconds: number,
  ) {}

  async submit(alert: Alert): Promise<void> {
    if (this.seen.has(alert.id)) return;
    this.seen.add(alert.id);
    this.submitted++;
    this.trace.add({ t: this.clock.now(), type: 'alert', alert });
    const key = cooldownKey(alert.service, alert.kind);
    const decision = checkCooldown(this.lastSent.get(key), this.cooldownSeconds, this.clock.now());
    if (!decision.allowed) {
      this.suppressed++;
      return;
    }
    this.lastSent.set(key, this.clock.now());
    this.delivered++;
  }

  setTargets(_targets: ReadonlyMap<string, DesiredNotifier>): void {}

  snapshot(): NotifierSnapshot {
    return { outboxSize: 0, dropped: 0, recent: [] };
  }

  async closeIncident(_service: string): Promise<void> {}

  async close(): Promise<void> {}
}
