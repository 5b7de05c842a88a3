// POST /api/services/NAME/start: `vaictl start NAME` from another host: removes the marker, so
// vai checks the service at once and recovers it if it is unhealthy.
import { EventReason } from '../../status/events.js';
import { notFound, type EndpointAction } from './action.js';

export const startAction: EndpointAction = {
  name: 'start',
  summary: 'remove the manual-stop marker: vai recovers the service again',
  run(host, req) {
    const name = req.service;
    if (!host.hasService(name)) return notFound(name);
    const removed = host.removeMarker(name);
    if (removed) host.note(name, { type: 'Normal', reason: EventReason.RemoteAction, message: `start requested ${req.requestedBy}` });
    const disabled = host.desired(name) === 'Disabled' ? ` Note: ${name} has enabled: false in its manifest, so vai still will not act on it.` : '';
    return {
      status: 200,
      message: removed ? `service/${name} started (marker ${host.markerPath(name)} removed); vai checks it now and runs its restart_cmd if it is unhealthy.${disabled}` : `service/${name} was not stopped; nothing to do.${disabled}`,
    };
  },
};
