// Start-up refuses what cannot work (docs/OPERATIONS.md, "Start-up checks and exit
// codes"): one server per address unless --reuse-port, an issuer that is https (http on
// loopback) without query, fragment or trailing slash, every endpoint under the issuer's
// path, no serving of a database that `clavis init` never set up; and the command line's
// usage errors (one line and a hint), --version, and the admin commands' global options
// before the command (docs/CLI.md).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as client from 'openid-client';
import * as jose from 'jose';
import {
  assertCleanShutdown, CLAVIS_BIN, freePort, protocolPost, request, runCli, sanitizerReport,
  start, stopUnstopped, waitFor,
} from './harness.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const dirs = [];

async function tempDir() {
  const d = await mkdtemp(path.join(os.tmpdir(), 'clavis-startup-'));
  dirs.push(d);
  return d;
}

/** `clavis init` on a new database in dir; resolves {db, init}. */
async function initDb(dir, name = 'clavis.db') {
  const db = path.join(dir, name);
  const r = await runCli(['init', '--db', db, '--json']);
  assert.equal(r.code, 0, r.stderr);
  return { db, init: JSON.parse(r.stdout) };
}

/**
 * Spawns `clavis serve args`; listening() waits for its "listening on" log line (throws if
 * it exits first), stop() sends SIGTERM and expects exit 0 without a sanitizer report.
 */
