// vaictl rollout history NAME / vaictl rollout undo NAME [--to-revision R], as `kubectl rollout
// history|undo`: the revisions whose spec this service ran (from status.json's rollout section)
// and a pin to one of them, asked of vaid through STATE_DIR/requests/NAME.undo.
import type { Command, CommandContext } from '../command.js';
import type { Paths } from '../paths.js';
import { EXIT } from '../command.js';
import { notFoundMessage, parse, usageError } from '../command-support.js';
import { readStatus } from '../status-source.js';
import { writeUndoRequest } from '../../status/state-dir/undo-requests.js';
import type { RolloutStatus, ServiceStatus } from '../../status/schema.js';
import { short } from '../../reconcile/rollout.js';
import { outputFlag, STATE_DIR, type Flag } from '../flags.js';

type Entry = RolloutStatus['history'][number];

/** One row per revision, oldest first; the one running now is marked. */
export function renderHistory(s: ServiceStatus): string {
  const r = s.rollout!;
  const rows = r.history.map((h: Entry) => [short(h.revision), h.at, h.result, h.hash === r.running.hash && h.revision === r.running.revision ? '*' : '', oneLine(h.message ?? '')]);
  const header = ['REVISION', 'AT', 'RESULT', 'RUNNING', 'MESSAGE'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((x) => x[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('   ').trimEnd();
  const state = `${s.name}: ${r.state}, running ${short(r.running.revision)}${r.pinned ? ` (pinned by vaictl rollout undo)` : ''}${r.failed ? `; ${short(r.failed.revision)} failed: ${r.failed.reason}` : ''}${r.target ? `; starting ${short(r.target.revision)}` : ''}`;
  return `${state}\n${[line(header), ...rows.map(line)].join('\n')}\n`;
}

function oneLine(t: string): string {
  return t.replace(/\s+/g, ' ').trim();
}

/** The revision `undo` goes to: --to-revision (a prefix of a commit, or generation-N), else the last one before the running one. */
export function undoTarget(r: RolloutStatus, to: string | undefined): Entry | string {
  const ran = r.history.filter((h) => h.result !== 'Failed' && h.result !== 'RolledBack');
  if (to !== undefined) {
    const hits = [...ran].reverse().filter((h) => h.revision === to || (to.length >= 4 && h.revision.startsWith(to)));
    if (!hits.length) return `revision ${to} is not in this service's rollout history (vaictl rollout history shows the revisions it ran)`;
    return hits[0]!;
  }
  const before = [...ran].reverse().find((h) => h.hash !== r.running.hash);
  return before ?? 'no earlier revision with another spec in the rollout history';
}

function serviceOf(ctx: CommandContext, paths: Paths, name: string | undefined): ServiceStatus | number {
  if (!name) throw usageError('name the service');
  const doc = readStatus(paths, Date.now()).doc;
  const s = doc.services[name];
  if (!s) {
    ctx.stderr.write(`${notFoundMessage(name, Object.keys(doc.services))}\n`);
    return EXIT.NOT_FOUND;
  }
  if (!s.rollout) {
    ctx.stderr.write(`${name} does not roll out spec changes (spec.rollout.on_change is none): no rollout history\n`);
    return EXIT.FAILED;
  }
  return s;
}

const FLAGS = [
  { name: 'to-revision', type: 'string', value: 'R', help: 'a commit (or a prefix of 4+ characters) or generation-N from the history' },
  outputFlag('json: history as JSON', ['json']),
  STATE_DIR,
] as const satisfies readonly Flag[];

export const rolloutCommand: Command = {
  name: 'rollout',
  summary: 'Rollout history of a service, and undo to an earlier revision',
  usage: `Usage: vaictl rollout history NAME [flags]
       vaictl rollout undo NAME [--to-revision R] [flags]

For services with spec.rollout.on_change: restart (docs/gitops.md).
  history   the revisions whose spec the service ran or tried, with the result
            (Applied, RolledOut, Failed, RolledBack, Pinned); * marks the one running
  undo      restart the service with an earlier revision's spec (default: the one before the
            running one) and pin it there until a commit changes the service again`,
  flags: FLAGS,
  operands: ['history', 'undo'],
  async run(ctx) {
    const { values, positionals, paths } = parse(ctx, FLAGS);
    const [sub, name, ...rest] = positionals;
    if (rest.length) throw usageError(`one service at a time (got ${positionals.slice(1).join(' ')})`);
    if (sub === 'history') {
      const s = serviceOf(ctx, paths, name);
      if (typeof s === 'number') return s;
      if (values.output === 'json') ctx.stdout.write(`${JSON.stringify(s.rollout, null, 2)}\n`);
      else if (values.output !== undefined) throw usageError(`-o ${values.output}: history prints a table or json`);
      else ctx.stdout.write(renderHistory(s));
      return EXIT.OK;
    }
    if (sub === 'undo') {
      const s = serviceOf(ctx, paths, name);
      if (typeof s === 'number') return s;
      const t = undoTarget(s.rollout!, values['to-revision']);
      if (typeof t === 'string') {
        ctx.stderr.write(`${s.name}: ${t}\n`);
        return EXIT.FAILED;
      }
      writeUndoRequest(paths, { name: s.name, revision: t.revision, hash: t.hash }, new Date());
      ctx.stdout.write(`${s.name}: undo to ${short(t.revision)} requested: vaid restarts it with that spec and pins it until a commit changes the service\n`);
      return EXIT.OK;
    }
    throw usageError(sub ? `unknown rollout subcommand ${sub}: use history or undo` : 'rollout history NAME | rollout undo NAME');
  },
};
