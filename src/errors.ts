// One registry of error codes. Every code has a stable name, a one-line meaning and the fix a
// person can apply; libraries return or throw these, only the CLI edge turns them into exit codes.
// test/unit/errors.test.ts checks that every code is documented in docs/errors.md.

export const ERRORS = {
  VAI_E_MANIFEST_SYNTAX: { summary: 'YAML or JSON syntax error', fix: 'Fix the syntax at the position shown.' },
  VAI_E_MANIFEST_SCHEMA: { summary: 'A field does not match the manifest schema', fix: 'See docs/manifests.md (field by field) or schemas/service.schema.json.' },
  VAI_E_MANIFEST_KIND: { summary: 'Unknown apiVersion or kind', fix: 'Use apiVersion: vai/v1 and kind: Service or Notifier.' },
  VAI_E_DUPLICATE_NAME: { summary: 'A name is defined twice', fix: 'Rename or remove one of the two definitions.' },
  VAI_E_UNKNOWN_DEPENDENCY: { summary: 'A dependency names no service', fix: 'Define the service or remove it from dependencies.' },
  VAI_E_DEP_CYCLE: { summary: 'Dependencies form a cycle', fix: 'Remove one edge of the cycle shown.' },
  VAI_E_SPEC_RULE: { summary: 'A spec is well-formed but inconsistent', fix: 'See the message.' },
  VAI_W_LIMITS_UNMEASURED: { summary: 'A warning, not an error: spec.limits is set but vai cannot find the service\'s process to measure', fix: 'Set pid_file, or check a loopback port (http, tcp, certificate) or a process, so vai knows the process.' },
  VAI_W_UNSAFE_PATH_DIR: { summary: 'A warning, not an error: a log_path or pid_file lies under a directory a non-root user owns or can write, so that user can swap the file vaid (root) opens', fix: 'Move the file under a directory owned by root and not writable by group or others (chown root, chmod go-w).' },
  VAI_E_MANIFEST_READ: { summary: 'A manifest file or directory cannot be read', fix: 'Check the path and its permissions.' },
  VAI_E_UNSAFE_PERMISSIONS: { summary: 'A manifest file or directory is writable by other users', fix: 'chmod go-w it, or pass --allow-unsafe-permissions.' },
  VAI_E_UNSAFE_PATH: { summary: 'vaid (root) refused a path a non-root user could have planted: a symlink on the way, a FIFO or device, a dir others can write', fix: 'Make the path a regular file in directories owned by the service user or root with no symlinks; see docs/security.md.' },
  VAI_E_LEGACY_CONFIG: { summary: 'The legacy system-config.json cannot be converted', fix: 'See the message.' },
  VAI_E_LOCKED: { summary: 'Another vaid holds the state directory lock', fix: 'Stop the other vaid, or use another --state-dir.' },
  VAI_E_STATE_DIR: { summary: 'The state directory cannot be used', fix: 'Check the path, its owner and its permissions.' },
  VAI_E_STATUS_MISSING: { summary: 'No status file yet', fix: 'Start vaid (make run, or vaid --manifests DIR).' },
  VAI_E_STATUS_VERSION: { summary: 'The status file was written by an incompatible version', fix: 'Upgrade vaictl to the version of vaid.' },
  VAI_E_STATUS_INVALID: { summary: 'The status file is not valid JSON or not a status document', fix: 'Check that STATE_DIR/status.json was written by vaid; vaid rewrites it on its next change.' },
  VAI_E_NOT_FOUND: { summary: 'No service with that name', fix: 'vaictl get lists the services.' },
  VAI_E_USAGE: { summary: 'Wrong command-line usage', fix: 'See --help.' },
  VAI_E_EXECUTOR_UNAVAILABLE: { summary: 'The executor (e.g. the Docker engine) cannot be reached', fix: 'Start the engine or fix DOCKER_HOST; vai does not restart services meanwhile.' },
  VAI_E_NOTIFY_REJECTED: { summary: 'The notification server refused a notification for good', fix: 'Check the token and the topic.' },
  VAI_E_WEB_INSECURE: { summary: 'The HTTP endpoint would listen beyond loopback without a token', fix: 'Listen on 127.0.0.1, or set VAI_WEB_TOKEN (16+ characters) and send it as a Bearer token.' },
  VAI_E_WEB_LISTEN: { summary: 'The HTTP endpoint cannot listen on the address given', fix: 'Pick a free port, or an address of this host.' },
  VAI_E_HISTORY_TOO_NEW: { summary: 'STATE_DIR/history.db was written by a newer vai', fix: 'Upgrade vai, or move history.db away to start a new history (vaid keeps recovering meanwhile).' },
  VAI_E_HISTORY_UNAVAILABLE: { summary: 'The check history cannot be read', fix: 'Start vaid (it writes STATE_DIR/history.db), or check that file and its permissions.' },
  VAI_E_REMOTE: { summary: 'The status of another host cannot be read over HTTP', fix: 'Check the --server URL, that vaid runs there with --listen, and VAI_WEB_TOKEN.' },
  VAI_E_CONFIG: { summary: "vaictl's contexts file (~/.config/vai/config.yaml or VAI_CONFIG) is wrong", fix: 'Fix the field at the position shown, or rewrite it with vaictl config set-context.' },
} as const;

export type ErrorCode = keyof typeof ERRORS;

/** A failure with a stable code and the context a person needs to act on it. */
export class VaiError extends Error {
  readonly code: ErrorCode;
  readonly details: Readonly<Record<string, unknown>>;
  constructor(code: ErrorCode, message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.name = 'VaiError';
    this.code = code;
    this.details = details;
  }
}

/**
 * By name and a registered code, not instanceof: `vaictl get` runs from a bundle
 * (src/cli/vaictl.ts) whose VaiError class is another copy than the one of the modules it loads
 * on demand (-o wide, -w), and an error from either must be recognised.
 */
export function isVaiError(e: unknown, code?: ErrorCode): e is VaiError {
  if (!(e instanceof Error) || e.name !== 'VaiError') return false;
  const c = (e as { code?: unknown }).code;
  return typeof c === 'string' && Object.hasOwn(ERRORS, c) && (code === undefined || c === code);
}
