// Manifest text for tests: a valid service with a few knobs.
export function service(name: string, opts: { port?: number | string; deps?: string[]; labels?: Record<string, string>; restart?: string } = {}): string {
  const labels = opts.labels ? `\n  labels:\n${Object.entries(opts.labels).map(([k, v]) => `    ${k}: ${v}`).join('\n')}` : '';
  const deps = opts.deps ? `\n  dependencies: [${opts.deps.join(', ')}]` : '';
  return `apiVersion: vai/v1
kind: Service
metadata:
  name: ${name}${labels}
spec:
  health_check:
    type: tcp
    port: ${opts.port ?? 8080}
  restart_cmd: ${opts.restart ?? `./${name}.sh`}${deps}
`;
}
