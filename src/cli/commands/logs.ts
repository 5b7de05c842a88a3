// vaictl logs NAME [-n N] [-f]: the service's log_path (command output goes there, as in the
// seed), on the host, or inside its container through the Docker Engine API (docker exec tail)
// when the service has a container and a log_path. Without log_path: STATE_DIR/logs/NAME.log.
import path from 'node:path';
import type { Command, CommandContext } from '../command.js';
import { EXIT } from '../command.js';
import { notFoundMessage, parse, parseDuration, usageError } from '../command-support.js';
import { filterLog, type LogFilter } from '../log-filter.js';
import { VaiError } from '../../errors.js';
import { follow, lastLines } from '../log-tail.js';
import { assertServiceName } from '../manual-stop.js';
import { readSpecs } from '../spec-reader.js';
import { readStatus } from '../status-source.js';
import type { StatusDocument } from '../../status/schema.js';
import type { DesiredService } from '../../manifest/types.js';
import { MANIFESTS, STATE_DIR, type Flag } from '../flags.js';

const FLAGS = [
  { name: 'tail', short: 'n', type: 'string', value: 'N', help: 'lines to show (default 50, as the seed\'s "tail -50")' },
  { name: 'follow', short: 'f', type: 'boolean', help: 'keep printing what is appended (Ctrl-C ends)' },
  { name: 'since', type: 'string', value: 'D', help: `only lines from the last D (30s, 10m, 1h), by the time each line starts with
(ISO 8601 or a JSON log's "time"); reads up to 100000 lines unless -n is given` },
  { name: 'grep', type: 'string', value: 'RE', help: 'only lines matching the regular expression RE' },
  MANIFESTS,
  STATE_DIR,
] as const satisfies readonly Flag[];

export const logsCommand: Command = {
  name: 'logs',
  summary: "Print a service's log (log_path), on the host or in its container",
  usage: `Usage: vaictl logs NAME [-n N] [-f] [flags]

Prints the last lines of the service's log_path: inside its container (docker exec tail) when
the service has a container, else on the host; STATE_DIR/logs/NAME.log when log_path is unset.`,
  flags: FLAGS,
  operands: 'services',
  epilog: `Exit codes: 0 ok, 1 the log cannot be read, 2 usage, 3 no such service.`,
  async run(ctx) {
    const { values, positionals, paths, manifestsExplicit } = parse(ctx, FLAGS);
    let grep: RegExp | null = null;
    try {
      grep = values.grep === undefined ? null : new RegExp(values.grep);
    } catch (e) {
      throw usageError(`--grep ${values.grep}: ${(e as Error).message}`);
    }
    const filter = { sinceMs: values.since === undefined ? null : parseDuration(values.since, '--since'), grep };
    const filtered = filter.sinceMs !== null || grep !== null;
    if (positionals.length !== 1) throw usageError('name exactly one service');
    const name = positionals[0]!;
    assertServiceName(name);
    const lines = values.tail === undefined ? (filter.sinceMs !== null ? 100_000 : 50) : Number(values.tail);
    if (!Number.isInteger(lines) || lines < 0) throw usageError(`-n wants a whole number of lines, got "${values.tail}"`);
    let doc: StatusDocument | null = null;
    try {
      doc = readStatus(paths, Date.now()).doc;
    } catch {
      doc = null;
    }
    const specs = await readSpecs(doc, paths.manifests, manifestsExplicit, doc?.services[name] ? [doc.services[name]] : undefined);
    const spec = specs.services.get(name);
    if (!spec && doc && !doc.services[name]) {
      ctx.stderr.write(`Error: ${notFoundMessage(name, Object.keys(doc.services))}\n`);
      return EXIT.NOT_FOUND;
    }
    if (!spec && specs.warning) ctx.stderr.write(`Warning: ${specs.warning}; showing the default log\n`);
    const target = logTarget(spec, name, paths.logsDir);
    if (target.container) {
      if (filtered) throw usageError('--since and --grep read the log on the host; for a container, use: vaictl logs NAME | grep');
      return containerLogs(ctx, target.container, target.file, lines, Boolean(values.follow));
    }
    if (filtered && values.follow) throw usageError('--since and --grep do not work with -f yet; use: vaictl logs -f NAME | grep');
    return hostLogs(ctx, target.file, lines, Boolean(values.follow), filtered ? filter : null);
  },
};

export function logTarget(spec: DesiredService | undefined, name: string, logsDir: string): { file: string; container: string | null } {
  const logPath = spec?.spec.log_path;
  if (!logPath) return { file: path.join(logsDir, `${name}.log`), container: null };
  if (spec.spec.container) return { file: logPath, container: spec.spec.container };
  return { file: path.resolve(path.dirname(spec.source.file), logPath), container: null };
}

async function hostLogs(ctx: CommandContext, file: string, lines: number, follows: boolean, filter: LogFilter | null): Promise<number> {
  let tail;
  try {
    tail = lastLines(file, lines);
  } catch (e) {
    throw new VaiError('VAI_E_STATE_DIR', `cannot read log ${file}: ${(e as Error).message}`);
  }
  if (filter) {
    const kept = filterLog(tail.text, filter, Date.now());
    if (filter.sinceMs !== null && !kept.timed) ctx.stderr.write(`Warning: no line of ${file} starts with a time; --since keeps none\n`);
    ctx.stdout.write(kept.text);
    return EXIT.OK;
  }
  ctx.stdout.write(tail.text);
  if (!follows) return EXIT.OK;
  await untilInterrupted((signal) => follow(file, tail.end, tail.ino, ctx.stdout, signal));
  return EXIT.OK;
}

async function containerLogs(ctx: CommandContext, container: string, file: string, lines: number, follows: boolean): Promise<number> {
  const { default: Docker } = await import('dockerode');
  const docker = new Docker();
  try {
    const exec = await docker.getContainer(container).exec({
      Cmd: ['tail', '-n', String(lines), ...(follows ? ['-F'] : []), '--', file],
      AttachStdout: true,
      AttachStderr: true,
    });
    const stream = await exec.start({ hijack: true, stdin: false });
    await untilInterrupted(
      (signal) =>
        new Promise<void>((resolve, reject) => {
          docker.modem.demuxStream(stream, ctx.stdout, ctx.stderr);
          stream.on('end', resolve);
          stream.on('error', reject);
          signal.addEventListener('abort', () => {
            stream.destroy();
            resolve();
          });
        }),
    );
    const info = await exec.inspect();
    return info.ExitCode === 0 || info.ExitCode === null ? EXIT.OK : EXIT.FAILED;
  } catch (e) {
    throw new VaiError('VAI_E_EXECUTOR_UNAVAILABLE', `cannot read ${file} in container ${container}: ${(e as Error).message}`);
  }
}

async function untilInterrupted(run: (signal: AbortSignal) => Promise<void>): Promise<void> {
  const controller = new AbortController();
  const stop = (): void => controller.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    await run(controller.signal);
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}
