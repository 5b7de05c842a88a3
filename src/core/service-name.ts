// The service-name rule: a DNS-1123 label. A name is the only part of a path vai derives from
// input (markers, restart requests, default logs), so this one rule is what keeps such paths
// inside their directory.

/** The pattern as JSON Schema text (schemas/service.schema.json). */
export const DNS1123_LABEL = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$';
export const DNS1123_MAX_LENGTH = 63;

export const SERVICE_NAME = new RegExp(DNS1123_LABEL);

export function isServiceName(name: string): boolean {
  return name.length <= DNS1123_MAX_LENGTH && SERVICE_NAME.test(name);
}

/** The service name of a file `<name><suffix>` (e.g. `api.restart`), or null when it is not one. */
export function serviceNameOf(file: string, suffix: string): string | null {
  if (!file.endsWith(suffix)) return null;
  const name = file.slice(0, -suffix.length);
  return isServiceName(name) ? name : null;
}
