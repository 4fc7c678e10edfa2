// Docs that run: the README's tour (the ```sh blocks marked <!-- tour -->) is pasted into
// bash -e as written, with only the server's address and the binary's path replaced; it
// starts its own server, and every step must succeed and set the variables the next ones
// use. Also the exit codes and flag rules that docs/OPERATIONS.md and docs/CLI.md state.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CLAVIS_BIN, freePort, runCli, sanitizerReport } from './harness.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const README = path.resolve(here, '../../README.md');
const TOUR_ADDRESS = '127.0.0.1:8080';
const TOUR_BINARY = 'build/clavis';

/** The ```sh blocks that follow a <!-- tour --> line, in order. */
function tourBlocks(markdown) {
  const blocks = [];
  const re = /^<!-- tour -->\n```sh\n([\s\S]*?)^```$/gm;
  for (let m = re.exec(markdown); m !== null; m = re.exec(markdown)) blocks.push(m[1]);
  return blocks;
}

/** Runs script with bash -e -o pipefail in cwd; resolves {code, stdout, stderr}. */
function bash(script, { cwd, env, timeoutMs = 120000 }) {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-e', '-o', 'pipefail', '-c', script], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d) => { stdout += d; });
    child.stderr.setEncoding('utf8').on('data', (d) => { stderr += d; });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (e) => { clearTimeout(timer); reject(e); });
    child.on('close', (code, signal) => { clearTimeout(timer); resolve({ code, signal, stdout, stderr }); });
  });
}

