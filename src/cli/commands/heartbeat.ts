// vaictl heartbeat NAME [--fail] [--message TEXT]: a job vai does not run (a backup, a
// certificate renewal, a cron script) reports in. The beat lands in STATE_DIR/heartbeats/NAME.json,
// which the service's heartbeat check reads; --fail makes the service unhealthy at once, with the
// message. It does not need vaid to be running: the beat waits for the next check.
import type { Command } from '../command.js';
import { EXIT } from '../command.js';
import { parse, usageError } from '../command-support.js';
import { assertServiceName } from '../manual-stop.js';
import { MAX_MESSAGE_CHARS, writeBeat } from '../../executor/checks/heartbeat.js';
import path from 'node:path';
import { STATE_DIR, type Flag } from '../flags.js';

const FLAGS = [
  { name: 'fail', type: 'boolean', help: 'the job failed' },
  { name: 'message', type: 'string', value: 'TEXT', help: `what to show with the beat (at most ${MAX_MESSAGE_CHARS} characters)` },
  STATE_DIR,
] as const satisfies readonly Flag[];

export const heartbeatCommand: Command = {
  name: 'heartbeat',
  summary: 'Report that a job ran (for a service with a heartbeat check)',
  usage: `Usage: vaictl heartbeat NAME [--fail] [--message TEXT] [flags]

Records a beat for NAME in STATE_DIR/heartbeats/NAME.json. A heartbeat check is unhealthy
(HeartbeatMissed) when no beat came for period_seconds + grace_seconds, and at once
(HeartbeatFailed) after a beat with --fail. In a cron job:
  backup.sh && vaictl heartbeat backup || vaictl heartbeat backup --fail --message "backup.sh exit $?"`,
  flags: FLAGS,
  operands: 'services',
  epilog: `Exit codes: 0 beat recorded, 2 usage or a bad name.`,
  async run(ctx) {
    const { positionals, values, paths } = parse(ctx, FLAGS);
    if (positionals.length !== 1) throw usageError('name one service: vaictl heartbeat NAME [--fail] [--message TEXT]');
    const name = positionals[0]!;
    assertServiceName(name);
    const file = await writeBeat(path.join(paths.stateDir, 'heartbeats'), name, { at: Date.now(), fail: values.fail === true, message: values.message ?? '' });
    ctx.stdout.write(`service/${name} heartbeat${values.fail ? ' (failed)' : ''} recorded (${file})\n`);
    return EXIT.OK;
  },
};
