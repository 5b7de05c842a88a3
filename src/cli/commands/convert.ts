import type { Command } from '../command.js';
import { EXIT } from '../command.js';

// Placeholder until the owning issue lands; listed so the command set is fixed.
export const convertCommand: Command = {
  name: 'convert',
  summary: '(not built yet)',
  usage: 'vaictl convert',
  async run(ctx) {
    ctx.stderr.write('vaictl convert: not built yet\n');
    return EXIT.FAILED;
  },
};
