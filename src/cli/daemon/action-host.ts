// What the endpoint's actions (src/web/actions/) may touch in a running vaid: the controller's
// restart requests and notes, and the marker dir, the same state-dir protocol vaictl uses on the
// host. The web part never imports the controller; vaid hands it this.
import type { ActionHost } from '../../web/actions/index.js';
import type { Daemon } from './daemon.js';
import { removeMarker, writeMarker } from '../../status/state-dir/markers.js';
import { newSilenceId, writeSilence } from '../../status/state-dir/silences.js';
import { markerPath, type Paths } from '../paths.js';

export function actionHost(daemon: Daemon, paths: Paths): ActionHost {
  const c = daemon.controller;
  return {
    hasService: (name) => c.world.service(name) !== undefined,
    desired: (name) => daemon.store.get(name)?.desired,
    requestRestart: (name, at) => c.requestRestart(name, at),
    writeMarker: (name) => writeMarker(paths, name),
    removeMarker: (name) => removeMarker(paths, name),
    markerPath: (name) => markerPath(paths, name),
    writeSilence: (name, now, forMs, reason) => {
      const s = { id: newSilenceId(), names: [name], selector: null, reason, createdAt: new Date(now).toISOString(), endsAt: new Date(now + forMs).toISOString() };
      writeSilence(paths, s);
      return s;
    },
    note: (name, event) => void c.note(name, event),
  };
}
