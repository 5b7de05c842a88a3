import type { Command } from '../command.js';
import { EXIT } from '../command.js';

// Placeholder until the owning issue lands; listed so the command set is fixed.
export const describeCommand: Command = {
  name: 'describe',
  summary: '(not built yet)',
  usage: 'vaictl describe',
  async run(ctx) {
    ctx.stderr.write('vaictl describe: not built yet\n');
    return EXIT.FAILED;
  },
};
