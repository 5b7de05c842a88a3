import type { Command } from '../command.js';
import { EXIT } from '../command.js';

// Placeholder until the owning issue lands; listed so the command set is fixed.
export const eventsCommand: Command = {
  name: 'events',
  summary: '(not built yet)',
  usage: 'vaictl events',
  async run(ctx) {
    ctx.stderr.write('vaictl events: not built yet\n');
    return EXIT.FAILED;
  },
};
