// An action a person may take on a service over vaid's endpoint (POST /api/services/NAME/ACTION,
// routes.ts), one module per action (restart.ts, stop.ts, start.ts, silence.ts), listed in index.ts.
// An action only asks: it writes the same state-dir request vaictl writes on the host (a restart
// request, a marker, a silence) through the ActionHost vaid gives it, and notes who asked from where, which
// the planner records as the service's event. It never runs a service command itself.
import type { NewEvent } from '../../status/events.js';

/** What vaid lets an action touch (wired in src/cli/daemon/action-host.ts). */
export interface ActionHost {
  /** The service is in the desired state (a manifest names it, within --selector). */
  hasService(name: string): boolean;
  /** Running, Stopped (marker) or Disabled (enabled: false), from status; undefined before the first plan. */
  desired(name: string): 'Running' | 'Stopped' | 'Disabled' | undefined;
  /** As `vaictl restart`: recover now (stop_cmd, restart_cmd, verify), bypassing backoff, not the queue. */
  requestRestart(name: string, at: number): boolean;
  /** The manual-stop marker, as `vaictl stop`/`start` write and remove it; true when it changed. */
  writeMarker(name: string): boolean;
  removeMarker(name: string): boolean;
  markerPath(name: string): string;
  /** An ad-hoc silence of one service, as `vaictl silence NAME --for` writes it (STATE_DIR/silences). */
  writeSilence(name: string, now: number, forMs: number, reason: string): { id: string; endsAt: string };
  /** Recorded as an event of the service's next plan (who, from where). */
  note(name: string, event: NewEvent): void;
}

export interface ActionRequest {
  service: string;
  /** "over the endpoint from 127.0.0.1 (vaictl of alice@laptop)": who asked, for the event and the log. */
  requestedBy: string;
  /** The request's JSON body ({} when none), bounded by the route; for actions that take fields. */
  body: Record<string, unknown>;
  now: number;
}

export interface ActionResult {
  /** HTTP status: 200 done, 202 asked (vaid acts next), 404 no such service, 400 a bad field. */
  status: number;
  message: string;
}

export interface EndpointAction {
  /** The last path segment: POST /api/services/NAME/<name>. */
  name: string;
  summary: string;
  run(host: ActionHost, req: ActionRequest): ActionResult;
}

export function notFound(name: string): ActionResult {
  return { status: 404, message: `service "${name}" is not in this host's manifests` };
}
