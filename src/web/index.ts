// The web part: vaid's read-only HTTP endpoint (metrics, status, event stream, status page) and
// the client vaictl uses to read another host. Imports only status types and the error
// registry; never reconcile, executor or cli, and nothing here runs a command.
export { startWebServer, type WebServer, type WebServerOptions } from './server.js';
export { createDaemonMetrics, type DaemonMetrics } from './daemon-metrics.js';
export { fetchStatus, watchStatus } from './client.js';
export { parseListenAddress, isLoopbackHost } from './listen-address.js';
export { webConfigFromEnv, WEB_OPTIONS, type WebFlags } from './web-config.js';
export { storeSource } from './store-source.js';
export { healthReport, healthQuery, type HealthCheck } from './health.js';
export { createDaemonHealth, type DaemonHealth, type LoopFacts } from './daemon-health.js';
export { gitHookRoute, type GitHookOptions } from './git-hook.js';
