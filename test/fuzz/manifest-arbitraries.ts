// fast-check generators of manifest files: valid ones (so the fuzz also proves good input is
// accepted) and every family of bad input a GitOps repo can hold, from wrong types to binary
// garbage and YAML bombs. Each case is a file name plus its bytes.
import fc from 'fast-check';
import { stringify } from 'yaml';

export interface ManifestCase {
  family: string;
  file: string;
  content: string | Uint8Array;
  /** True when the case is a valid manifest that must load with no error. */
  valid: boolean;
}

const dnsLabel = fc
  .tuple(fc.stringMatching(/^[a-z0-9]$/), fc.stringMatching(/^[-a-z0-9]{0,20}$/), fc.stringMatching(/^[a-z0-9]$/))
  .map(([a, b, c]) => `${a}${b}${c}`);

const healthCheck = fc.oneof(
  fc.record({ type: fc.constant('http'), endpoint: fc.webUrl(), timeout_seconds: fc.integer({ min: 1, max: 30 }) }),
  fc.record({ type: fc.constant('tcp'), port: fc.integer({ min: 1, max: 65535 }), interval_seconds: fc.integer({ min: 1, max: 600 }) }),
  fc.record({ type: fc.constant('process'), process_name: fc.string({ minLength: 1, maxLength: 40 }) }),
  fc.record({ type: fc.constant('custom'), command: fc.string({ minLength: 1, maxLength: 80 }) }),
);

export const validManifest = fc.record({
  apiVersion: fc.constant('vai/v1'),
  kind: fc.constant('Service'),
  metadata: fc.record({ name: dnsLabel }),
  spec: fc.record(
    {
      enabled: fc.boolean(),
      health_check: healthCheck,
      restart_cmd: fc.string({ minLength: 1, maxLength: 120 }),
      stop_cmd: fc.string({ minLength: 1, maxLength: 60 }),
      startup_delay_seconds: fc.integer({ min: 0, max: 120 }),
      max_failures: fc.integer({ min: 1, max: 10 }),
      log_path: fc.constant('/tmp/vai-fuzz.log'),
    },
    { requiredKeys: ['health_check', 'restart_cmd'] },
  ),
});

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

const wrongValue: fc.Arbitrary<Json> = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.double({ noNaN: false }).map((d) => (Number.isFinite(d) ? d : 1e308)),
  fc.integer({ min: -1e9, max: 1e9 }),
  fc.string({ maxLength: 30 }),
  fc.array(fc.integer(), { maxLength: 4 }),
  fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 }), { maxKeys: 3 }),
);

const fieldPaths = [
  ['apiVersion'],
  ['kind'],
  ['metadata'],
  ['metadata', 'name'],
  ['metadata', 'labels'],
  ['spec'],
  ['spec', 'enabled'],
  ['spec', 'health_check'],
  ['spec', 'health_check', 'type'],
  ['spec', 'health_check', 'port'],
  ['spec', 'health_check', 'interval_seconds'],
  ['spec', 'restart_cmd'],
  ['spec', 'dependencies'],
  ['spec', 'max_failures'],
  ['spec', 'unknown_field'],
  ['spec', 'health_check', 'timeout_seconds'],
] as const;

function setPath(obj: Record<string, Json>, path: readonly string[], value: Json): void {
  let cur: Record<string, Json> = obj;
  for (const k of path.slice(0, -1)) {
    const next = cur[k];
    if (next === null || typeof next !== 'object' || Array.isArray(next)) cur[k] = {};
    cur = cur[k] as Record<string, Json>;
  }
  cur[path[path.length - 1]!] = value;
}

const yamlText = (doc: unknown) => stringify(doc, { lineWidth: 0 });
const asJson = (doc: unknown) => JSON.stringify(doc, null, 2);

