// POST /api/services/NAME/silence {"for_seconds": N, "reason": "..."}: `vaictl silence NAME --for
// D --context X` from another host. It writes the same STATE_DIR/silences file vaictl writes on
// the host, so the silence outlives a vaid restart and ends by itself; vaid reads it as any other.
import { EventReason } from '../../status/events.js';
import { notFound, type EndpointAction } from './action.js';

/** As `vaictl silence --for`: at most 30 days. */
export const MAX_SILENCE_SECONDS = 30 * 86_400;
const MAX_REASON = 500;

export const silenceAction: EndpointAction = {
  name: 'silence',
  summary: "mute the service's alerts for for_seconds (recovery goes on), with a reason",
  run(host, req) {
    const name = req.service;
    if (!host.hasService(name)) return notFound(name);
    const seconds = req.body.for_seconds;
    if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds <= 0 || seconds > MAX_SILENCE_SECONDS) {
      return { status: 400, message: `for_seconds must be a number of seconds from 1 to ${MAX_SILENCE_SECONDS} (30 days)` };
    }
    const reason = req.body.reason ?? '';
    if (typeof reason !== 'string' || reason.length > MAX_REASON) return { status: 400, message: `reason must be text of at most ${MAX_REASON} characters` };
    const text = `${reason || 'no reason given'} (${req.requestedBy})`;
    const s = host.writeSilence(name, req.now, seconds * 1000, text);
    host.note(name, { type: 'Normal', reason: EventReason.RemoteAction, message: `silence ${s.id} for ${Math.round(seconds)} s requested ${req.requestedBy}` });
    return { status: 200, message: `silence/${s.id} created: service/${name} muted until ${s.endsAt}` };
  },
};
