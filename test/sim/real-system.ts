// The real reconciler in the simulation: the controller, planner, work queue, worker pool and
// status store of src/, on the virtual clock, with the simulated executor and the recording
// notifier. Only the status file's disk write is replaced (by onWrite), and the log is silent.
import { HostReconcile, type Log } from '../../src/reconcile/host-reconcile.js';
import { StatusStore } from '../../src/status/store.js';
import type { SystemFactory } from './system.js';

const silent: Log = { debug() {}, info() {}, warn() {}, error() {} };

export const realSystem: SystemFactory = async ({ clock, executor, notifier, desired, markers, silences, random, onWrite, onServiceStatus }) => {
  const store = new StatusStore({
    file: '/sim/state/status.json',
    clock,
    vaid: { pid: 1, version: 'sim', startedAt: new Date(clock.now()).toISOString(), hostname: 'sim' },
    manifestsDir: '/sim/manifests',
    // Virtual time is sparse: coalescing over 30 s (a phase, condition or recovery change) and
    // 10 min (a change that only records another check) keeps the number of whole-document
    // renders near what a real host sees; every service change is still validated as it
    // happens, and a restart still writes ahead at once.
    minWriteIntervalMs: 30_000,
    checkWriteIntervalMs: 600_000,
    write: (_file, text) => onWrite(text),
  });
  store.on('change', (c) => {
    if (c.status) onServiceStatus(c.status);
  });
  const controller = new HostReconcile({ clock, executor, notifier, store, log: silent, logsDir: '/sim/logs', random, pidProbeIntervalMs: 0 });
  let current = new Set(markers);
  controller.setDesired(desired);
  controller.setMarkers(current);
  controller.setSilences(silences);
  controller.start();
  return {
    setDesired: (state) => controller.setDesired(state),
    setMarker(name, present) {
      current = new Set(current);
      if (present) current.add(name);
      else current.delete(name);
      controller.setMarkers(current);
    },
    setSilences: (list) => controller.setSilences(list),
    async stop() {
      await controller.stop(1000);
      store.close();
    },
  };
};
