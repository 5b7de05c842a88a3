// A service's log_rotation as a policy, and in words for describe (no I/O: vaictl loads it).
export interface LogRotationPolicy {
  maxBytes: number;
  /** Rotated copies kept: NAME.1 (newest) … NAME.keep. */
  keep: number;
  /** gzip the rotated copies (NAME.1.gz …). */
  compress: boolean;
}

export const DEFAULT_LOG_ROTATION: LogRotationPolicy = { maxBytes: 10 * 1024 * 1024, keep: 3, compress: false };

/** The manifest's `log_rotation` (sizes in MB) as a policy; defaults for what it leaves out. */
export function rotationPolicy(spec: { max_mb?: number; keep?: number; compress?: boolean } | undefined): LogRotationPolicy {
  return {
    maxBytes: Math.round((spec?.max_mb ?? DEFAULT_LOG_ROTATION.maxBytes / 1024 / 1024) * 1024 * 1024),
    keep: spec?.keep ?? DEFAULT_LOG_ROTATION.keep,
    compress: spec?.compress ?? DEFAULT_LOG_ROTATION.compress,
  };
}

export function describePolicy(p: LogRotationPolicy): string {
  const mb = p.maxBytes / 1024 / 1024;
  return `at ${Number(mb.toFixed(3))} MB, keep ${p.keep}${p.compress ? ', gzip' : ''}`;
}