const valid = validManifest.chain((m) =>
  fc.constantFrom<ManifestCase>(
    { family: 'valid-yaml', file: 'svc.yaml', content: yamlText(m), valid: true },
    { family: 'valid-json', file: 'svc.json', content: asJson(m), valid: true },
  ),
);

const wrongTypes = fc.tuple(validManifest, fc.constantFrom(...fieldPaths), wrongValue, fc.boolean()).map(([m, path, v, json]): ManifestCase => {
  const doc = structuredClone(m) as unknown as Record<string, Json>;
  setPath(doc, path, v);
  return { family: 'wrong-type', file: json ? 'svc.json' : 'svc.yaml', content: json ? asJson(doc) : yamlText(doc), valid: false };
});

const deepNesting = fc.tuple(fc.integer({ min: 50, max: 800 }), fc.constantFrom('[', '{a: ', '- ')).map(([depth, open]): ManifestCase => {
  const close = open === '[' ? ']' : open === '{a: ' ? '}' : '';
  const body = open === '- ' ? Array.from({ length: depth }, (_, i) => `${' '.repeat(i * 2)}- `).join('\n') + 'x' : open.repeat(depth) + '1' + close.repeat(depth);
  return { family: 'deep-nesting', file: 'deep.yaml', content: `apiVersion: vai/v1\nkind: Service\nmetadata:\n  name: deep\nspec:\n  health_check: ${body}\n`, valid: false };
});

const hugeStrings = fc.tuple(validManifest, fc.integer({ min: 70_000, max: 400_000 }), fc.constantFrom(['metadata', 'name'], ['spec', 'restart_cmd'], ['spec', 'health_check', 'endpoint'], ['spec', 'log_path'])).map(([m, n, path]): ManifestCase => {
  const doc = structuredClone(m) as unknown as Record<string, Json>;
  setPath(doc, path, 'x'.repeat(n));
  return { family: 'huge-string', file: 'huge.yaml', content: yamlText(doc), valid: false };
});

const oddChars = ['\u0000', '\u202e', '\u200b', '\ufeff', '\ud800', '\udfff', 'é', 'ı', 'ß', '\u0301', '𝒶', '/', '..', '\n', '$(', '`', ';', ' ', 'A'];
const oddUnicode = fc.tuple(validManifest, fc.array(fc.constantFrom(...oddChars), { minLength: 1, maxLength: 6 }), fc.boolean()).map(([m, chars, inName]): ManifestCase => {
  const doc = structuredClone(m) as unknown as Record<string, Json>;
  const name = (doc.metadata as Record<string, Json>).name as string;
  const odd = `${name.slice(0, 3)}${chars.join('')}${name.slice(3)}`;
  if (inName) setPath(doc, ['metadata', 'name'], odd);
  else setPath(doc, ['spec', 'dependencies'], [odd]);
  return { family: 'odd-unicode', file: 'odd.yaml', content: yamlText(doc), valid: false };
});

// Aliases inside one document are plain YAML and must load; anchors do not cross documents.
const anchors = fc.tuple(dnsLabel, fc.integer({ min: 1, max: 4 })).map(([name, n]): ManifestCase => {
  const content = `apiVersion: vai/v1\nkind: Service\nmetadata:\n  name: "${name}"\n  labels: &labels {tier: web}\nspec:\n  health_check: &hc\n    type: tcp\n    port: ${8000 + n}\n  restart_cmd: &cmd "true"\n  stop_cmd: *cmd\n`;
  return { family: 'anchors-aliases', file: 'anchors.yaml', content, valid: true };
});

const billionLaughs = fc.integer({ min: 5, max: 12 }).map((levels): ManifestCase => {
  const lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  for (let i = 1; i <= levels; i++) lines.push(`a${i}: &a${i} [${Array.from({ length: 10 }, () => `*a${i - 1}`).join(',')}]`);
  const content = `apiVersion: vai/v1\nkind: Service\nmetadata:\n  name: laughs\n  annotations:\n${lines.map((l) => `    ${l}`).join('\n')}\nspec:\n  health_check: {type: tcp, port: 1}\n  restart_cmd: *a${levels}\n`;
  return { family: 'billion-laughs', file: 'laughs.yaml', content, valid: false };
});

