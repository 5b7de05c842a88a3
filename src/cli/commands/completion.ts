import type { Command } from '../command.js';
import { EXIT } from '../command.js';

// Placeholder until the owning issue lands; listed so the command set is fixed.
export const completionCommand: Command = {
  name: 'completion',
  summary: '(not built yet)',
  usage: 'vaictl completion',
  async run(ctx) {
    ctx.stderr.write('vaictl completion: not built yet\n');
    return EXIT.FAILED;
  },
};
