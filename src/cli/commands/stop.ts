// vaictl stop NAME...: the seed's manual-stop marker. vai stops recovering the service; the
// service itself is left as it is (the marker is how a person says "hands off while I fix it").
import type { Command } from '../command.js';
import { EXIT } from '../command.js';
import { knownServices, parse, usageError } from '../command-support.js';
import { assertServiceName, daemonWords, writeMarker } from '../manual-stop.js';
import { markerPath } from '../paths.js';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { CONTEXT_ACT, MARKER_DIR, SERVER_ACT, STATE_DIR, type Flag } from '../flags.js';

const FLAGS = [
  CONTEXT_ACT,
  SERVER_ACT,
  { name: 'now', type: 'boolean', help: `also stop the service: write the marker, then run its stop_cmd (as
systemctl stop or supervisorctl stop do); the marker comes first, so vai
does not restart what stop_cmd just stopped` },
  MARKER_DIR,
  STATE_DIR,
] as const satisfies readonly Flag[];

export const stopCommand: Command = {
  name: 'stop',
  summary: 'Stop recovering a service: write its manual-stop marker',
  usage: `Usage: vaictl stop NAME... [flags]

Writes MARKER_DIR/NAME.stopped (the seed's manual-stop marker). vai then observes the service
but never restarts it, until "vaictl start NAME". The service's process is not touched.`,
  flags: FLAGS,
  remote: 'own',
  operands: 'services',
  epilog: `Exit codes: 0 ok, 1 stop_cmd failed, 2 usage or a bad name, 3 no such service in the status.`,
  async run(ctx) {
    const { values, positionals, paths, manifestsExplicit } = parse(ctx, FLAGS);
    if (positionals.length === 0) throw usageError('name the service(s) to stop');
    positionals.forEach(assertServiceName);
    if (values.context !== undefined || values.server !== undefined) {
      if (values.now) throw usageError('--now runs stop_cmd on this host; over the endpoint, stop writes the marker only (run stop_cmd on that host: vaictl stop --now NAME there)');
      const remote = await import('../vaictl-remote.js');
      return remote.remoteActions((await remote.remoteTarget(values, 'write', ctx.env))!, 'stop', positionals, ctx);
    }
    const known = knownServices(ctx, paths, positionals);
    if (!known.ok) return EXIT.NOT_FOUND;
    const specs = values.now ? await (await import('../spec-reader.js')).readSpecs(known.doc, paths.manifests, manifestsExplicit, positionals.map((n) => known.doc?.services[n]).filter((s) => s !== undefined)) : null;
    let code: number = EXIT.OK;
    for (const name of positionals) {
      const created = writeMarker(paths, name);
      ctx.stdout.write(
        `service/${name} ${created ? 'stopped' : 'already stopped'} (marker ${markerPath(paths, name)}).\n` +
          `vai will not recover ${name} while it is stopped; ${daemonWords(known.daemon)}. ` +
          (values.now ? '' : `Its process is left as it is (--now also runs its stop_cmd); "vaictl start ${name}" resumes recovery.\n`),
      );
      if (!values.now) continue;
      const spec = specs?.services.get(name);
      const stop = spec?.spec.stop_cmd;
      if (!spec || !stop) {
        ctx.stderr.write(`Error: ${name}: ${spec ? 'has no stop_cmd' : `its spec cannot be read (${specs?.warning ?? 'not in the manifests'})`}; the marker is written, the process is left as it is\n`);
        code = EXIT.FAILED;
        continue;
      }
      if (spec.spec.container) {
        ctx.stderr.write(`Error: ${name} runs in container ${spec.spec.container}; --now runs stop_cmd on the host only. The marker is written; stop it with: docker exec ${spec.spec.container} sh -c '...'\n`);
        code = EXIT.FAILED;
        continue;
      }
      const r = spawnSync('/bin/sh', ['-c', stop], { cwd: path.dirname(spec.source.file), stdio: ['ignore', 'inherit', 'inherit'], timeout: spec.spec.command_timeout_seconds * 1000 });
      const ok = r.status === 0;
      ctx.stdout.write(`service/${name} stop_cmd ${ok ? 'exit 0' : r.error ? `failed: ${r.error.message}` : r.signal ? `killed by ${r.signal}` : `exit ${r.status}`}; "vaictl start ${name}" resumes recovery (vai then starts it).\n`);
      if (!ok) code = EXIT.FAILED;
    }
    return code;
  },
};
