#!/usr/bin/env node
// vaid: the daemon's entry point. Parses flags, starts the Daemon (and the web endpoint when
// --listen is given), stops cleanly on SIGTERM/SIGINT. Exit codes: 0 stopped cleanly, 1 could
// not start (e.g. another vaid holds the lock), 2 usage.
import path from 'node:path';
import { isVaiError } from '../errors.js';
import { VERSION } from '../version.js';
import { parseVaidArgs, VAID_USAGE, type VaidConfig } from './daemon/flags.js';
import { createLogger } from './daemon/logger.js';
import { applyHeapGrowth } from './daemon/heap-growth.js';
import { Daemon } from './daemon/daemon.js';
import { gitHookRoute, startWebServer, storeSource, webConfigFromEnv } from '../web/index.js';
import { historyRoutes } from '../web/history-routes.js';
import { actionHost } from './daemon/action-host.js';

async function main(): Promise<number> {
  let config: VaidConfig;
  try {
    config = parseVaidArgs(process.argv.slice(2), process.env, process.cwd());
  } catch (e) {
    process.stderr.write(`vaid: ${(e as Error).message}\n\n${VAID_USAGE}`);
    return 2;
  }
  if (config.help) {
    process.stdout.write(VAID_USAGE);
    return 0;
  }
  if (config.version) {
    process.stdout.write(`vaid ${VERSION}\n`);
    return 0;
  }
  applyHeapGrowth(config.heapGrowthPercent);
  const log = createLogger(config.logLevel, Boolean(process.stdout.isTTY));
  let daemon: Daemon;
  try {
    daemon = await Daemon.start({
      paths: config.paths,
      log,
      env: process.env,
      concurrency: config.concurrency,
      allowUnsafePermissions: config.allowUnsafePermissions,
      dockerHost: config.dockerHost,
      selector: config.selector,
      historyDays: config.historyDays,
      historyFlushMs: Number(process.env.VAI_HISTORY_FLUSH_MS) || undefined,
      processMetrics: Boolean(config.listen),
      git: config.git,
      rolloutConcurrency: config.rolloutConcurrency,
      self: config.self,
    });
  } catch (e) {
    const msg = isVaiError(e) ? `${e.message} [${e.code}]` : (e as Error).stack ?? String(e);
    process.stderr.write(`vaid: ${msg}\n`);
    return 1;
  }
  log.info({ version: VERSION, stateDir: config.paths.stateDir, manifests: config.paths.manifests, markerDir: config.paths.markerDir }, `vaid ${VERSION} running`);

  let web: { url: string; close(): Promise<void> } | undefined;
  if (config.listen) {
    try {
      const webConfig = webConfigFromEnv({ listen: config.listen, 'web-token-file': config.webTokenFile, 'web-write-token-file': config.webWriteTokenFile }, process.env)!;
      web = await startWebServer({
        listen: webConfig.listen,
        token: webConfig.token,
        ...storeSource(daemon.store),
        log,
        extraMetrics: daemon.metrics.registry,
        beforeScrape: () => daemon.metrics.startProcessMetrics(),
        healthChecks: daemon.healthChecks,
        ...(daemon.source && config.git?.webhookSecret
          ? { postRoutes: { '/hooks/git': gitHookRoute({ secret: config.git.webhookSecret, fetchNow: () => void daemon.source?.fetchNow(), log }) } }
          : {}),
        ...(config.historyDays > 0 ? { extraRoutes: historyRoutes({ stateDir: config.paths.stateDir, getStatus: () => daemon.store.document() }) } : {}),
        heartbeatsDir: path.join(config.paths.stateDir, 'heartbeats'),
        actions: { writeToken: webConfig.writeToken, host: actionHost(daemon, config.paths) },
      });
      log.info({ url: web.url }, `serving status on ${web.url}`);
    } catch (e) {
      process.stderr.write(`vaid: ${isVaiError(e) ? `${e.message} [${e.code}]` : String(e)}\n`);
      await daemon.stop();
      return 1;
    }
  }

  return new Promise<number>((resolve) => {
    let signals = 0;
    const onSignal = (sig: NodeJS.Signals) => {
      if (++signals > 1) {
        log.warn({ signal: sig }, 'second signal: exiting now');
        daemon.store.close();
        process.exit(1);
      }
      log.info({ signal: sig }, `${sig}: stopping (waiting for running commands, then flushing status)`);
      void (async () => {
        await web?.close();
        await daemon.stop();
        resolve(0);
      })();
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
}

process.exitCode = await main();
