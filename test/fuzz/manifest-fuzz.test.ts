// Manifest fuzzing: ≥ 10,000 generated and mutated manifest files through the real loader.
// It must never throw or hang, must keep memory bounded (billion laughs, deep nesting, huge
// strings), must name file, line and column for every problem, must accept every valid
// manifest, and a directory whose files go bad must keep its last good services.
// A failure prints fast-check's seed and path; rerun with VAI_FUZZ_SEED=<seed>.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import fc from 'fast-check';
import { loadFileText } from '../../src/manifest/load-file.js';
import { loadDesiredState } from '../../src/manifest/load-desired-state.js';
import { DNS1123_LABEL } from '../../src/manifest/schema.js';
import { ERRORS } from '../../src/errors.js';
import type { ManifestError } from '../../src/manifest/types.js';
import { testdir } from '../support/testdir.js';
import { manifestCase, validManifest, type ManifestCase } from './manifest-arbitraries.js';

const RUNS = Number(process.env.VAI_FUZZ_RUNS ?? 10_000);
const SEED = Number(process.env.VAI_FUZZ_SEED ?? 20261127);
// A hang guard, not a speed target: one file taking this long means a loop that never ends.
const HANG_MS = 15_000;
const MEMORY_BOUND_MB = 768;
const nameRe = new RegExp(DNS1123_LABEL);

function textOf(c: ManifestCase): string {
  return typeof c.content === 'string' ? c.content : Buffer.from(c.content).toString('utf8');
}

function assertPositioned(errors: readonly ManifestError[], file: string, what: string): void {
  for (const e of errors) {
    assert.equal(e.file, file, `${what}: error names another file: ${JSON.stringify(e)}`);
    assert.ok(Number.isInteger(e.line) && e.line >= 1, `${what}: no line: ${JSON.stringify(e)}`);
    assert.ok(Number.isInteger(e.column) && e.column >= 1, `${what}: no column: ${JSON.stringify(e)}`);
    assert.ok(e.message.trim().length > 0, `${what}: empty message`);
    assert.ok(e.code in ERRORS, `${what}: unregistered code ${e.code}`);
  }
}

test(`${RUNS} generated and mutated manifests: no throw, no hang, bounded memory, every problem positioned`, { timeout: 900_000 }, () => {
  const families = new Map<string, { cases: number; rejected: number }>();
  const rss0 = process.memoryUsage().rss;
  let maxRss = rss0;
  let slowest = 0;
  let n = 0;
  fc.assert(
    fc.property(manifestCase, (c) => {
      const file = `/fuzz/manifests/${c.file}`;
      const text = textOf(c);
      const started = performance.now();
      const r = loadFileText(text, file);
      const took = performance.now() - started;
      slowest = Math.max(slowest, took);
      assert.ok(took < HANG_MS, `${c.family}: loading one file took ${took.toFixed(0)} ms`);
      assertPositioned(r.errors, file, c.family);
      for (const d of r.definitions) assert.match(d.name, nameRe, `${c.family}: accepted an invalid name ${JSON.stringify(d.name)}`);
      if (c.valid) assert.deepEqual(r.errors, [], `${c.family}: a valid manifest was rejected`);
      if (c.valid) assert.equal(r.definitions.length, 1);
      if (c.family !== 'binary-garbage' && r.definitions.length === 0) assert.ok(r.errors.length > 0, `${c.family}: nothing loaded and no error said why`);
      const f = families.get(c.family) ?? { cases: 0, rejected: 0 };
      f.cases++;
      if (r.errors.length > 0) f.rejected++;
      families.set(c.family, f);
      if (++n % 250 === 0) maxRss = Math.max(maxRss, process.memoryUsage().rss);
    }),
    { numRuns: RUNS, seed: SEED, endOnFailure: true },
  );
  const growthMb = (maxRss - rss0) / 1024 / 1024;
  assert.ok(growthMb < MEMORY_BOUND_MB, `memory grew by ${growthMb.toFixed(0)} MB`);
  assert.ok(n >= RUNS);
  for (const fam of ['wrong-type', 'billion-laughs', 'deep-nesting', 'huge-string', 'binary-garbage', 'duplicate-keys', 'odd-unicode', 'anchors-aliases']) {
    assert.ok(families.has(fam), `family ${fam} was never generated`);
  }
  // Every billion-laughs and duplicate-key file must be refused, not silently accepted.
  for (const fam of ['billion-laughs', 'duplicate-keys', 'deep-nesting', 'huge-string', 'odd-unicode']) {
    const f = families.get(fam)!;
    assert.equal(f.rejected, f.cases, `${fam}: ${f.cases - f.rejected} of ${f.cases} accepted`);
  }
  console.log(`fuzz: ${n} manifests, slowest ${slowest.toFixed(0)} ms, rss growth ${growthMb.toFixed(0)} MB, families ${JSON.stringify(Object.fromEntries(families))}`);
});

