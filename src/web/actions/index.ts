// The actions the endpoint offers, one module each. A new action (e.g. silence) is a module
// exporting an EndpointAction, listed here; what it needs from vaid goes on ActionHost.
import type { EndpointAction } from './action.js';
import { restartAction } from './restart.js';
import { startAction } from './start.js';
import { stopAction } from './stop.js';
import { silenceAction } from './silence.js';

export const ACTIONS: readonly EndpointAction[] = [restartAction, stopAction, startAction, silenceAction];

export type { ActionHost, ActionRequest, ActionResult, EndpointAction } from './action.js';
export { actionRoutes, ACTION_PREFIX, type ActionRoutesOptions } from './routes.js';
export { ActionRateLimit } from './rate-limit.js';
