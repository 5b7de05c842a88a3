// vaid's flags. Paths resolve through src/cli/paths.ts (shared with vaictl): flag, then
// environment variable, then default.
import { parseArgs } from 'node:util';
import { VaiError } from '../../errors.js';
import { PATH_OPTIONS, resolvePaths, type Paths } from '../paths.js';
import { WEB_OPTIONS } from '../../web/index.js';
import { LOG_LEVELS } from './logger.js';
import { DEFAULT_HEAP_GROWTH_PERCENT } from './heap-growth.js';
import { GIT_OPTIONS, GIT_USAGE, parseGitConfig, type GitConfig } from './git-flags.js';

export interface VaidConfig {
  paths: Paths;
  logLevel: string;
  concurrency: number;
  heapGrowthPercent: number;
  allowUnsafePermissions: boolean;
  dockerHost: string | undefined;
  selector: string | undefined;
  historyDays: number;
  rolloutConcurrency: number;
  listen: string | undefined;
  webTokenFile: string | undefined;
  /** The write token's file: turns on restart/stop/start over the endpoint (src/web/actions/). */
  webWriteTokenFile: string | undefined;
  /** Pull mode; undefined in directory mode. */
  git: GitConfig | undefined;
  /** --notify-self, --notify-self-after, --heartbeat-url, --heartbeat-interval. */
  self: { target: string | null; afterMs: number; heartbeat: { url: string; intervalMs: number } | null };
  help: boolean;
  version: boolean;
}

export const VAID_USAGE = `Usage: vaid [flags]

vaid keeps the services declared in the manifests healthy: it checks them, restarts what fails
(dependencies first), backs off from crash loops, and writes what it sees to STATE_DIR/status.json.

Flags:
  --manifests DIR               manifest directory (VAI_MANIFESTS, default ./manifests)
  --state-dir DIR               status, lock, outbox and logs (VAI_STATE_DIR, default ./.vai)
  --marker-dir DIR              <name>.stopped manual-stop markers (VAI_MARKER_DIR, default STATE_DIR/manual-stop)
  --log-level LEVEL             trace|debug|info|warn|error|fatal|silent (VAI_LOG_LEVEL, default info)
  --concurrency N               services reconciled at once (VAI_CONCURRENCY, default 256)
  --heap-growth PERCENT         heap growth between full collections; 40 for 10,000+ services (VAI_HEAP_GROWTH, default 0: V8's own)
  --selector SELECTOR           only services whose labels match, e.g. host=vps1,tier!=test (VAI_SELECTOR)
  --docker-host URL             Docker engine for services with a container (DOCKER_HOST)
  --allow-unsafe-permissions    accept manifests writable by other users
  --rollout-concurrency N       services rolling out a spec change at once (VAI_ROLLOUT_CONCURRENCY, default 1)
  --history-days N              days of check history kept in STATE_DIR/history.db; 0 for none (VAI_HISTORY_DAYS, default 400)
  --listen HOST:PORT            serve /metrics, /api/status and the status page (VAI_LISTEN; off by default)
  --web-token-file PATH         bearer token for a non-loopback --listen (VAI_WEB_TOKEN_FILE or VAI_WEB_TOKEN)
  --web-write-token-file PATH   a second token that may restart/stop/start over the endpoint (VAI_WEB_WRITE_TOKEN_FILE or VAI_WEB_WRITE_TOKEN; none: no write routes)
  --notify-self NAME            Notifier (or ntfy topic) told of vai's own failures (VAI_NOTIFY_SELF; default: logged only)
  --notify-self-after SECONDS   how long a failure of vai lasts before it is told (VAI_NOTIFY_SELF_AFTER, default 60)
  --heartbeat-url URL           pinged while vaid's reconcile loop is healthy; URL/fail with the reason when a self-check fails (VAI_HEARTBEAT_URL)
  --heartbeat-interval SECONDS  how often (VAI_HEARTBEAT_INTERVAL, default 60)
${GIT_USAGE}  --version, --help
`;

