import type { Command } from '../command.js';
import { EXIT } from '../command.js';

// Placeholder until the owning issue lands; listed so the command set is fixed.
export const validateCommand: Command = {
  name: 'validate',
  summary: '(not built yet)',
  usage: 'vaictl validate',
  async run(ctx) {
    ctx.stderr.write('vaictl validate: not built yet\n');
    return EXIT.FAILED;
  },
};
