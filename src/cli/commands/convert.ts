// vaictl convert FILE: the seed's system-config.json printed as native manifests.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from '../command.js';
import { EXIT } from '../command.js';
import { VaiError } from '../../errors.js';
import { convertLegacy, MAX_FILE_BYTES } from '../../manifest/index.js';
import { formatError } from './validate.js';
import { parseFlags } from '../flags.js';

export const convertCommand: Command = {
  name: 'convert',
  summary: 'Print a legacy system-config.json as native YAML manifests',
  usage: `Usage: vaictl convert FILE

Prints the services of a legacy system-config.json ({"services": {"minio": {...}}}) as native
vai/v1 Service manifests, one YAML document each, with the schema modeline. The output
validates; "container: services" becomes "container: services-container", as the seed meant.
Problems are printed as file:line:col: message on stderr and the exit code is 1.

Example:
  vaictl convert /workspace/agent-infrastructure/config/system-config.json > manifests/services.yaml`,
  flags: [],
  async run(ctx) {
    const { positionals } = parseFlags(ctx.argv, []);
    if (positionals.length !== 1) throw new VaiError('VAI_E_USAGE', 'convert takes exactly one FILE');
    const file = path.resolve(ctx.cwd, positionals[0]!);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (e) {
      throw new VaiError('VAI_E_MANIFEST_READ', `cannot read ${positionals[0]}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
    }
    if (text.length > MAX_FILE_BYTES) throw new VaiError('VAI_E_MANIFEST_READ', `${positionals[0]} is larger than ${MAX_FILE_BYTES / 1024 / 1024} MiB`);
    const result = convertLegacy(text, file);
    if (result.errors.length > 0) {
      ctx.stderr.write(`${result.errors.map((e) => formatError(e, ctx.cwd)).join('\n')}\n`);
      return EXIT.FAILED;
    }
    ctx.stdout.write(result.yaml);
    return EXIT.OK;
  },
};
