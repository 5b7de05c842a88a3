// vaictl's side of the state-dir protocol (markers and restart requests live in status/state-dir/).
// vaictl never runs a service command.
import type { DaemonState } from '../status/reader.js';

export { SERVICE_NAME, assertServiceName, writeMarker, removeMarker } from '../status/state-dir/markers.js';
export { writeRestartRequest } from '../status/state-dir/restart-requests.js';

export function daemonWords(d: DaemonState): string {
  return d.running ? `vaid is running (pid ${d.pid}) and picks this up at once` : 'vaid is not running; it picks this up when it starts';
}
