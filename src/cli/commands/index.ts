// Every vaictl command, in the order `vaictl help` lists them.
import type { Command } from '../command.js';
import { getCommand } from './get.js';
import { describeCommand } from './describe.js';
import { eventsCommand } from './events.js';
import { logsCommand } from './logs.js';
import { alertsCommand } from './alerts.js';
import { stopCommand } from './stop.js';
import { startCommand } from './start.js';
import { restartCommand } from './restart.js';
import { planCommand } from './plan.js';
import { reconcileCommand } from './reconcile.js';
import { validateCommand } from './validate.js';
import { convertCommand } from './convert.js';
import { completionCommandOf } from './completion.js';

export const COMMANDS: readonly Command[] = [
  getCommand,
  describeCommand,
  eventsCommand,
  logsCommand,
  alertsCommand,
  stopCommand,
  startCommand,
  restartCommand,
  planCommand,
  reconcileCommand,
  validateCommand,
  convertCommand,
  completionCommandOf(() => COMMANDS),
];