describe('README tour', () => {
  let dir;
  before(async () => { dir = await mkdtemp(path.join(os.tmpdir(), 'clavis-readme-')); });
  after(async () => { if (dir) await rm(dir, { recursive: true, force: true }); });

  test('the README marks its tour, and every step of it is a shell command', async () => {
    const blocks = tourBlocks(await readFile(README, 'utf8'));
    assert.ok(blocks.length >= 4, `tour blocks: ${blocks.length}`);
    const text = blocks.join('\n');
    for (const v of ['CLIENT_ID', 'CLIENT_SECRET', 'ADMIN', 'SVC', 'ID', 'SECRET', 'APP', 'WORKER', 'IAT', 'RAT']) {
      assert.match(text, new RegExp(`^${v}=\\$\\(`, 'm'), `the tour sets ${v} from what it prints`);
    }
    assert.doesNotMatch(text, /^\$ /m, 'no prompts: the blocks paste as they are');
    assert.ok(text.includes(TOUR_ADDRESS) && text.includes(TOUR_BINARY));
  });

  test('pasted into bash -e, the tour runs from init to self-registration', { timeout: 180000 }, async () => {
    const readme = await readFile(README, 'utf8');
    const port = await freePort();
    const tour = tourBlocks(readme).join('\n')
      .replaceAll(TOUR_ADDRESS, `127.0.0.1:${port}`)
      .replaceAll(TOUR_BINARY, CLAVIS_BIN);
    // Around the tour, not in it: stop the server it started, and show what it set.
    const script = [
      'trap \'kill $(jobs -p) 2>/dev/null; wait\' EXIT',
      tour,
      'for v in CLIENT_ID CLIENT_SECRET ADMIN SVC ID SECRET APP WH WORKER TOKEN IAT RAT; do',
      '  printf "TOUR %s=%s\\n" "$v" "${!v}"',
      'done',
    ].join('\n');
    const env = { PATH: process.env.PATH, HOME: dir, LANG: 'C.UTF-8' };
    for (const [k, v] of Object.entries(process.env)) if (/^(ASAN|UBSAN|LSAN)_OPTIONS$/.test(k)) env[k] = v;
    const r = await bash(script, { cwd: dir, env });
    const report = sanitizerReport(r.stderr);
    assert.equal(report, null, `sanitizer report: ${r.stderr}`);
    assert.equal(r.code, 0, `the tour stopped (exit ${r.code}, ${r.signal ?? ''}):\n${r.stdout.slice(-3000)}\n${r.stderr.slice(-3000)}`);

    const vars = Object.fromEntries([...r.stdout.matchAll(/^TOUR (\w+)=(.*)$/gm)].map((m) => [m[1], m[2]]));
    for (const [k, v] of Object.entries(vars)) {
      assert.ok(v.length > 0 && v !== 'null', `${k} is set from the JSON the tour printed: '${v}'`);
    }
    assert.match(vars.SECRET, /^clv_/);
    assert.match(vars.IAT, /^clv_iat_/);
    assert.match(vars.RAT, /^clv_rat_/);
    assert.equal(vars.TOKEN.split('.').length, 3, 'the test token is a JWT');
    assert.match(r.stdout, /"token_type": "Bearer"/, 'step 4 got a token');
    assert.match(r.stdout, /^"Partner portal"$/m, 'the registration reads itself back');
    assert.match(r.stdout, /^Client \S+ is now inactive\.$/m);
    assert.match(r.stdout, /Deleted client \S+; 'clavis client restore/);
    // step 9: the deactivated service's clients are listed as effectively inactive
    const rows = r.stdout.split('\n').filter((l) => /^\S{22}\s+(spa|web|worker)\s/.test(l) && / inactive /.test(l));
    assert.equal(rows.length, 3, `clients of the deactivated service shown inactive:\n${r.stdout}`);
    assert.equal((await stat(path.join(dir, '.config/clavis/profile.json'))).mode & 0o777, 0o600);
    assert.doesNotMatch(r.stderr, /clavis: [0-9]{3} /, 'no refusal on the way');
  });
});

describe('exit codes and flags as the docs state them', () => {
  let dir;
  before(async () => { dir = await mkdtemp(path.join(os.tmpdir(), 'clavis-exits-')); });
  after(async () => { if (dir) await rm(dir, { recursive: true, force: true }); });

  test('docs/OPERATIONS.md: 0 done, 1 refused or failed, 2 bad usage', async () => {
    const db = path.join(dir, 'x.db');
    const run = (args, env = {}) => runCli(args, { env: { ...env }, timeoutMs: 20000 });
    assert.equal((await run(['init', '--db', db, '--json'])).code, 0);
    const again = await run(['init', '--db', db, '--json']);
    assert.equal(again.code, 1, 'init on an initialised database');
    assert.match(again.stderr, /already initialised/);
    assert.equal((await run(['purge', '--db', db])).code, 0);
    const cases = [
      [['serve', '--db', db, '--retention', 'soon'], {}, 2],
      [['serve', '--db', db, '--listen', '127.0.0.1:0'], { CLAVIS_RETENTION: 'soon' }, 2],
      [['serve', '--db', db, '--threads', '0'], {}, 2],
      [['serve', '--db', db, '--token-alg', 'HS256'], {}, 2],
      [['serve', '--db', db, '--bogus'], {}, 2],
      [['serve', '--db', db, '--open-registration-service', ''], {}, 2],
      [['serve', '--db', db, '--listen', 'nonsense', '--issuer', 'http://127.0.0.1:1'], {}, 1],
      [['serve', '--db', db, '--listen', 'nonsense'], {}, 2], // no issuer for it: a usage error
      [['serve', '--db', 'postgres://localhost/clavis'], {}, 1],
      [['purge', '--db', path.join(dir, 'no/such/dir/x.db')], {}, 1],
      [['purge', '--db', db, '--key-dir', path.join(dir, 'other-keys')], {}, 1],
      [['bogus'], {}, 2],
      [[], {}, 2],
    ];
    for (const [args, env, code] of cases) {
      const r = await run(args, env);
      assert.equal(r.code, code, `clavis ${args.join(' ')} ${JSON.stringify(env)}: ${r.stderr}`);
    }
  });

  test('docs/CLI.md: a command\'s flag twice is exit 2; the global flags take the last', async () => {
    const creds = ['--url', 'http://127.0.0.1:1', '--client-id', 'x', '--client-secret', 'y'];
    const env = { HOME: dir, CLAVIS_PROFILE: path.join(dir, 'none.json'), CLAVIS_URL: '', CLAVIS_CLIENT_ID: '', CLAVIS_CLIENT_SECRET: '' };
    const twice = await runCli(['client', 'list', '--limit', '1', '--limit', '2', ...creds], { env });
    assert.equal(twice.code, 2);
    assert.match(twice.stderr, /--limit is given twice/);
    // unreachable: exit 1 means the flags were taken, and the second --url was the one used
    const urls = await runCli(['client', 'list', ...creds, '--url', 'http://127.0.0.1:2', '--json', '--json'], { env });
    assert.equal(urls.code, 1, urls.stderr);
    assert.match(urls.stderr, /cannot reach http:\/\/127\.0\.0\.1:2/);
  });
});
