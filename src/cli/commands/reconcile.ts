import type { Command } from '../command.js';
import { EXIT } from '../command.js';

// Placeholder until the owning issue lands; listed so the command set is fixed.
export const reconcileCommand: Command = {
  name: 'reconcile',
  summary: '(not built yet)',
  usage: 'vaictl reconcile',
  async run(ctx) {
    ctx.stderr.write('vaictl reconcile: not built yet\n');
    return EXIT.FAILED;
  },
};