export function parseVaidArgs(argv: string[], env: NodeJS.ProcessEnv, cwd: string): VaidConfig {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      allowPositionals: false,
      options: {
        ...PATH_OPTIONS,
        ...WEB_OPTIONS,
        ...GIT_OPTIONS,
        'log-level': { type: 'string' },
        concurrency: { type: 'string' },
        'heap-growth': { type: 'string' },
        selector: { type: 'string' },
        'history-days': { type: 'string' },
        'rollout-concurrency': { type: 'string' },
        'docker-host': { type: 'string' },
        'allow-unsafe-permissions': { type: 'boolean' },
        'notify-self': { type: 'string' },
        'notify-self-after': { type: 'string' },
        'heartbeat-url': { type: 'string' },
        'heartbeat-interval': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean' },
      },
    }));
  } catch (e) {
    throw new VaiError('VAI_E_USAGE', (e as Error).message);
  }
  const logLevel = values['log-level'] ?? env.VAI_LOG_LEVEL ?? 'info';
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) throw new VaiError('VAI_E_USAGE', `--log-level ${logLevel}: use one of ${LOG_LEVELS.join(', ')}`);
  const concText = values.concurrency ?? env.VAI_CONCURRENCY ?? '256';
  const concurrency = Number(concText);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 4096) throw new VaiError('VAI_E_USAGE', `--concurrency ${concText}: use a whole number from 1 to 4096`);
  const growthText = values['heap-growth'] ?? env.VAI_HEAP_GROWTH ?? String(DEFAULT_HEAP_GROWTH_PERCENT);
  const heapGrowthPercent = Number(growthText);
  if (!Number.isInteger(heapGrowthPercent) || heapGrowthPercent < 0 || heapGrowthPercent > 400) throw new VaiError('VAI_E_USAGE', `--heap-growth ${growthText}: use a whole number of percent from 0 (V8's own policy) to 400`);
  const historyText = values['history-days'] ?? env.VAI_HISTORY_DAYS ?? '400';
  const historyDays = Number(historyText);
  if (!Number.isInteger(historyDays) || historyDays < 0 || historyDays > 36_500) throw new VaiError('VAI_E_USAGE', `--history-days ${historyText}: use a whole number of days from 0 (no history) to 36500`);
  const rolloutText = values['rollout-concurrency'] ?? env.VAI_ROLLOUT_CONCURRENCY ?? '1';
  const rolloutConcurrency = Number(rolloutText);
  if (!Number.isInteger(rolloutConcurrency) || rolloutConcurrency < 1 || rolloutConcurrency > 4096) throw new VaiError('VAI_E_USAGE', `--rollout-concurrency ${rolloutText}: use a whole number from 1 to 4096`);
  const afterText = values['notify-self-after'] ?? env.VAI_NOTIFY_SELF_AFTER ?? '60';
  const after = Number(afterText);
  if (!Number.isFinite(after) || after < 0 || after > 86_400) throw new VaiError('VAI_E_USAGE', `--notify-self-after ${afterText}: use seconds from 0 to 86400`);
  const hbText = values['heartbeat-interval'] ?? env.VAI_HEARTBEAT_INTERVAL ?? '60';
  const hbInterval = Number(hbText);
  if (!Number.isFinite(hbInterval) || hbInterval < 0.1 || hbInterval > 86_400) throw new VaiError('VAI_E_USAGE', `--heartbeat-interval ${hbText}: use seconds from 0.1 to 86400`);
  const hbUrl = values['heartbeat-url'] ?? env.VAI_HEARTBEAT_URL;
  if (hbUrl !== undefined && !/^https?:\/\/[^\s]+$/.test(hbUrl)) throw new VaiError('VAI_E_USAGE', `--heartbeat-url: an http:// or https:// URL, not ${JSON.stringify(hbUrl.replace(/\/\/[^@/]*@/, '//***@'))}`);
  const self = { target: values['notify-self'] ?? env.VAI_NOTIFY_SELF ?? null, afterMs: after * 1000, heartbeat: hbUrl ? { url: hbUrl, intervalMs: hbInterval * 1000 } : null };
  return {
    self,
    paths: resolvePaths(values, env, cwd),
    rolloutConcurrency,
    logLevel,
    concurrency,
    heapGrowthPercent,
    allowUnsafePermissions: values['allow-unsafe-permissions'] ?? false,
    dockerHost: values['docker-host'] ?? env.DOCKER_HOST,
    selector: values.selector ?? env.VAI_SELECTOR,
    historyDays,
    listen: values.listen ?? env.VAI_LISTEN,
    webTokenFile: values['web-token-file'] ?? env.VAI_WEB_TOKEN_FILE,
    webWriteTokenFile: values['web-write-token-file'] ?? env.VAI_WEB_WRITE_TOKEN_FILE,
    git: parseGitConfig(values, env),
    help: values.help ?? false,
    version: values.version ?? false,
  };
}
