// POST /api/services/NAME/stop: `vaictl stop NAME` from another host: the seed's manual-stop
// marker, so vai observes the service and never restarts it. The process is left as it is.
import { EventReason } from '../../status/events.js';
import { notFound, type EndpointAction } from './action.js';

export const stopAction: EndpointAction = {
  name: 'stop',
  summary: 'write the manual-stop marker: vai stops recovering the service',
  run(host, req) {
    const name = req.service;
    if (!host.hasService(name)) return notFound(name);
    const created = host.writeMarker(name);
    if (created) host.note(name, { type: 'Normal', reason: EventReason.RemoteAction, message: `stop requested ${req.requestedBy}` });
    return {
      status: 200,
      message: `service/${name} ${created ? 'stopped' : 'already stopped'} (marker ${host.markerPath(name)}); vai will not recover it until start. Its process is left as it is.`,
    };
  },
};
