// source/: git pull mode. Fetches a repository into STATE_DIR/source and switches the tree vaid's
// manifest watcher reads, one commit at a time. Imports core helpers only; knows nothing of
// reconcile, status or the CLI.
export { GitSource, gitManifestsDir, displayUrl, type GitSourceOptions, type SourceEvent } from './git-source.js';
export { verifyGitHook, HookRateLimit } from './webhook.js';
export { readSuspension, writeSuspension, clearSuspension, suspendFile, type Suspension } from './suspend.js';
export type { SourceProblem, SourceStatus } from './types.js';
export type { GitCredentials } from './git.js';