function launch(args, { env } = {}) {
  const child = spawn(CLAVIS_BIN, ['serve', ...args], {
    env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  let exited = null;
  child.stderr.setEncoding('utf8').on('data', (d) => { stderr += d; });
  const exit = new Promise((resolve) => child.on('exit', (code, signal) => {
    exited = { code, signal };
    resolve(exited);
  }));
  return {
    get stderr() { return stderr; },
    get exited() { return exited; },
    async listening() {
      await waitFor(() => exited || stderr.includes('listening on'), { timeoutMs: 10000, what: 'listening' });
      if (exited) throw new Error(`clavis serve exited (${JSON.stringify(exited)}):\n${stderr}`);
    },
    async stop() {
      if (!exited) child.kill('SIGTERM');
      const r = await exit;
      const report = sanitizerReport(stderr);
      if (report) throw new Error(`sanitizer report (${report}):\n${stderr}`);
      assert.equal(r.code, 0, `clavis serve exited with ${JSON.stringify(r)}:\n${stderr}`);
    },
    kill() {
      if (!exited) child.kill('SIGKILL');
      return exit;
    },
  };
}

/** A usage error or refusal: exit code, and stderr exactly one "clavis: …" line (+ hint). */
function refusedAtStart(r, code, pattern) {
  assert.equal(r.code, code, `exit ${code}, got ${r.code} (${r.signal}): ${r.stderr}`);
  assert.equal(r.stdout, '');
  const lines = r.stderr.split('\n').filter(Boolean);
  assert.match(lines[0], /^clavis: /);
  assert.match(lines[0], pattern);
  assert.ok(lines.length <= 2, `one line (and a hint): ${r.stderr}`);
  if (lines.length === 2) assert.match(lines[1], /^Try 'clavis [a-z ]*--help'\.$/);
}

after(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

describe('one server per address (--reuse-port)', () => {
  let s;
  let shared; // a server started with --reuse-port
  before(async () => {
    s = await start();
    shared = await start({ args: ['--reuse-port'] });
  });
  after(async () => { await stopUnstopped(s, shared); });

  const serveArgs = (srv, extra = []) => ['serve', '--listen', `127.0.0.1:${srv.port}`, '--issuer', srv.url,
    '--db', srv.db, ...extra];

  test('a second serve on a busy port exits 1 naming the address; the first keeps serving', async () => {
    const r = await runCli(serveArgs(s), { timeoutMs: 15000 });
    refusedAtStart(r, 1, new RegExp(`cannot listen on 127\\.0\\.0\\.1:${s.port}: the address is in use`));
    assert.match(r.stderr, /--reuse-port/);
    // --reuse-port on the second alone does not take over a port the first did not share
    const alone = await runCli(serveArgs(s, ['--reuse-port']), { timeoutMs: 15000 });
    refusedAtStart(alone, 1, /the address is in use/);
    assert.equal((await request(`${s.url}/healthz`)).status, 200);
    assert.equal((await s.token(s.init.client_id, s.init.client_secret, { scope: 'admin' })).status, 200);
    assert.equal(s.exited, null);
  });

  test('with --reuse-port (or CLAVIS_REUSE_PORT=1) on both, the second starts and serves', async () => {
    for (const [args, env] of [[['--reuse-port'], {}], [[], { CLAVIS_REUSE_PORT: '1' }]]) {
      const second = launch(serveArgs(shared, args).slice(1), { env });
      try {
        await second.listening();
        assert.match(second.stderr, /port shared: --reuse-port/);
        for (let i = 0; i < 8; i++) { // whichever of the two the kernel picks answers
          const t = await shared.token(shared.init.client_id, shared.init.client_secret, { scope: 'admin' });
          assert.equal(t.status, 200, t.text);
        }
      } finally {
        await second.stop();
      }
    }
    assert.equal((await request(`${shared.url}/healthz`)).status, 200);
  });

  test('the servers shut down cleanly', () => assertCleanShutdown(s, shared));
});

describe('the issuer', () => {
  let db;
  let init; // the init client's credentials
  before(async () => {
    ({ db, init } = await initDb(await tempDir()));
  });

  test('one that is not https (http only on loopback), has a query, fragment, user or trailing slash is refused, exit 2', async () => {
    const port = await freePort();
    const listen = `127.0.0.1:${port}`;
    const bad = [
      ['http://auth.example.com', /the issuer 'http:\/\/auth\.example\.com' must be an https URL \(http only on 127\.0\.0\.1, \[::1\] or localhost\)/],
      ['http://10.1.2.3:8080', /must be an https URL/],
      ['ftp://auth.example.com', /must be an https URL/],
      ['https://auth.example.com/', /must not end with '\/'/],
      [`http://${listen}/`, /must not end with '\/'/],
      ['https://auth.example.com/auth/', /must not end with '\/'/],
      ['https://auth.example.com?tenant=a', /must not have a query or fragment/],
      ['https://auth.example.com/#x', /must not have a query or fragment/],
      ['https://admin:pw@auth.example.com', /must not have a user name/],
      ['https://auth.example.com:99999', /needs a host/],
      ['https://auth.example.com/a//b', /segments that are not empty/],
      ['https://auth.example.com/a;b', /may hold only letters/],
    ];
    for (const [issuer, why] of bad) {
      const r = await runCli(['serve', '--listen', listen, '--issuer', issuer, '--db', db], { timeoutMs: 10000 });
      refusedAtStart(r, 2, why);
      const env = await runCli(['serve', '--listen', listen, '--db', db], { env: { CLAVIS_ISSUER: issuer }, timeoutMs: 10000 });
      refusedAtStart(env, 2, why);
    }
    // the default issuer, http://LISTEN, is only for a loopback --listen
    const any = await runCli(['serve', '--listen', `0.0.0.0:${port}`, '--db', db], { timeoutMs: 10000 });
    refusedAtStart(any, 2, /give --issuer .*http:\/\/0\.0\.0\.0:\d+, is only for a loopback --listen address/);
  });

  test('with a path, every endpoint is served under it (discovery, token, jwks, introspection, admin API, CLI)', async () => {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const issuer = `${base}/tenants/acme`;
    const srv = launch(['--listen', `127.0.0.1:${port}`, '--issuer', issuer, '--db', db]);
    try {
      await srv.listening();
      const d = await request(`${issuer}/.well-known/openid-configuration`);
      assert.equal(d.status, 200, d.text);
      assert.equal(d.body.issuer, issuer);
      assert.equal(d.body.token_endpoint, `${issuer}/token`);
      // RFC 8414 §3: the well-known segment between the host and the issuer's path
      const as = await request(`${base}/.well-known/oauth-authorization-server/tenants/acme`);
      assert.equal(as.status, 200, as.text);
      assert.equal(as.body.issuer, issuer);
      assert.equal((await request(`${issuer}/.well-known/oauth-authorization-server`)).body.issuer, issuer);

      const t = await protocolPost(issuer, '/token', { clientId: init.client_id, clientSecret: init.client_secret,
        params: { grant_type: 'client_credentials', scope: 'admin' } });
      assert.equal(t.status, 200, t.text);
      const jwks = jose.createRemoteJWKSet(new URL(d.body.jwks_uri));
      const { payload } = await jose.jwtVerify(t.body.access_token, jwks, { issuer, typ: 'at+jwt' });
      assert.equal(payload.client_id, init.client_id);
      const i = await protocolPost(issuer, '/introspect', { clientId: init.client_id, clientSecret: init.client_secret,
        params: { token: t.body.access_token } });
      assert.equal(i.body.active, true, i.text);
      const svc = await request(`${issuer}/admin/v1/services`, { headers: { Authorization: `Bearer ${t.body.access_token}` } });
      assert.equal(svc.status, 200, svc.text);
      const page = await request(`${issuer}/authorize`); // the browser flow's page, not a 404
      assert.equal(page.status, 400);
      assert.match(page.headers.get('content-type'), /text\/html/);

      // a standard client library, with OpenID and with RFC 8414 discovery
      for (const algorithm of ['oidc', 'oauth2']) {
        const cfg = await client.discovery(new URL(issuer), init.client_id, init.client_secret,
          client.ClientSecretBasic(init.client_secret),
          { algorithm, execute: [client.allowInsecureRequests] });
        assert.equal(cfg.serverMetadata().issuer, issuer);
        const tr = await client.clientCredentialsGrant(cfg, { scope: 'admin' });
        assert.ok(tr.access_token);
      }

      // the command line with the issuer as its URL
      const home = await tempDir();
      const cli = await runCli(['service', 'list', '--json'], { env: { HOME: home, XDG_CONFIG_HOME: '',
        CLAVIS_PROFILE: path.join(home, 'p.json'), CLAVIS_URL: issuer, CLAVIS_CLIENT_ID: init.client_id,
        CLAVIS_CLIENT_SECRET: init.client_secret } });
      assert.equal(cli.code, 0, cli.stderr);
      assert.ok(Array.isArray(JSON.parse(cli.stdout).items));

      // a path beside the issuer's is nothing
      assert.equal((await request(`${base}/tenants/other/token`, { method: 'POST' })).status, 404);
      assert.equal((await request(`${base}/tenants/acmex/jwks`)).status, 404);
    } finally {
      await srv.stop();
    }
  });
});

describe('a database that clavis init never set up', () => {
  let dir;
  before(async () => { dir = await tempDir(); });

  test('a missing SQLite file: exit 1, "run clavis init", and no file is left behind', async () => {
    const port = await freePort();
    const db = path.join(dir, 'none.db');
    const r = await runCli(['serve', '--listen', `127.0.0.1:${port}`, '--db', db], { timeoutMs: 10000 });
    refusedAtStart(r, 1, new RegExp(`no database at .*none\\.db: run 'clavis init --db .*none\\.db' first`));
    assert.equal(existsSync(db), false);
  });

  test('a database without an administrator (made by purge): exit 1 until clavis init, then it serves', async () => {
    const port = await freePort();
    const db = path.join(dir, 'bare.db');
    const args = ['--listen', `127.0.0.1:${port}`, '--db', db];
    assert.equal((await runCli(['purge', '--db', db])).code, 0); // schema and keys, no init
    const r = await runCli(['serve', ...args], { timeoutMs: 10000 });
    refusedAtStart(r, 1, /the database .*bare\.db was never initialised: run 'clavis init --db .*bare\.db' first/);

    const init = await runCli(['init', '--db', db, '--json']);
    assert.equal(init.code, 0, init.stderr);
    const creds = JSON.parse(init.stdout);
    const srv = launch(args);
    try {
      await srv.listening();
      const t = await protocolPost(`http://127.0.0.1:${port}`, '/token', { clientId: creds.client_id,
        clientSecret: creds.client_secret, params: { grant_type: 'client_credentials', scope: 'admin' } });
      assert.equal(t.status, 200, t.text);
    } finally {
      await srv.stop();
    }
  });
});

describe('the command line', () => {
  test('clavis --version prints "clavis <version>" (CMakeLists.txt VERSION), exit 0', async () => {
    const cmake = await readFile(path.resolve(here, '../../CMakeLists.txt'), 'utf8');
    const version = /project\(clavis VERSION ([0-9.]+)/.exec(cmake)[1];
    const r = await runCli(['--version']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `clavis ${version}\n`);
    assert.equal(r.stderr, '');
  });

  test('a bad option names itself: one line and a hint, never the whole help, exit 2', async () => {
    const cases = [
      [['serve', '--foo'], 'unknown option --foo', 'serve'],
      [['serve', '--foo=1'], 'unknown option --foo', 'serve'],
      [['serve', '-x'], 'unknown option -x', 'serve'],
      [['serve', '--db'], '--db needs a value', 'serve'],
      [['serve', '--log-requests=yes'], '--log-requests takes no value', 'serve'],
      [['serve', '--threads', '0'], '--threads must be 1 to 256', 'serve'],
      [['serve', '--db-pool', '0'], '--db-pool must be 1 to 1024 connections', 'serve'],
      [['serve', '--db-pool', '2x'], '--db-pool must be 1 to 1024 connections', 'serve'],
      [['purge', '--db-pool', '2'], '--db-pool is for clavis serve', 'purge'],
      [['serve', 'now'], "unexpected argument 'now'", 'serve'],
      [['init', '--listen', '127.0.0.1:1'], '--listen is for clavis serve', 'init'],
      [['init', '--reuse-port'], '--reuse-port is for clavis serve', 'init'],
      [['purge', '--bogus'], 'unknown option --bogus', 'purge'],
      [['client', 'list', '--foo'], 'unknown option --foo', 'client list'],
      [['client', 'create', '--nme', 'x'], 'unknown option --nme (did you mean --name?)', 'client create'],
      [['client', 'secret', 'add'], 'missing CLIENT_ID', 'client secret add'],
      [['service', 'list', '--limit', '0'], '--limit must be a number from 1 to 100', 'service list'],
      [['login', '--bogus'], 'unknown option --bogus', 'login'],
      [['client', 'craete'], "unknown command 'craete' (did you mean 'create'?)", 'client', 'clavis client: '],
      [['bogus'], "unknown command 'bogus'", ''],
      [['--foo', 'client', 'list'], 'unknown option --foo', ''],
      [['--url'], '--url needs a value', ''],
      [['--json'], 'a command is missing after the options', ''],
    ];
    for (const [args, line, cmd, prefix = 'clavis: '] of cases) {
      const r = await runCli(args, { env: { CLAVIS_URL: '', CLAVIS_PROFILE: '/nonexistent/p.json' } });
      const what = `clavis ${args.join(' ')}`;
      assert.equal(r.code, 2, `${what}: exit 2, got ${r.code}: ${r.stderr}`);
      assert.equal(r.stderr, `${prefix}${line}\nTry 'clavis ${cmd ? `${cmd} ` : ''}--help'.\n`, what);
      assert.equal(r.stdout, '', what);
    }
  });

  describe('global options before or after the command', () => {
    let s;
    let env;
    before(async () => {
      s = await start();
      const home = await tempDir();
      env = { HOME: home, XDG_CONFIG_HOME: '', CLAVIS_PROFILE: path.join(home, 'p.json'),
        CLAVIS_URL: '', CLAVIS_CLIENT_ID: '', CLAVIS_CLIENT_SECRET: '' };
      await s.createService('globals');
    });
    after(async () => { await stopUnstopped(s); });

    test('--json, --url, --client-id, --client-secret work on either side of the command', async () => {
      const creds = ['--url', s.url, '--client-id', s.init.client_id, '--client-secret', s.init.client_secret];
      const run = async (args) => {
        const r = await runCli(args, { env });
        assert.equal(r.code, 0, `clavis ${args.join(' ')}: ${r.stderr}`);
        return JSON.parse(r.stdout);
      };
      const after_ = await run(['service', 'list', '--json', ...creds]);
      const before_ = await run(['--json', ...creds, 'service', 'list']);
      const mixed = await run(['--url', s.url, '--json', 'service', 'list', '--client-id', s.init.client_id,
        '--client-secret', s.init.client_secret]);
      const equals = await run([`--url=${s.url}`, `--client-id=${s.init.client_id}`,
        `--client-secret=${s.init.client_secret}`, '--json', 'service', 'list']);
      assert.ok(after_.items.some((x) => x.name === 'globals'));
      for (const other of [before_, mixed, equals]) {
        assert.deepEqual(other.items.map((x) => x.id), after_.items.map((x) => x.id));
      }
      // before a "--" that ends the options, as after the command
      const shown = await run(['--json', ...creds, 'client', 'show', '--', s.init.client_id]);
      assert.equal(shown.client_id, s.init.client_id);
      // and for the commands on the database: --json before init
      const dir = await tempDir();
      const init = await runCli(['--json', 'init', '--db', path.join(dir, 'g.db')]);
      assert.equal(init.code, 0, init.stderr);
      assert.ok(JSON.parse(init.stdout).client_secret);
    });

    test('the server shuts down cleanly', () => assertCleanShutdown(s));
  });
});
