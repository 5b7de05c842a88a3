import type { Command } from '../command.js';
import { EXIT } from '../command.js';

// Placeholder until the owning issue lands; listed so the command set is fixed.
export const getCommand: Command = {
  name: 'get',
  summary: '(not built yet)',
  usage: 'vaictl get',
  async run(ctx) {
    ctx.stderr.write('vaictl get: not built yet\n');
    return EXIT.FAILED;
  },
};
