import type { Command } from '../command.js';
import { EXIT } from '../command.js';

// Placeholder until the owning issue lands; listed so the command set is fixed.
export const logsCommand: Command = {
  name: 'logs',
  summary: '(not built yet)',
  usage: 'vaictl logs',
  async run(ctx) {
    ctx.stderr.write('vaictl logs: not built yet\n');
    return EXIT.FAILED;
  },
};
