import type { Command } from '../command.js';
import { EXIT } from '../command.js';

// Placeholder until the owning issue lands; listed so the command set is fixed.
export const planCommand: Command = {
  name: 'plan',
  summary: '(not built yet)',
  usage: 'vaictl plan',
  async run(ctx) {
    ctx.stderr.write('vaictl plan: not built yet\n');
    return EXIT.FAILED;
  },
};
