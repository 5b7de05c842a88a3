// The sink registry: `type:` of a Notifier -> its module. One line per sink.
import type { RouteBase, SinkModule } from './sink.js';
import { ntfySink } from './ntfy.js';
import { webhookSink } from './webhook.js';
import { commandSink } from './command.js';
import { alertmanagerSink } from './alertmanager.js';
import { emailSink } from './email.js';

const MODULES: SinkModule[] = [ntfySink, webhookSink, commandSink, alertmanagerSink, emailSink];

const BY_TYPE = new Map<string, SinkModule>(MODULES.map((m) => [m.type, m]));

export function sinkOf(type: string): SinkModule | undefined {
  return BY_TYPE.get(type);
}

export function sinkTypes(): string[] {
  return [...BY_TYPE.keys()];
}

export type { RouteBase, SinkModule };
