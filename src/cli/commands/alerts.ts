import type { Command } from '../command.js';
import { EXIT } from '../command.js';

// Placeholder until the owning issue lands; listed so the command set is fixed.
export const alertsCommand: Command = {
  name: 'alerts',
  summary: '(not built yet)',
  usage: 'vaictl alerts',
  async run(ctx) {
    ctx.stderr.write('vaictl alerts: not built yet\n');
    return EXIT.FAILED;
  },
};
