// vaictl's parse cache (src/cli/manifest-parse-cache.ts): a hit gives what a parse gives, and
// only ever for the very text it was made from. Real files in a temporary XDG_CACHE_HOME.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseCache } from '../../../src/cli/manifest-parse-cache.js';
import { parseSource } from '../../../src/manifest/source-document.js';
import { loadFileText } from '../../../src/manifest/load-file.js';
import { testdir } from '../../support/testdir.js';

const SERVICE = (name: string, port: number) => `apiVersion: vai/v1
kind: Service
metadata:
  name: ${name}
spec:
  restart_cmd: systemctl restart ${name}
  health_check:
    type: tcp
    host: 127.0.0.1
    port: ${port}
`;

function setup() {
  const dir = testdir();
  const env = { XDG_CACHE_HOME: dir.join('cache'), HOME: dir.path };
  const file = dir.write('manifests/a.yaml', `${SERVICE('api', 8080)}---\n${SERVICE('db', 5432)}`);
  return { dir, env, file };
}

/** The one cache file, for a test to look into or to tamper with: a key line, then `path TAB hash TAB documents` per file. */
function cacheFile(dir: ReturnType<typeof testdir>): { file: string; lines: string[] } {
  const root = dir.join('cache', 'vai', 'parsed');
  const [name] = readdirSync(root);
  const file = path.join(root, name!);
  return { file, lines: readFileSync(file, 'utf8').split('\n') };
}

function plain(p: ReturnType<typeof parseSource>) {
  return {
    errors: p.errors,
    documents: p.documents.map((d) => ({ index: d.index, data: d.data, start: d.start, name: d.keyAt(['metadata', 'name']), port: d.valueAt(['spec', 'health_check', 'port']) })),
  };
}

test('a hit gives what a parse gives: data, starts, shallow and deep positions', (t) => {
  const { dir, env, file } = setup();
  t.after(() => dir.remove());
  const text = readFileSync(file, 'utf8');
  const first = parseCache(env);
  assert.deepEqual(plain(first.parse(text, file)), plain(parseSource(text, file)));
  first.save();
  const second = parseCache(env);
  const hit = second.parse(text, file);
  assert.deepEqual(plain(hit), plain(parseSource(text, file)));
  assert.deepEqual(plain(hit).documents[1]!.port, { line: 21, column: 11 });
  // The whole file load (schema defaults, rules) from a hit equals the one from a parse.
  const viaCache = loadFileText(text, file, parseCache(env).parse);
  const direct = loadFileText(text, file);
  assert.deepEqual(
    viaCache.definitions.map((d) => [d.name, d.spec, d.source]),
    direct.definitions.map((d) => [d.name, d.spec, d.source]),
  );
});

test('the entry answers only for its own text: an edit of the same size is parsed again', (t) => {
  const { dir, env, file } = setup();
  t.after(() => dir.remove());
  const text = readFileSync(file, 'utf8');
  const c = parseCache(env);
  c.parse(text, file);
  c.save();
  // Tamper with the entry: were it served, the port would read 1.
  const { file: cf, lines } = cacheFile(dir);
  assert.equal(lines.length, 2);
  assert.ok(lines[1]!.startsWith(`${JSON.stringify(file)}\t`));
  writeFileSync(cf, lines.map((l) => l.replace('"port":8080', '"port":1')).join('\n'), { mode: 0o600 });
  const served = parseCache(env).parse(text, file).documents[0]!.data as { spec: { health_check: { port: number } } };
  assert.equal(served.spec.health_check.port, 1, 'the same text is served from the cache');
  const edited = text.replace('8080', '9090');
  assert.equal(edited.length, text.length);
  const fresh = parseCache(env).parse(edited, file).documents[0]!.data as { spec: { health_check: { port: number } } };
  assert.equal(fresh.spec.health_check.port, 9090, 'other text of the same size is parsed');
});

test('a cache file others may write is ignored', (t) => {
  const { dir, env, file } = setup();
  t.after(() => dir.remove());
  const text = readFileSync(file, 'utf8');
  const c = parseCache(env);
  c.parse(text, file);
  c.save();
  const { file: cf, lines } = cacheFile(dir);
  writeFileSync(cf, lines.map((l) => l.replace('"port":8080', '"port":1')).join('\n'));
  chmodSync(cf, 0o666);
  const data = parseCache(env).parse(text, file).documents[0]!.data as { spec: { health_check: { port: number } } };
  assert.equal(data.spec.health_check.port, 8080);
});

test('files with errors and values JSON cannot carry are never cached, and keep their messages', (t) => {
  const { dir, env } = setup();
  t.after(() => dir.remove());
  const bad = dir.write('manifests/bad.yaml', 'apiVersion: vai/v1\nkind: Service\nkind: Service\n');
  const inf = dir.write('manifests/inf.yaml', 'apiVersion: vai/v1\nkind: Service\nmetadata: {name: x}\nspec: {weight: .inf}\n');
  for (let round = 0; round < 2; round++) {
    const c = parseCache(env);
    const b = c.parse(readFileSync(bad, 'utf8'), bad);
    assert.equal(b.errors.length, 1);
    assert.match(b.errors[0]!.message, /duplicate key "kind"/);
    assert.deepEqual([b.errors[0]!.line, b.errors[0]!.column], [3, 1]);
    const i = c.parse(readFileSync(inf, 'utf8'), inf);
    assert.equal((i.documents[0]!.data as { spec: { weight: number } }).spec.weight, Infinity);
    c.save();
  }
  const root = dir.join('cache', 'vai', 'parsed');
  const entries = (existsSync(root) ? readdirSync(root) : []).flatMap((f) => readFileSync(path.join(root, f), 'utf8').split('\n').slice(1));
  assert.deepEqual(entries, []);
});

test('VAICTL_NO_PARSE_CACHE turns it off', (t) => {
  const { dir, env, file } = setup();
  t.after(() => dir.remove());
  const c = parseCache({ ...env, VAICTL_NO_PARSE_CACHE: '1' });
  c.parse(readFileSync(file, 'utf8'), file);
  c.save();
  assert.throws(() => readdirSync(dir.join('cache', 'vai', 'parsed')), /ENOENT/);
});