const duplicateKeys = fc.tuple(validManifest, fc.constantFrom('apiVersion', 'kind', 'metadata', 'spec')).map(([m, key]): ManifestCase => {
  const text = yamlText(m);
  const line = text.split('\n').find((l) => l.startsWith(`${key}:`)) ?? `${key}: x`;
  return { family: 'duplicate-keys', file: 'dup.yaml', content: `${text}${line}${line.endsWith(':') ? ' {}' : ''}\n`, valid: false };
});

const garbage = fc.uint8Array({ minLength: 1, maxLength: 4096 }).map((bytes): ManifestCase => ({ family: 'binary-garbage', file: 'garbage.yaml', content: bytes, valid: false }));

const truncated = fc.tuple(validManifest, fc.double({ min: 0.05, max: 0.95, noNaN: true }), fc.boolean()).map(([m, frac, json]): ManifestCase => {
  const text = json ? asJson(m) : yamlText(m);
  return { family: 'truncated', file: json ? 'cut.json' : 'cut.yaml', content: text.slice(0, Math.max(1, Math.floor(text.length * frac))), valid: false };
});

const yamlTags = fc.constantFrom(
  '!!js/function "function(){ return 1 }"',
  '!!binary aGVsbG8=',
  '!custom {a: 1}',
  '!!set {a, b}',
  '!!omap [{a: 1}]',
  '!!timestamp 2001-12-14t21:59:43.10-05:00',
  '!!float .nan',
  '!!int 0x7fffffffffffffffffff',
).map((tagged): ManifestCase => ({
  family: 'yaml-tags',
  file: 'tags.yaml',
  content: `apiVersion: vai/v1\nkind: Service\nmetadata:\n  name: tags\nspec:\n  health_check: {type: tcp, port: 1}\n  restart_cmd: ${tagged}\n`,
  valid: false,
}));

const mergeKeys = dnsLabel.map((name): ManifestCase => ({
  family: 'merge-keys',
  file: 'merge.yaml',
  content: `base: &base {type: tcp, port: 1}\napiVersion: vai/v1\nkind: Service\nmetadata:\n  name: ${name}\nspec:\n  health_check:\n    <<: *base\n  restart_cmd: "true"\n`,
  valid: false,
}));

const legacy = fc.tuple(dnsLabel, wrongValue, fc.boolean()).map(([name, v, broken]): ManifestCase => {
  const svc: Record<string, Json> = { enabled: true, type: 'daemon', container: 'services', health_check: { type: 'http', endpoint: 'http://localhost:9000/', interval_seconds: 60, timeout_seconds: 5 }, restart_cmd: 'true', dependencies: [] };
  if (broken) svc.health_check = v;
  return { family: 'legacy-config', file: 'system-config.json', content: JSON.stringify({ services: { [name]: svc } }), valid: false };
});

/** One case of any family; valid cases are weighted so good input is exercised as much as bad. */
export const manifestCase: fc.Arbitrary<ManifestCase> = fc.oneof(
  { arbitrary: valid, weight: 3 },
  { arbitrary: wrongTypes, weight: 4 },
  { arbitrary: deepNesting, weight: 1 },
  { arbitrary: hugeStrings, weight: 1 },
  { arbitrary: oddUnicode, weight: 2 },
  { arbitrary: anchors, weight: 1 },
  { arbitrary: billionLaughs, weight: 1 },
  { arbitrary: duplicateKeys, weight: 2 },
  { arbitrary: garbage, weight: 2 },
  { arbitrary: truncated, weight: 2 },
  { arbitrary: yamlTags, weight: 1 },
  { arbitrary: mergeKeys, weight: 1 },
  { arbitrary: legacy, weight: 1 },
);
