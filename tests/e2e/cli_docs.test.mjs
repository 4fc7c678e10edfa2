// docs/CLI.md against the binary: every command that `clavis help` lists has a heading
// (`clavis NAME`), every command of every group (found through `--help`, so a new one counts
// at once) is named in the section of its group, and every flag a command's `--help`
// prints appears in that section. So the page fails this test as soon as it drifts from
// the command table (src/cli/cli_main.c and the tables of each cli_*.c).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from './harness.mjs';

const CLI_MD = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../docs/CLI.md');
const GLOBAL = ['--url', '--client-id', '--client-secret', '--json', '--help', '--version'];

async function help(words) {
  const r = await runCli([...words, '--help'], { env: { CLAVIS_URL: '', CLAVIS_PROFILE: '/nonexistent' } });
  assert.equal(r.code, 0, `clavis ${words.join(' ')} --help: ${r.stderr}`);
  return r.stdout;
}

/** The commands a group's --help lists ("Commands:" lines), or null for a command. */
function subcommands(text, words) {
  if (!text.startsWith(`Usage: clavis ${words.join(' ')} COMMAND`)) return null;
  const part = text.split(/^Commands:$/m)[1].split(/^\S/m)[0];
  return [...part.matchAll(/^ {2}([a-z][a-z-]*)\b/gm)].map((m) => m[1]);
}

/** Every command path with its --help text: [[words, text]], groups expanded. */
async function leaves() {
  const top = await help([]);
  const names = [...top.matchAll(/^ {2}([a-z][a-z-]*)\b/gm)].map((m) => m[1]).filter((n) => n !== 'help');
  const out = [];
  const visit = async (words) => {
    const text = await help(words);
    const subs = subcommands(text, words);
    if (subs === null) out.push([words, text]);
    else for (const s of subs) await visit([...words, s]);
  };
  for (const n of names) await visit([n]);
  return { names, out };
}

/** CLI.md's sections: {paths: ['client', …], level, text} for each ## or ### heading. */
function sections(md) {
  const lines = md.split('\n');
  const heads = [];
  lines.forEach((l, i) => {
    const m = /^(#{2,3}) (.*)$/.exec(l);
    if (m) heads.push({ i, level: m[1].length, paths: [...m[2].matchAll(/`clavis ([a-z -]+?)`/g)].map((x) => x[1]) });
  });
  return heads.map((h, k) => ({ ...h, text: lines.slice(h.i, k + 1 < heads.length ? heads[k + 1].i : lines.length).join('\n') }));
}

/** The section whose heading names the longest prefix of words. */
function sectionOf(secs, words) {
  let best = null;
  let bestLen = 0;
  for (const s of secs) {
    for (const p of s.paths) {
      const pw = p.split(' ');
      if (pw.length > bestLen && pw.every((w, i) => words[i] === w)) {
        best = s;
        bestLen = pw.length;
      }
    }
  }
  return best;
}

describe('docs/CLI.md covers every command and flag', () => {
  test('each command of clavis help has a heading; each command and flag of --help is in its section', async () => {
    const md = await readFile(CLI_MD, 'utf8');
    const secs = sections(md);
    const { names, out } = await leaves();
    assert.ok(names.includes('apply') && names.includes('client'), names.join(' '));
    for (const n of names) {
      assert.ok(secs.some((s) => s.paths.includes(n)), `docs/CLI.md has no heading naming \`clavis ${n}\``);
    }
    const missing = [];
    for (const [words, text] of out) {
      const sec = sectionOf(secs, words);
      assert.ok(sec, `no section for clavis ${words.join(' ')}`);
      const last = words[words.length - 1];
      if (!new RegExp(`(^|[^a-z-])${last}([^a-z-]|$)`, 'm').test(sec.text)) {
        missing.push(`clavis ${words.join(' ')}: not named in its section`);
      }
      const flags = [...new Set([...text.matchAll(/(?<![\w-])--[a-z][a-z-]*/g)].map((m) => m[0]))]
        .filter((f) => !GLOBAL.includes(f));
      for (const f of flags) {
        if (!new RegExp(`${f}(?![a-z-])`).test(sec.text)) missing.push(`clavis ${words.join(' ')} ${f}`);
      }
    }
    assert.deepEqual(missing, [], 'in --help but not in docs/CLI.md');
    for (const g of GLOBAL.slice(0, 4)) assert.ok(md.includes(`\`${g}`), `${g} is documented`);
    assert.ok(out.length >= 40, `${out.length} commands`);
  });
});
