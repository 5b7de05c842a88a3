// Where a service's alerts go. notify_on_fail names a `kind: Notifier` manifest, or else is an
// ntfy topic on the default server ($VAI_NTFY_URL, default https://ntfy.sh). A route holds
// names of environment variables, never their values: it is stored in the outbox.
import type { DesiredNotifier } from '../manifest/types.js';
import { redactUrl } from './redact.js';

export const DEFAULT_NTFY_URL = 'https://ntfy.sh';
export const DEFAULT_TOKEN_ENV = 'VAI_NTFY_TOKEN';
export const DEFAULT_COOLDOWN_SECONDS = 900;
const TOPIC = /^[-_A-Za-z0-9]{1,64}$/;

export type Route =
  | { sink: 'ntfy'; notifier: string | null; server: string; topic: string; tokenEnv: string }
  | { sink: 'webhook'; notifier: string; url: string; headerEnv: Record<string, string> }
  | { sink: 'command'; notifier: string; command: string };

export interface ResolvedRoute {
  route: Route;
  cooldownSeconds: number;
  reminderSeconds: number;
}

export type RouteResult = { ok: true; value: ResolvedRoute } | { ok: false; error: string };

export function resolveRoute(
  notifyOnFail: string,
  targets: ReadonlyMap<string, DesiredNotifier>,
  env: NodeJS.ProcessEnv,
): RouteResult {
  const defaultServer = env.VAI_NTFY_URL || DEFAULT_NTFY_URL;
  const n = targets.get(notifyOnFail);
  if (!n) {
    if (!TOPIC.test(notifyOnFail)) {
      return { ok: false, error: `notify_on_fail "${notifyOnFail}" names no Notifier and is not a valid ntfy topic ([-_A-Za-z0-9]{1,64})` };
    }
    return {
      ok: true,
      value: {
        route: { sink: 'ntfy', notifier: null, server: defaultServer, topic: notifyOnFail, tokenEnv: DEFAULT_TOKEN_ENV },
        cooldownSeconds: DEFAULT_COOLDOWN_SECONDS,
        reminderSeconds: 0,
      },
    };
  }
  const s = n.spec;
  const timing = { cooldownSeconds: s.cooldown_seconds ?? DEFAULT_COOLDOWN_SECONDS, reminderSeconds: s.reminder_seconds ?? 0 };
  switch (s.type) {
    case 'ntfy':
      return {
        ok: true,
        value: {
          route: { sink: 'ntfy', notifier: n.name, server: s.server ?? defaultServer, topic: s.topic ?? n.name, tokenEnv: s.token_env ?? DEFAULT_TOKEN_ENV },
          ...timing,
        },
      };
    case 'webhook':
      if (!s.url) return { ok: false, error: `Notifier "${n.name}" (webhook) has no url` };
      return { ok: true, value: { route: { sink: 'webhook', notifier: n.name, url: s.url, headerEnv: { ...(s.header_env ?? {}) } }, ...timing } };
    case 'command':
      if (!s.command) return { ok: false, error: `Notifier "${n.name}" (command) has no command` };
      return { ok: true, value: { route: { sink: 'command', notifier: n.name, command: s.command }, ...timing } };
  }
}

/** The ntfy publish URL: `{server}/{topic}`. */
export function ntfyUrl(server: string, topic: string): string {
  return `${server.replace(/\/+$/, '')}/${topic}`;
}

/** What status and vaictl show as TARGET: no credentials, no command text. */
export function routeTarget(route: Route): string {
  switch (route.sink) {
    case 'ntfy':
      return redactUrl(ntfyUrl(route.server, route.topic));
    case 'webhook':
      return redactUrl(route.url);
    case 'command':
      return route.notifier;
  }
}

/** Deliveries to one destination happen in order; different destinations do not wait on each other. */
export function destinationKey(route: Route): string {
  return `${route.sink}:${routeTarget(route)}`;
}

/** Environment variables whose values are secrets for this route. */
export function secretEnvNames(route: Route): string[] {
  switch (route.sink) {
    case 'ntfy':
      return [route.tokenEnv];
    case 'webhook':
      return Object.values(route.headerEnv);
    case 'command':
      return [];
  }
}

/** The stored route lost URL userinfo and must be re-read before sending. */
export function routeHidesCredentials(route: Route): boolean {
  const url = route.sink === 'ntfy' ? route.server : route.sink === 'webhook' ? route.url : '';
  return url !== redactUrl(url) || /:\/\/\*\*\*@/.test(url);
}

/** A route as stored on disk: URL userinfo removed (it is a credential); delivery re-reads it from the Notifier. */
export function storableRoute(route: Route): Route {
  switch (route.sink) {
    case 'ntfy':
      return { ...route, server: redactUrl(route.server) };
    case 'webhook':
      return { ...route, url: redactUrl(route.url), headerEnv: { ...route.headerEnv } };
    case 'command':
      return { ...route };
  }
}
