// Bounds on input, so a hostile or broken manifest costs little: a size cap per file, a cap on
// YAML alias expansion (billion laughs), and bounds on the directory walk.
export const MAX_FILE_BYTES = 1024 * 1024;
export const MAX_ALIAS_COUNT = 100;
export const MAX_DIR_DEPTH = 16;
export const MAX_FILES = 10_000;
export const MAX_DOCUMENTS_PER_FILE = 10_000;
export const MANIFEST_EXTENSIONS = ['.yaml', '.yml', '.json'] as const;
export const LEGACY_FILE_NAME = 'system-config.json';