test('a manifest directory whose files go bad keeps its last good services', async () => {
  const dir = testdir({}, 'vai-fuzz-');
  try {
    const good = fc.sample(validManifest, { numRuns: 6, seed: SEED });
    const names = new Set<string>();
    const files: string[] = [];
    good.forEach((m, i) => {
      if (names.has(m.metadata.name)) return;
      names.add(m.metadata.name);
      files.push(dir.write(`m/svc-${i}.yaml`, JSON.stringify(m)));
    });
    const first = await loadDesiredState({ dir: dir.join('m') });
    assert.deepEqual(first.errors, []);
    assert.deepEqual(new Set(first.services.keys()), names);
    const bad = fc.sample(manifestCase.filter((c) => !c.valid), { numRuns: 150, seed: SEED + 1 });
    let previous = first;
    let rounds = 0;
    let accepted = 0;
    let refused = 0;
    for (const c of bad) {
      const victim = files[rounds % files.length]!;
      // The same file goes bad: last-good is kept per file (a deleted file drops its services).
      const original = victim;
      writeFileSync(original, c.content);
      const next = await loadDesiredState({ dir: dir.join('m'), previous });
      const fileErrors = next.errors.filter((e) => e.file === original);
      assertPositioned(fileErrors, original, c.family);
      // A mutation that still loads cleanly legitimately replaces the file's services.
      if (fileErrors.length === 0) accepted++;
      else refused++;
      for (const [name, s] of fileErrors.length > 0 ? first.services : []) {
        const kept = next.services.get(name);
        assert.ok(kept, `${c.family} in ${original}: lost service ${name}`);
        assert.deepEqual(kept.spec, s.spec, `${c.family}: spec of ${name} changed`);
      }
      // Put the good file back, so each round breaks one file of an otherwise good tree.
      writeFileSync(victim, JSON.stringify(good[files.indexOf(victim)]));
      previous = await loadDesiredState({ dir: dir.join('m'), previous: next });
      assert.deepEqual(previous.errors, [], 'restoring the good file clears the errors');
      rounds++;
    }
    assert.equal(rounds, 150);
    assert.ok(refused > accepted, `only ${refused} of ${rounds} bad files were refused`);
  } finally {
    dir.remove();
  }
});

// Found by this fuzzing: nesting deeper than about 1,000 levels overflows the parser's stack
// and the only message is "Maximum call stack size exceeded", with no hint of what is wrong.
test('very deep nesting is refused with a message that says so', () => {
  for (const depth of [20_000, 200_000]) {
    const text = `apiVersion: vai/v1\nkind: Service\nmetadata:\n  name: deep\nspec:\n  health_check: ${'['.repeat(depth)}1${']'.repeat(depth)}\n`;
    const r = loadFileText(text, '/fuzz/deep.yaml');
    assertPositioned(r.errors, '/fuzz/deep.yaml', 'deep');
    assert.equal(r.definitions.length, 0);
    assert.ok(r.errors.length > 0);
    for (const e of r.errors) assert.doesNotMatch(e.message, /call stack/i, `depth ${depth}: ${e.message}`);
  }
});

// Found by this fuzzing: an alias to an anchor of another document (anchors are per document
// in YAML) is reported as "too many alias expansions ... resource exhaustion attack".
test('an alias to an unknown anchor is reported as such, not as an alias bomb', () => {
  const text = 'apiVersion: vai/v1\nkind: Service\nmetadata:\n  name: a\nspec:\n  health_check: &hc {type: tcp, port: 1}\n  restart_cmd: "true"\n---\napiVersion: vai/v1\nkind: Service\nmetadata:\n  name: b\nspec:\n  health_check: *hc\n  restart_cmd: "true"\n';
  const r = loadFileText(text, '/fuzz/alias.yaml');
  assertPositioned(r.errors, '/fuzz/alias.yaml', 'alias');
  assert.ok(r.errors.length > 0);
  for (const e of r.errors) assert.doesNotMatch(e.message, /too many alias|exhaustion/i, `misleading: ${e.message}`);
});
