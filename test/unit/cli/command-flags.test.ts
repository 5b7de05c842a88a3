// Every vaictl command's flags are one declaration (src/cli/flags.ts): for each command, the
// command's own parse accepts each declared flag, its help lists each, and the bash completion
// (run by a real bash) offers each. A flag parsed from a list of its own, written into the
// usage text by hand or missing from completion fails here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { PassThrough } from 'node:stream';
import { COMMANDS } from '../../../src/cli/commands/index.js';
import { bashScript } from '../../../src/cli/commands/completion.js';
import { helpText, renderFlags, type Flag } from '../../../src/cli/flags.js';
import type { Command } from '../../../src/cli/command.js';
import { testdir } from '../../support/testdir.js';

const SENTINEL = '--vai-test-not-a-flag';

/**
 * Runs the command with argv; parseArgs reads options in order and names the first unknown one,
 * so an error naming the sentinel (given last) means every option before it was accepted. Parsing
 * is the first thing each command does: the sentinel stops it before any side effect.
 */
async function firstRejected(c: Command, argv: string[], cwd: string): Promise<string> {
  const ctx = { argv, env: { HOME: cwd, VAI_CONFIG: `${cwd}/config.yaml` }, stdout: new PassThrough(), stderr: new PassThrough(), isTTY: false, cwd, commands: async () => COMMANDS };
  try {
    await c.run(ctx);
  } catch (e) {
    if ((e as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return (e as Error).message;
    throw e;
  }
  return '(nothing rejected)';
}

function spellings(f: Flag): string[] {
  return f.short ? [`-${f.short}`, `--${f.name}`] : [`--${f.name}`];
}

test('every command declares its flags once: no hand-written Flags section, no name or letter twice', () => {
  assert.ok(COMMANDS.length >= 20);
  for (const c of COMMANDS) {
    assert.ok(!c.usage.includes('\nFlags:') && !(c.epilog ?? '').includes('Flags:'), `${c.name}: the Flags section is rendered from c.flags, not written in the usage`);
    const names = c.flags.map((f) => f.name);
    assert.deepEqual(names, [...new Set(names)], `${c.name}: a flag declared twice`);
    const shorts = c.flags.flatMap((f) => (f.short ? [f.short] : []));
    assert.deepEqual(shorts, [...new Set(shorts)], `${c.name}: a short flag used twice`);
    for (const f of c.flags) assert.ok(f.type === 'boolean' ? f.value === undefined : f.value !== undefined, `${c.name} --${f.name}: string flags name their value, boolean flags none`);
    if (c.remote) assert.ok(names.includes('context') && names.includes('server'), `${c.name} reads another host: its help and completion show --context and --server`);
  }
});

test("each command's parse accepts each declared flag, long and short, and rejects an undeclared one", async (t) => {
  const dir = testdir();
  t.after(() => dir.remove());
  for (const c of COMMANDS) {
    for (const f of c.flags) {
      for (const spelled of spellings(f)) {
        const argv = f.type === 'string' ? [spelled, 'x', SENTINEL] : [spelled, SENTINEL];
        const message = await firstRejected(c, argv, dir.path);
        assert.match(message, new RegExp(SENTINEL), `vaictl ${c.name} ${spelled}: ${message}`);
      }
    }
    assert.match(await firstRejected(c, [SENTINEL], dir.path), new RegExp(SENTINEL), `vaictl ${c.name} rejects an unknown flag`);
  }
});

test("each command's help lists each declared flag with its value and help", () => {
  for (const c of COMMANDS) {
    const help = helpText(c);
    assert.ok(help.startsWith(c.usage), `${c.name}: help starts with the usage`);
    if (c.epilog) assert.ok(help.endsWith(c.epilog), `${c.name}: help ends with the epilog`);
    for (const f of c.flags) {
      const left = `${f.short ? `-${f.short}, ` : ''}--${f.name}${f.value ? ` ${f.value}` : ''}`;
      const line = help.split('\n').find((l) => l.trimStart().startsWith(left));
      assert.ok(line, `vaictl help ${c.name} lists ${left}`);
      assert.ok(line.includes(f.help.split('\n')[0]!), `vaictl help ${c.name}: ${left} with its help`);
    }
  }
});

test('the Flags section aligns help in one column, continuation lines under it', () => {
  const text = renderFlags([
    { name: 'output', short: 'o', type: 'string', value: 'FORMAT', help: 'table or json\nor yaml' },
    { name: 'watch', short: 'w', type: 'boolean', help: 'keep going' },
    { name: 'since', type: 'string', value: 'D', help: 'a window' },
    { name: 'a-very-long-flag-name', type: 'boolean', help: 'runs past the column' },
  ]);
  assert.equal(
    text,
    [
      '  -o, --output FORMAT   table or json',
      '                        or yaml',
      '  -w, --watch           keep going',
      '      --since D         a window',
      '      --a-very-long-flag-name  runs past the column',
    ].join('\n'),
  );
  assert.equal(renderFlags([{ name: 'now', type: 'boolean', help: 'at once' }, { name: 'ref', type: 'string', value: 'REF', help: 'a commit' }]), '  --now       at once\n  --ref REF   a commit');
});

test('bash completion offers each declared flag of each command, and service names where the command takes them', (t) => {
  const dir = testdir();
  t.after(() => dir.remove());
  const file = dir.write('vaictl.bash', bashScript(COMMANDS));
  // No vaictl on PATH here: service names come from this stand-in for `vaictl get -o name`.
  const complete = (...words: string[]): string[] => {
    const quoted = words.map((w) => `'${w}'`).join(' ');
    const r = spawnSync('bash', ['--norc', '-c', `vaictl() { printf 'service/alpha\\nservice/beta\\n'; }; source '${file}'; COMP_WORDS=(${quoted}); COMP_CWORD=${words.length - 1}; _vaictl; printf '%s\\n' "\${COMPREPLY[@]}"`], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    return r.stdout.split('\n').filter(Boolean).sort();
  };
  assert.deepEqual(complete('vaictl', ''), [...COMMANDS.map((c) => c.name), 'help', 'version'].sort());
  for (const c of COMMANDS) {
    const offered = complete('vaictl', c.name, '-');
    assert.deepEqual(offered, c.flags.flatMap(spellings).sort(), `vaictl ${c.name} - offers its flags`);
    const operands = complete('vaictl', c.name, '');
    if (c.operands === 'services') assert.deepEqual(operands, ['alpha', 'beta'], `vaictl ${c.name} completes service names`);
    else assert.deepEqual(operands, [...(c.operands ?? [])].sort(), `vaictl ${c.name} completes ${c.operands ? 'its words' : 'nothing'}`);
    for (const f of c.flags.filter((x) => Array.isArray(x.complete))) {
      assert.deepEqual(complete('vaictl', c.name, `--${f.name}`, ''), [...(f.complete as readonly string[])].sort(), `vaictl ${c.name} --${f.name} completes its values`);
    }
    for (const f of c.flags.filter((x) => x.type === 'string' && x.complete === undefined)) {
      assert.deepEqual(complete('vaictl', c.name, `--${f.name}`, ''), [], `vaictl ${c.name} --${f.name} VALUE: a free value, not a service name`);
    }
  }
});
