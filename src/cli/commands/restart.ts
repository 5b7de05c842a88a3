import type { Command } from '../command.js';
import { EXIT } from '../command.js';

// Placeholder until the owning issue lands; listed so the command set is fixed.
export const restartCommand: Command = {
  name: 'restart',
  summary: '(not built yet)',
  usage: 'vaictl restart',
  async run(ctx) {
    ctx.stderr.write('vaictl restart: not built yet\n');
    return EXIT.FAILED;
  },
};
