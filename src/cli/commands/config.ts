// vaictl config get-contexts | current-context | use-context NAME | set-context NAME --server URL
// [--token-file F] [--write-token-file F] | delete-context NAME: the fleet's hosts, kept in
// ~/.config/vai/config.yaml (VAI_CONFIG), as kubectl config keeps clusters.
import type { Command } from '../command.js';
import { EXIT } from '../command.js';
import { usageError } from '../command-support.js';
import { findContext, readConfig, writeConfig, type Context } from '../contexts.js';
import { parseFlags, type Flag } from '../flags.js';

/** set-context's; the other subcommands take none. */
const FLAGS = [
  { name: 'server', type: 'string', value: 'URL', help: "that vaid's --listen endpoint, e.g. http://vps1:9753" },
  { name: 'token-file', type: 'string', value: 'FILE', help: "a file holding that vaid's read token", complete: 'file' },
  { name: 'write-token-file', type: 'string', value: 'FILE', help: 'a file holding its write token (for stop, start and restart there)', complete: 'file' },
] as const satisfies readonly Flag[];

export const configCommand: Command = {
  name: 'config',
  summary: 'List, pick and add contexts (the hosts of a fleet)',
  usage: `Usage: vaictl config SUBCOMMAND

  get-contexts                    list the contexts; * marks the current one
  current-context                 print the current context's name
  use-context NAME                make NAME the current context
  set-context NAME --server URL [--token-file FILE] [--write-token-file FILE]
                                  add or change a context (URL: that vaid's --listen endpoint)
  delete-context NAME             remove a context

The file is ~/.config/vai/config.yaml, or VAI_CONFIG. Read commands take --context NAME;
vaictl get -A (--all-contexts) lists every context's services in one table.`,
  flags: FLAGS,
  operands: ['get-contexts', 'current-context', 'use-context', 'set-context', 'delete-context'],
  async run(ctx) {
    const { values, positionals } = parseFlags(ctx.argv, FLAGS);
    const [sub, name, ...extra] = positionals;
    if (extra.length) throw usageError(`unexpected argument ${extra[0]}`);
    const config = await readConfig(ctx.env);
    switch (sub) {
      case 'get-contexts': {
        const rows = [['CURRENT', 'NAME', 'SERVER', 'TOKEN FILE'], ...config.contexts.map((c) => [c.name === config.current ? '*' : '', c.name, c.server, c['token-file'] ?? '<none>'])];
        if (config.contexts.length === 0) {
          ctx.stderr.write(`No contexts in ${config.file}; add one: vaictl config set-context NAME --server URL\n`);
          return EXIT.OK;
        }
        const widths = rows[0]!.map((_h, i) => Math.max(...rows.map((r) => r[i]!.length)));
        ctx.stdout.write(rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]! + 3))).join('').trimEnd()).join('\n') + '\n');
        return EXIT.OK;
      }
      case 'current-context':
        if (!config.current) {
          ctx.stderr.write(`error: current-context is not set in ${config.file}\n`);
          return EXIT.FAILED;
        }
        ctx.stdout.write(`${config.current}\n`);
        return EXIT.OK;
      case 'use-context':
        if (!name) throw usageError('use-context needs a context NAME');
        findContext(config, name);
        await writeConfig({ ...config, current: name });
        ctx.stdout.write(`Switched to context "${name}".\n`);
        return EXIT.OK;
      case 'set-context': {
        if (!name || !/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name)) throw usageError('set-context needs a NAME of letters, digits, ".", "_" and "-"');
        const old = config.contexts.find((c) => c.name === name);
        const server = values.server ?? old?.server;
        if (!server) throw usageError('a new context needs --server URL (that vaid\'s --listen endpoint, e.g. http://vps1:9753)');
        if (!/^https?:\/\//.test(server)) throw usageError(`--server ${server}: use an http:// or https:// URL`);
        const next: Context = { name, server };
        const token = values['token-file'] ?? old?.['token-file'];
        const write = values['write-token-file'] ?? old?.['write-token-file'];
        if (token) next['token-file'] = token;
        if (write) next['write-token-file'] = write;
        const contexts = old ? config.contexts.map((c) => (c.name === name ? next : c)) : [...config.contexts, next];
        await writeConfig({ ...config, contexts, current: config.current ?? name });
        ctx.stdout.write(`Context "${name}" ${old ? 'modified' : 'created'}.\n`);
        return EXIT.OK;
      }
      case 'delete-context':
        if (!name) throw usageError('delete-context needs a context NAME');
        findContext(config, name);
        await writeConfig({ ...config, contexts: config.contexts.filter((c) => c.name !== name), current: config.current === name ? null : config.current });
        ctx.stdout.write(`Deleted context "${name}".\n`);
        return EXIT.OK;
      default:
        throw usageError(sub === undefined ? 'name a subcommand: get-contexts, current-context, use-context, set-context, delete-context' : `unknown subcommand "${sub}"`);
    }
  },
};
