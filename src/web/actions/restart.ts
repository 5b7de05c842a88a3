// POST /api/services/NAME/restart: `vaictl restart NAME` from another host. vaid recovers the
// service now (stop_cmd, restart_cmd, verify) as for a request file in STATE_DIR/requests.
import { EventReason } from '../../status/events.js';
import { notFound, type EndpointAction } from './action.js';

export const restartAction: EndpointAction = {
  name: 'restart',
  summary: 'recover the service now: stop_cmd, restart_cmd, verify',
  run(host, req) {
    const name = req.service;
    if (!host.hasService(name)) return notFound(name);
    host.note(name, { type: 'Normal', reason: EventReason.RemoteAction, message: `restart requested ${req.requestedBy}` });
    host.requestRestart(name, req.now);
    const desired = host.desired(name);
    const note = desired && desired !== 'Running' ? ` Note: ${name} is ${desired}, so vaid will not act on the request.` : '';
    return { status: 202, message: `service/${name} restart requested; vaid runs it now.${note}` };
  },
};
