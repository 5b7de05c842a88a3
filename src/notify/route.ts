// Where a service's alerts go. notify_on_fail names a `kind: Notifier` manifest, or else is an
// ntfy topic on the default server ($VAI_NTFY_URL, default https://ntfy.sh). A route holds
// names of environment variables, never their values: it is stored in the outbox. What each
// sink type does lives in its module (sinks/<type>.ts); this file only dispatches.
import type { DesiredNotifier } from '../manifest/types.js';
import { redactUrl } from './redact.js';
import { sinkOf } from './sinks/index.js';
import type { RouteBase, SinkModule } from './sinks/sink.js';
import { DEFAULT_NTFY_URL, DEFAULT_TOKEN_ENV, topicRoute } from './sinks/ntfy.js';

export { DEFAULT_NTFY_URL, DEFAULT_TOKEN_ENV };
export { ntfyUrl } from './sinks/ntfy-url.js';
export const DEFAULT_COOLDOWN_SECONDS = 900;
const TOPIC = /^[-_A-Za-z0-9]{1,64}$/;

export type Route = RouteBase & Record<string, unknown>;

export interface ResolvedRoute {
  route: Route;
  cooldownSeconds: number;
  reminderSeconds: number;
  /** The Notifier's group_wait_seconds; absent: the notifier's default (5 s). Only sinks a person reads group (grouping.ts). */
  groupWaitSeconds?: number;
}

export type RouteResult = { ok: true; value: ResolvedRoute } | { ok: false; error: string };

function moduleOf(route: RouteBase): SinkModule {
  const m = sinkOf(route.sink);
  // Only a route written by a newer vaid (a sink this one does not know) can get here.
  if (!m) throw new Error(`unknown sink type "${route.sink}"`);
  return m;
}

export function resolveRoute(notifyOnFail: string, targets: ReadonlyMap<string, DesiredNotifier>, env: NodeJS.ProcessEnv): RouteResult {
  const n = targets.get(notifyOnFail);
  if (!n) {
    if (!TOPIC.test(notifyOnFail)) {
      return { ok: false, error: `notify_on_fail "${notifyOnFail}" names no Notifier and is not a valid ntfy topic ([-_A-Za-z0-9]{1,64})` };
    }
    return { ok: true, value: { route: topicRoute(notifyOnFail, env) as unknown as Route, cooldownSeconds: DEFAULT_COOLDOWN_SECONDS, reminderSeconds: 0 } };
  }
  const m = sinkOf(n.spec.type);
  if (!m) return { ok: false, error: `Notifier "${n.name}" has unknown type "${n.spec.type}"` };
  const r = m.resolve(n, env);
  if (!r.ok) return r;
  return {
    ok: true,
    value: { route: r.route as Route, cooldownSeconds: n.spec.cooldown_seconds ?? DEFAULT_COOLDOWN_SECONDS, reminderSeconds: n.spec.reminder_seconds ?? 0, ...(n.spec.group_wait_seconds !== undefined ? { groupWaitSeconds: n.spec.group_wait_seconds } : {}) },
  };
}

/** What status and vaictl show as TARGET: no credentials, no command text. */
export function routeTarget(route: RouteBase): string {
  return sinkOf(route.sink)?.target(route) ?? route.sink;
}

/** Deliveries to one destination happen in order; different destinations do not wait on each other. */
export function destinationKey(route: RouteBase): string {
  return `${route.sink}:${routeTarget(route)}`;
}

/** Environment variables whose values are secrets for this route. */
export function secretEnvNames(route: RouteBase): string[] {
  return sinkOf(route.sink)?.secretEnv(route) ?? [];
}

/** The stored route lost URL userinfo and must be re-read before sending. */
export function routeHidesCredentials(route: RouteBase): boolean {
  return (sinkOf(route.sink)?.urls(route) ?? []).some((url) => url !== redactUrl(url) || /:\/\/\*\*\*@/.test(url));
}

/** A route as stored on disk: URL userinfo removed (it is a credential); delivery re-reads it from the Notifier. */
export function storableRoute(route: Route): Route {
  return moduleOf(route).withUrls(route, redactUrl) as Route;
}

export { moduleOf as sinkModuleOf };
