// The contract of one notifier sink. Each `type:` of a `kind: Notifier` is one module under
// sinks/ implementing it, listed once in sinks/index.ts: adding a sink is a new file plus its
// tests. A route is what a module resolves from its Notifier: names of environment variables,
// never their values, because it is stored in the outbox with the notification.
import type { DesiredNotifier } from '../../manifest/types.js';
import type { Notification } from '../notification.js';
import type { DeliveryOutcome } from './outcome.js';
import type { PollResult } from './ntfy-poll.js';

export interface RouteBase {
  sink: string;
  /** The Notifier's name; null for a bare ntfy topic on the default server. */
  notifier: string | null;
}

export type ResolveResult<R> = { ok: true; route: R } | { ok: false; error: string };

export interface SendContext {
  env: NodeJS.ProcessEnv;
  /** The delivery key: the same on every attempt of one notification. */
  key: string;
  timeoutMs: number;
  nowMs: number;
  signal: AbortSignal;
  /** Environment variables holding any sink's secrets: a sink that runs a program withholds them. */
  secretEnvNames: readonly string[];
}

export interface SinkModule<R extends RouteBase = RouteBase> {
  readonly type: string;
  resolve(n: DesiredNotifier, env: NodeJS.ProcessEnv): ResolveResult<R>;
  /** What status and vaictl show as TARGET: no credentials, no command text. */
  target(route: R): string;
  /** Environment variables whose values are secrets for this route. */
  secretEnv(route: R): string[];
  /** URLs of the route (credentials in their userinfo are not stored). */
  urls(route: R): string[];
  /** The route with `redact` applied to each URL. */
  withUrls(route: R, redact: (url: string) => string): R;
  send(n: Notification, route: R, ctx: SendContext): Promise<DeliveryOutcome>;
  /**
   * Asks the destination whether an earlier attempt, begun at `sinceMs`, arrived. Absent when the
   * destination cannot be asked; `cannotAsk` then says how its receiver can drop a repeat.
   */
  findEarlier?(n: Notification, route: R, key: string, sinceMs: number, knownIds: ReadonlySet<string>, ctx: Omit<SendContext, 'key' | 'secretEnvNames'>): Promise<PollResult>;
  readonly cannotAsk: string;
  /**
   * A destination that expects firing alerts to be re-sent (Alertmanager): how often, while the
   * incident is open. The notifier re-sends the incident's failure notice directly, not through
   * the outbox: a repeat is harmless there and a missed one is made up by the next.
   */
  refreshSeconds?(route: R): number;
  /**
   * A person reads it: notifications to it within group_wait go as one message (grouping.ts).
   * Absent for destinations read by programs (webhook, command) or that group themselves (Alertmanager).
   */
  readonly groups?: boolean;
}

export const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/** Registers a module with its own route type; the registry sees every route as RouteBase. */
export function defineSink<R extends RouteBase>(m: SinkModule<R>): SinkModule {
  return m as unknown as SinkModule;
}
