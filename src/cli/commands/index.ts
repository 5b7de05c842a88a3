// Every vaictl command, in the order `vaictl help` lists them.
import type { Command } from '../command.js';
import { getCommand } from './get.js';
import { describeCommand } from './describe.js';
import { eventsCommand } from './events.js';
import { historyCommand } from './history.js';
import { reportCommand } from './report.js';
import { logsCommand } from './logs.js';
import { alertsCommand } from './alerts.js';
import { stopCommand } from './stop.js';
import { silenceCommand } from './silence.js';
import { startCommand } from './start.js';
import { restartCommand } from './restart.js';
import { heartbeatCommand } from './heartbeat.js';
import { planCommand } from './plan.js';
import { reconcileCommand } from './reconcile.js';
import { validateCommand } from './validate.js';
import { convertCommand } from './convert.js';
import { completionCommand } from './completion.js';
import { suspendCommand, resumeCommand } from './suspend.js';
import { diffCommand } from './diff.js';
import { rolloutCommand } from './rollout.js';
import { configCommand } from './config.js';
import { waitCommand } from './wait.js';
import { exportCommand } from './export.js';
import { topCommand } from './top.js';

export const COMMANDS: readonly Command[] = [
  getCommand,
  describeCommand,
  eventsCommand,
  historyCommand,
  reportCommand,
  logsCommand,
  topCommand,
  alertsCommand,
  silenceCommand,
  stopCommand,
  startCommand,
  restartCommand,
  heartbeatCommand,
  planCommand,
  reconcileCommand,
  validateCommand,
  convertCommand,
  diffCommand,
  suspendCommand,
  resumeCommand,
  rolloutCommand,
  waitCommand,
  configCommand,
  exportCommand,
  completionCommand,
];
