import type { Command } from '../command.js';
import { EXIT } from '../command.js';

// Placeholder until the owning issue lands; listed so the command set is fixed.
export const startCommand: Command = {
  name: 'start',
  summary: '(not built yet)',
  usage: 'vaictl start',
  async run(ctx) {
    ctx.stderr.write('vaictl start: not built yet\n');
    return EXIT.FAILED;
  },
};
