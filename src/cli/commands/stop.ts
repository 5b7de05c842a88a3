import type { Command } from '../command.js';
import { EXIT } from '../command.js';

// Placeholder until the owning issue lands; listed so the command set is fixed.
export const stopCommand: Command = {
  name: 'stop',
  summary: '(not built yet)',
  usage: 'vaictl stop',
  async run(ctx) {
    ctx.stderr.write('vaictl stop: not built yet\n');
    return EXIT.FAILED;
  },
};
