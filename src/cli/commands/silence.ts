// vaictl silence NAME...|-l SELECTOR --for 30m --reason TEXT; silence list; silence delete ID.
// An ad-hoc silence mutes a service's alerts (recorded as muted, told after it ends if the service
// still fails) and ends by itself. It is a file in STATE_DIR/silences, so it outlives a vaid restart.
import type { Command } from '../command.js';
import { EXIT } from '../command.js';
import { knownServices, parse, parseDuration, usageError } from '../command-support.js';
import { parseLabelSelector } from '../../manifest/label-selector.js';
import { assertServiceName } from '../manual-stop.js';
import { deleteSilence, newSilenceId, readSilences, writeSilence, type Silence } from '../../status/state-dir/silences.js';
import { oneLine, renderTable, type Column } from '../printers/table.js';
import { noPaint } from '../printers/color.js';
import { formatDuration } from '../printers/age.js';
import { CONTEXT_ACT, outputFlag, SELECTOR, SERVER_ACT, STATE_DIR, type Flag } from '../flags.js';

const MAX_FOR_MS = 30 * 86_400_000;

function list(ctx: Parameters<Command['run']>[0], silences: readonly Silence[], output: string | undefined): number {
  const now = Date.now();
  if (output === 'json') {
    ctx.stdout.write(`${JSON.stringify({ kind: 'SilenceList', items: silences.map((s) => ({ ...s, active: Date.parse(s.endsAt) > now })) }, null, 2)}\n`);
    return EXIT.OK;
  }
  if (silences.length === 0) {
    ctx.stdout.write('No silences found.\n');
    return EXIT.OK;
  }
  const columns: Column<Silence>[] = [
    { name: 'id', priority: 0, cell: (s) => s.id },
    { name: 'services', priority: 0, cell: (s) => [...s.names, ...(s.selector ? [`-l ${s.selector}`] : [])].join(',') },
    { name: 'state', priority: 0, cell: (s) => (Date.parse(s.endsAt) > now ? `${formatDuration(Date.parse(s.endsAt) - now)} left` : 'ended') },
    { name: 'ends', priority: 0, cell: (s) => s.endsAt },
    { name: 'reason', priority: 0, cell: (s) => oneLine(s.reason) || '<none>' },
  ];
  ctx.stdout.write(renderTable(columns, silences, { wide: false, paint: noPaint }));
  return EXIT.OK;
}

const FLAGS = [
  { name: 'for', type: 'string', value: 'DURATION', help: 'how long: 30m, 2h (at most 30 days)' },
  { name: 'reason', type: 'string', value: 'TEXT', help: 'shown in vaictl get/describe, the page and the muted alert records' },
  { ...SELECTOR, help: 'every service whose labels match, now or later (e.g. -l host=vps1)' },
  outputFlag('json, for list', ['json']),
  { ...CONTEXT_ACT, help: 'silence on that host of ~/.config/vai/config.yaml, with its write-token-file' },
  { ...SERVER_ACT, help: 'silence on the vaid at URL (its write token in VAI_WEB_WRITE_TOKEN_FILE)' },
  STATE_DIR,
] as const satisfies readonly Flag[];

export const silenceCommand: Command = {
  name: 'silence',
  summary: 'Mute a service\'s alerts for a while (ad-hoc silence), list or delete silences',
  usage: `Usage: vaictl silence NAME... --for DURATION [--reason TEXT] [flags]
       vaictl silence -l SELECTOR --for DURATION [--reason TEXT] [flags]
       vaictl silence list [-o json]
       vaictl silence delete ID

Writes STATE_DIR/silences/ID.json. While it lasts, the alerts of the services it covers are
not sent: "vaictl alerts" shows them as muted with the silence's id. Recovery goes on. When it
ends (by itself, or "vaictl silence delete ID"), a service still failing is told once.
It survives a vaid restart. Maintenance windows kept in git are kind: Maintenance manifests
(docs/maintenance.md).`,
  flags: FLAGS,
  operands: 'services',
  remote: 'own',
  epilog: `Exit codes: 0 ok, 2 usage, 3 no such service or silence.`,
  async run(ctx) {
    const { values, positionals, paths } = parse(ctx, FLAGS);
    const remote = values.context !== undefined || values.server !== undefined;
    const [first, ...rest] = positionals;
    if (remote && (first === 'list' || first === 'delete' || values.selector !== undefined)) throw usageError('on another host, silence names services: vaictl silence NAME... --for D --context X (list, delete and -l work on the host itself)');
    if (first === 'list') {
      if (rest.length) throw usageError('silence list takes no names');
      const read = readSilences(paths);
      for (const p of read.problems) ctx.stderr.write(`Warning: ${p}\n`);
      return list(ctx, read.silences, values.output);
    }
    if (first === 'delete') {
      if (rest.length === 0) throw usageError('name the silence(s) to delete: vaictl silence delete ID (ids from vaictl silence list)');
      let code: number = EXIT.OK;
      for (const id of rest) {
        if (deleteSilence(paths, id)) ctx.stdout.write(`silence/${id} deleted\n`);
        else {
          ctx.stderr.write(`Error: silence "${id}" not found (vaictl silence list)\n`);
          code = EXIT.NOT_FOUND;
        }
      }
      return code;
    }
    if (positionals.length === 0 && values.selector === undefined) throw usageError('name the service(s) to silence, or give -l SELECTOR');
    if (values.for === undefined) throw usageError('give --for DURATION (e.g. --for 30m): a silence always ends by itself');
    const forMs = parseDuration(values.for, '--for');
    if (forMs <= 0 || forMs > MAX_FOR_MS) throw usageError(`--for ${values.for}: must be longer than 0 and at most 30 days`);
    positionals.forEach(assertServiceName);
    if (remote) {
      const r = await import('../vaictl-remote.js');
      return r.remoteActions((await r.remoteTarget(values, 'write', ctx.env))!, 'silence', positionals, ctx, { for_seconds: forMs / 1000, reason: values.reason ?? '' });
    }
    const selector = values.selector === undefined ? null : parseLabelSelector(values.selector).text || null;
    if (values.selector !== undefined && selector === null) throw usageError('-l needs a selector such as host=vps1');
    if (positionals.length) {
      const known = knownServices(ctx, paths, positionals);
      if (!known.ok) return EXIT.NOT_FOUND;
    }
    const now = new Date();
    const s: Silence = { id: newSilenceId(), names: [...new Set(positionals)], selector, reason: values.reason ?? '', createdAt: now.toISOString(), endsAt: new Date(now.getTime() + forMs).toISOString() };
    const file = writeSilence(paths, s);
    const what = [...s.names, ...(selector ? [`services matching ${selector}`] : [])].join(', ');
    ctx.stdout.write(`silence/${s.id} created: alerts of ${what} are muted until ${s.endsAt} (${file}).\nRecovery goes on; "vaictl silence delete ${s.id}" ends it early.\n`);
    return EXIT.OK;
  },
};
