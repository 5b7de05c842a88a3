// vaictl wait --for=condition=Healthy NAME... [--timeout 60s]: blocks until each service meets
// the condition, as kubectl wait does; `--for=jsonpath='{.status.phase}'=Healthy` tests any
// field of the object `get -o json` prints. Follows status.json through fs.watch (no polling).
import type { Command } from '../command.js';
import { EXIT } from '../command.js';
import { notFoundMessage, parse, parseDuration, usageError } from '../command-support.js';
import { statusSource } from '../status-source.js';
import { serviceObject } from '../../status/reader-objects.js';
import type { ServiceStatus, StatusDocument } from '../../status/schema.js';
import { evaluate, fieldPath, show } from '../printers/jsonpath.js';
import { STATE_DIR, type Flag } from '../flags.js';

type Test = (s: ServiceStatus) => boolean;

export function parseFor(spec: string): { test: Test; words: string } {
  const cond = /^condition=([A-Za-z]+)(?:=(True|False|Unknown|true|false|unknown))?$/.exec(spec);
  if (cond) {
    const type = cond[1]!;
    const want = cond[2] ? cond[2][0]!.toUpperCase() + cond[2].slice(1).toLowerCase() : 'True';
    return { test: (s) => s.conditions.some((c) => c.type === type && c.status === want), words: 'condition met' };
  }
  const jp = /^jsonpath=(.+?)=([^=]*)$/s.exec(spec);
  if (jp) {
    const raw = jp[1]!.replace(/^'(.*)'$/s, '$1');
    const path = fieldPath(raw);
    const value = jp[2]!;
    return { test: (s) => evaluate(path, serviceObject(s)).some((v) => show(v) === value), words: 'condition met' };
  }
  throw usageError(`--for=${spec}: use condition=TYPE[=True|False|Unknown] (e.g. condition=Healthy) or jsonpath='{.status.phase}'=VALUE`);
}

const FLAGS = [
  { name: 'for', type: 'string', value: 'CONDITION', help: 'condition=TYPE[=STATUS] or jsonpath=\'{PATH}\'=VALUE, as above', complete: ['condition=', 'jsonpath='] },
  { name: 'timeout', type: 'string', value: 'D', help: 'give up after D (30s, 10m, 1h; default 30s)' },
  STATE_DIR,
] as const satisfies readonly Flag[];

export const waitCommand: Command = {
  name: 'wait',
  summary: 'Wait until services meet a condition (--for=condition=Healthy)',
  usage: `Usage: vaictl wait --for=CONDITION NAME... [--timeout 30s]

Waits until every named service meets the condition, as kubectl wait does.

  --for=condition=TYPE[=STATUS]       a condition of the service (Healthy, DependenciesReady,
                                      Recovering, BackOff, ManuallyStopped), status True by default
  --for=jsonpath='{PATH}'=VALUE       a field of the object "vaictl get -o json" prints`,
  flags: FLAGS,
  operands: 'services',
  epilog: `Exit codes: 0 every condition met, 1 timed out, 2 usage, 3 no such service, 4 no status file.

Examples:
  vaictl wait --for=condition=Healthy web api --timeout 60s
  vaictl wait --for=jsonpath='{.status.phase}'=Stopped web`,
  async run(ctx) {
    const { values, positionals, paths } = parse(ctx, FLAGS);
    if (values.for === undefined) throw usageError('--for is required, e.g. --for=condition=Healthy');
    if (positionals.length === 0) throw usageError('name the service(s) to wait for');
    const { test, words } = parseFor(values.for);
    const timeoutMs = parseDuration(values.timeout ?? '30s', '--timeout');
    const source = statusSource(ctx, paths);
    const first = source.full(Date.now()).doc;
    const missing = positionals.filter((n) => !first.services[n]);
    for (const m of missing) ctx.stderr.write(`Error: ${notFoundMessage(m, Object.keys(first.services))}\n`);
    if (missing.length) return EXIT.NOT_FOUND;
    const pending = new Set(positionals);
    const settle = (doc: StatusDocument): void => {
      for (const n of [...pending]) {
        const s = doc.services[n];
        if (s && test(s)) {
          pending.delete(n);
          ctx.stdout.write(`service/${n} ${words}\n`);
        }
      }
    };
    settle(first);
    if (pending.size === 0) return EXIT.OK;
    if (source.server !== undefined) throw usageError('wait follows the local status file; run it on the host, or use --context with get');
    const { watchStatus } = await import('../watch.js');
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    const onDoc = (doc: StatusDocument): void => {
      settle(doc);
      if (pending.size === 0) controller.abort();
    };
    try {
      // '' matches no file: the watch reads status.json once at once, so a change since `first` is not missed.
      await watchStatus(paths, controller.signal, { onDoc, onError: () => undefined }, '');
    } finally {
      clearTimeout(timer);
    }
    if (pending.size === 0) return EXIT.OK;
    for (const n of pending) ctx.stderr.write(`error: timed out waiting for the condition on service/${n}\n`);
    return EXIT.FAILED;
  },
};
