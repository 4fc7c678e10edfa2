// The admin command line (docs/DESIGN.md I3, R21, R23): every `clavis service|client|user`
// command against a running server, credentials from CLAVIS_* variables and from the
// profile `clavis login` writes, exit codes (0 done, 1 refused, 2 bad usage with nothing
// sent), --json parsed, tables read, bash completion in step with --help, and the
// walkthrough a new user follows in the README.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { assertCleanShutdown, CLAVIS_BIN, sanitizerReport, sleep, start, stopUnstopped } from './harness.mjs';

const WARNING = 'Store this secret now: it will not be shown again.';

/** Reads an aligned table: the header's titles give the columns; rows become objects. */
function table(stdout) {
  const lines = stdout.split('\n').filter((l) => l.length > 0);
  assert.ok(lines.length >= 1, `a table: ${JSON.stringify(stdout)}`);
  const header = lines[0];
  const cols = [...header.matchAll(/\S+/g)].map((m) => ({ title: m[0], at: m.index }));
  return lines.slice(1).map((line) => {
    const row = {};
    cols.forEach((c, i) => {
      const end = i + 1 < cols.length ? cols[i + 1].at : undefined;
      row[c.title] = line.slice(c.at, end).trim();
    });
    return row;
  });
}

/** Reads "key: value" lines into an object. */
function show(stdout) {
  const o = {};
  for (const line of stdout.split('\n')) {
    const m = /^([a-z_]+):\s+(.*)$/.exec(line);
    if (m) o[m[1]] = m[2];
  }
  return o;
}

/** The JWT's payload. */
function jwtPayload(token) {
  const parts = token.split('.');
  assert.equal(parts.length, 3, `a JWT: ${token}`);
  return JSON.parse(Buffer.from(parts[1], 'base64url').toString());
}

/**
 * Runs clavis with args; resolves {code, signal, stdout, stderr}. As the harness's runCli,
 * except that stdin gets input only when there is some, and a command that exits before
 * reading it (most do) is no EPIPE.
 */
function runCli(args, { env, input, timeoutMs = 30000 } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(CLAVIS_BIN, args, { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d) => { stdout += d; });
    child.stderr.setEncoding('utf8').on('data', (d) => { stderr += d; });
    child.stdin.on('error', () => {}); // EPIPE: the command did not want its input
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (e) => { clearTimeout(timer); reject(e); });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const report = sanitizerReport(stderr);
      if (report) reject(new Error(`clavis ${args.join(' ')}: sanitizer report (${report}):\n${stderr}`));
      else resolve({ code, signal, stdout, stderr });
    });
    if (input !== undefined) child.stdin.end(input);
    else child.stdin.end();
  });
}

function requestLines(s) {
  return s.stderr.split('\n').filter((l) => l.includes('"msg":"request"'));
}

/** The request log lines once they stop arriving (a line may trail its response). */
async function settledRequests(s) {
  let n = requestLines(s).length;
  for (;;) {
    await sleep(150);
    const m = requestLines(s).length;
    if (m === n) return m;
    n = m;
  }
}

describe('clavis admin command line', () => {
  let s;
  let dir; // HOME and profiles of these tests
  let env; // credentials from CLAVIS_* variables
  let svc; // a service made through the API

  /** Runs clavis with env (CLAVIS_* credentials by default). */
  async function cli(args, { extraEnv = {}, input, creds = env } = {}) {
    return runCli(args, { env: { ...creds, ...extraEnv }, input });
  }

  function ok(r, what = '') {
    assert.equal(r.code, 0, `${what} exit 0, got ${r.code}: ${r.stderr}`);
    return r;
  }

  function refused(r, pattern) {
    assert.equal(r.code, 1, `exit 1, got ${r.code}: ${r.stdout}${r.stderr}`);
    assert.match(r.stderr, /^clavis: /);
    if (pattern) assert.match(r.stderr, pattern);
    return r;
  }

  async function json(args, opts) {
    const r = ok(await cli([...args, '--json'], opts), args.join(' '));
    return JSON.parse(r.stdout);
  }

  async function auditCount() {
    return (await s.listAll('/admin/v1/audit')).length;
  }

  before(async () => {
    s = await start({ args: ['--log-requests'] });
    dir = await mkdtemp(path.join(os.tmpdir(), 'clavis-cli-'));
    env = {
      HOME: dir,
      XDG_CONFIG_HOME: '',
      CLAVIS_PROFILE: path.join(dir, 'env-profile', 'profile.json'),
      CLAVIS_URL: s.url,
      CLAVIS_CLIENT_ID: s.init.client_id,
      CLAVIS_CLIENT_SECRET: s.init.client_secret,
    };
    svc = await s.createService('CLI tests');
  });
  after(async () => {
    await stopUnstopped(s);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test('--help on every command; the top level lists the admin commands', async () => {
    const top = ok(await cli(['--help']));
    for (const c of ['service', 'client', 'user', 'login', 'logout']) {
      assert.match(top.stdout, new RegExp(`^  ${c} `, 'm'), `clavis --help lists ${c}`);
    }
    const groups = {
      service: ['create', 'list', 'show', 'update', 'approve', 'activate', 'deactivate', 'delete', 'restore'],
      client: ['create', 'list', 'show', 'update', 'activate', 'deactivate', 'delete', 'restore', 'token'],
      'client secret': ['add', 'list', 'remove'],
      user: ['create', 'list', 'show', 'update', 'delete'],
    };
    for (const [g, cmds] of Object.entries(groups)) {
      const gw = g.split(' ');
      const r = ok(await cli([...gw, '--help']));
      assert.match(r.stdout, new RegExp(`^Usage: clavis ${g} COMMAND`));
      for (const c of cmds) {
        assert.match(r.stdout, new RegExp(`^  ${c}\\b`, 'm'), `${g} --help lists ${c}`);
        const h = ok(await cli([...gw, c, '--help']), `${g} ${c} --help`);
        assert.match(h.stdout, new RegExp(`^Usage: clavis ${g} ${c}\\b`));
        assert.match(h.stdout, /--json/);
        assert.equal(h.stderr, '');
      }
      const bare = await cli(gw);
      assert.equal(bare.code, 2, `clavis ${g} alone is bad usage`);
      assert.match(bare.stderr, /Usage: clavis/);
    }
    for (const c of ['login', 'logout']) {
      const h = ok(await cli([c, '--help']));
      assert.match(h.stdout, new RegExp(`^Usage: clavis ${c}`));
    }
  });

  test('typos and bad usage exit 2, print one line and a hint (not the usage), and send nothing', async () => {
    const bad = [
      [['clinet', 'list'], /unknown command/],
      [['client', 'craete'], /unknown command 'craete' \(did you mean 'create'\?\)/],
      [['client', 'create', '--nme', 'x'], /unknown option --nme \(did you mean --name\?\)/],
      [['client', 'create', '--service-id', svc.id, '--name', 'x', '--type', 'spa'], /--type cannot be 'spa'/],
      [['client', 'create', '--name', 'x', '--type', 'm2m'], /--service-id is required/],
      [['client', 'create', '--service-id', svc.id, '--name'], /--name needs a value/],
      [['client', 'create', '--service-id', svc.id, '--name', 'a', '--name', 'b', '--type', 'm2m'], /given twice/],
      [['client', 'show'], /missing CLIENT_ID/],
      [['client', 'show', 'a', 'b'], /unexpected argument 'b'/],
      [['client', 'secret', 'remove', 'a'], /missing SECRET_ID/],
      [['client', 'show', '../services'], /'..\/services' is not an id/],
      [['client', 'delete', 'x/../../services/y'], /is not an id/],
      [['client', 'secret', 'remove', 'abc', 'sec?x'], /is not an id/],
      [['client', 'show', ''], /'' is not an id/],
      [['client', 'secret', 'rmove', 'a', 'b'], /did you mean 'remove'/],
      [['client', 'update', 'abc'], /nothing to update/],
      [['client', 'list', '--limit', '0'], /--limit must be a number/],
      [['client', 'list', '--limit', 'ten'], /--limit must be a number/],
      [['client', 'list', '-l'], /unknown option -l/],
      [['client', 'list', '--json=yes'], /--json takes no value/],
      [['client', 'list', '--all=1'], /--all takes no value/],
      [['client', 'token', 'abc', '--claim', 'novalue'], /--claim 'novalue' is not K=V/],
      [['client', 'token', 'abc', '--claim', 'n:={bad'], /needs a JSON value/],
      [['client', 'update', 'abc', '--allow-refresh-token', 'yes'], /cannot be 'yes'/],
      [['service', 'create'], /--name is required/],
      [['service', 'approve'], /missing SERVICE_ID/],
      [['service', 'list', '--status', 'gone'], /--status cannot be 'gone'/],
      [['service', 'update', svc.id], /nothing to update/],
      [['user', 'create', '--username', 'u'], /--password is required/],
      [['user', 'update', 'usr_x', '--status', 'deleted'], /--status cannot be 'deleted'/],
    ];
    const requests = await settledRequests(s);
    const audit = await auditCount();
    const afterAudit = await settledRequests(s); // the audit listing itself is logged
    for (const [args, why] of bad) {
      const r = await cli(args);
      assert.equal(r.code, 2, `clavis ${args.join(' ')}: exit 2, got ${r.code}: ${r.stderr}`);
      assert.match(r.stderr, why, `clavis ${args.join(' ')}`);
      assert.match(r.stderr, /\nTry 'clavis ([a-z ]+ )?--help'\.\n$/, `clavis ${args.join(' ')} prints a hint`);
      assert.doesNotMatch(r.stderr, /Usage:/, `clavis ${args.join(' ')} does not print the usage`);
      assert.equal(r.stderr.split('\n').length, 3, `clavis ${args.join(' ')}: one line and the hint`);
      assert.equal(r.stdout, '', `clavis ${args.join(' ')} prints nothing on stdout`);
    }
    assert.ok(afterAudit > requests, 'the request log is on');
    assert.equal(await settledRequests(s), afterAudit, 'no request reached the server');
    assert.equal(await auditCount(), audit, 'nothing changed');
  });

  test('missing credentials exit 2; an unreachable server exits 1', async () => {
    const none = { HOME: dir, XDG_CONFIG_HOME: '', CLAVIS_PROFILE: path.join(dir, 'nowhere', 'p.json'),
      CLAVIS_URL: '', CLAVIS_CLIENT_ID: '', CLAVIS_CLIENT_SECRET: '' };
    const before = await settledRequests(s);
    let r = await cli(['service', 'list'], { creds: none });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /no server URL.*clavis login/);
    r = await cli(['service', 'list', '--url', s.url], { creds: none });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /no client/);
    r = await cli(['service', 'list', '--url', s.url, '--client-id', s.init.client_id], { creds: none });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /no client secret/);
    assert.equal(await settledRequests(s), before, 'nothing sent');

    // Flags win over the variables: a dead port in --url.
    refused(await cli(['service', 'list', '--url', 'http://127.0.0.1:1']), /cannot reach http:\/\/127\.0\.0\.1:1/);
    // A wrong secret: the token endpoint's reason, exit 1.
    refused(await cli(['service', 'list', '--client-secret', 'clv_wrong']),
      /cannot get an admin token: 401 invalid_client/);
  });

  test('service create, list, show, update, approve, deactivate, activate, delete, restore', async () => {
    let r = ok(await cli(['service', 'create', '--name', 'Shop', '--description', 'the web shop']));
    const created = show(r.stdout);
    assert.match(created.id, /\S+/);
    assert.equal(created.name, 'Shop');
    assert.equal(created.description, 'the web shop');
    assert.equal(created.status, 'active');
    assert.equal(created.approval, 'sandbox');
    const id = created.id;

    const j = await json(['service', 'create', '--name', 'Shop 2', '--tenant-id', s.init.tenant_id]);
    assert.equal(j.name, 'Shop 2');
    assert.equal(j.tenant_id, s.init.tenant_id);

    r = ok(await cli(['service', 'list']));
    const rows = table(r.stdout);
    assert.deepEqual(Object.keys(rows[0]), ['ID', 'NAME', 'STATUS', 'APPROVAL', 'TENANT', 'CREATED']);
    const row = rows.find((x) => x.ID === id);
    assert.ok(row, `service ${id} in the table:\n${r.stdout}`);
    assert.equal(row.NAME, 'Shop');
    assert.equal(row.STATUS, 'active');
    assert.equal(rows[0].ID, j.id, 'newest first');

    const list = await json(['service', 'list', '--tenant-id', s.init.tenant_id]);
    assert.ok(Array.isArray(list.items));
    assert.ok(list.items.some((x) => x.id === id));
    const all = await json(['service', 'list', '--all', '--limit', '1']);
    const api = await s.listAll('/admin/v1/services');
    assert.deepEqual(all.items.map((x) => x.id), api.map((x) => x.id), '--all follows every page');

    assert.equal((await json(['service', 'show', id])).description, 'the web shop');
    assert.equal(show(ok(await cli(['service', 'show', id])).stdout).name, 'Shop');
    const upd = await json(['service', 'update', id, '--name', 'Web shop', '--description', 'new']);
    assert.equal(upd.name, 'Web shop');
    assert.equal(upd.description, 'new');

    r = ok(await cli(['service', 'approve', id]));
    assert.match(r.stdout, /approval live/);
    assert.equal((await json(['service', 'show', id])).approval, 'live');
    r = ok(await cli(['service', 'deactivate', id]));
    assert.match(r.stdout, /status inactive/);
    assert.equal((await json(['service', 'activate', id])).status, 'active');

    r = ok(await cli(['service', 'delete', id]));
    assert.match(r.stdout, /Deleted service/);
    assert.ok((await json(['service', 'list', '--status', 'deleted'])).items.some((x) => x.id === id));
    assert.ok(!(await json(['service', 'list'])).items.some((x) => x.id === id), 'deleted ones are left out');
    assert.equal((await json(['service', 'restore', id])).status, 'active');

    refused(await cli(['service', 'show', 'svc_nope']), /^clavis: 404 /);
    refused(await cli(['service', 'create', '--name', 'x'.repeat(201)]), /^clavis: 400 name/);
  });

  test('client create: one of each type; a secret is shown once with a warning', async () => {
    // public: no secret, no warning
    let r = ok(await cli(['client', 'create', '--service-id', svc.id, '--name', 'spa', '--type', 'public',
      '--redirect-uri', 'http://localhost:3000/cb', '--scope', 'openid', '--scope', 'profile']));
    const pub = show(r.stdout);
    assert.equal(pub.type, 'public');
    assert.equal(pub.name, 'spa');
    assert.equal(pub.scopes, 'openid, profile');
    assert.equal(pub.redirect_uris, 'http://localhost:3000/cb');
    assert.equal(pub.client_secret, undefined);
    assert.ok(!r.stderr.includes(WARNING));

    // confidential (table mode): the client, then the secret, with the warning on stderr
    r = ok(await cli(['client', 'create', '--service-id', svc.id, '--name', 'web', '--type', 'confidential',
      '--redirect-uri', 'https://web.example/cb', '--allow-client-credentials', '--role', 'reader',
      '--description', 'the web app', '--access-token-lifetime', '600']));
    const conf = show(r.stdout);
    assert.equal(conf.type, 'confidential');
    assert.equal(conf.allow_client_credentials, 'true');
    assert.equal(conf.access_token_lifetime, '600');
    assert.equal(conf.roles, 'reader');
    assert.match(conf.client_secret, /^clv_/);
    assert.match(conf.secret_id, /\S/);
    assert.ok(r.stderr.includes(WARNING), r.stderr);
    let t = await s.token(conf.client_id, conf.client_secret);
    assert.equal(t.status, 200, t.text);

    // m2m (--json): the API's JSON, parsed; warning on stderr only
    r = ok(await cli(['client', 'create', '--service-id', svc.id, '--name', 'backend', '--type', 'm2m',
      '--scope', 'api', '--audience', 'https://api.example', '--token-alg', 'ES256', '--json']));
    assert.ok(r.stderr.includes(WARNING));
    const m2m = JSON.parse(r.stdout);
    assert.equal(m2m.type, 'm2m');
    assert.deepEqual(m2m.audience, ['https://api.example']);
    assert.equal(m2m.access_token_signing_alg, 'ES256');
    assert.match(m2m.client_secret, /^clv_/);
    assert.equal(typeof m2m.secret.secret_id, 'string');
    t = await s.token(m2m.client_id, m2m.client_secret);
    assert.equal(t.status, 200, t.text);

    // never again: show carries no secret
    r = ok(await cli(['client', 'show', m2m.client_id, '--json']));
    assert.ok(!r.stdout.includes(m2m.client_secret));
    assert.equal(JSON.parse(r.stdout).client_secret, undefined);

    // the server's field errors, exit 1
    r = refused(await cli(['client', 'create', '--service-id', svc.id, '--name', 'bad', '--type', 'public',
      '--redirect-uri', 'http://evil.example/cb']), /^clavis: 400 redirect_uris\[0\]: /);
    refused(await cli(['client', 'create', '--service-id', 'svc_nope', '--name', 'x', '--type', 'm2m']), /^clavis: 40[04] /);
  });

  test('client list filters, --all pages, show, update, If-Match', async () => {
    const own = await s.createService('List tests');
    const made = [];
    for (const [name, type] of [['alpha', 'm2m'], ['beta', 'm2m'], ['gamma one', 'public']]) {
      const extra = type === 'public' ? ['--redirect-uri', 'http://127.0.0.1/cb'] : [];
      made.push(await json(['client', 'create', '--service-id', own.id, '--name', name, '--type', type, ...extra]));
    }
    let r = ok(await cli(['client', 'list', '--service-id', own.id]));
    const rows = table(r.stdout);
    assert.deepEqual(Object.keys(rows[0]), ['CLIENT_ID', 'NAME', 'TYPE', 'STATUS', 'SERVICE', 'CREATED']);
    assert.deepEqual(rows.map((x) => x.CLIENT_ID), made.map((c) => c.client_id).reverse(), 'newest first');
    assert.equal(rows[0].NAME, 'gamma one', 'a name with a space stays in its column');
    assert.equal(rows[0].TYPE, 'public');
    assert.equal(rows[0].SERVICE, own.id);
    assert.equal(rows[2].STATUS, 'active');

    let j = await json(['client', 'list', '--service-id', own.id, '--type', 'm2m']);
    assert.deepEqual(j.items.map((c) => c.name).sort(), ['alpha', 'beta']);
    j = await json(['client', 'list', '--service-id', own.id, '--q', 'GAMMA']);
    assert.deepEqual(j.items.map((c) => c.name), ['gamma one']);
    j = await json(['client', 'list', '--service-id', own.id, '--limit', '1']);
    assert.equal(j.items.length, 1);
    assert.equal(typeof j.next_cursor, 'string', 'one page: the API JSON as is');
    j = await json(['client', 'list', '--service-id', own.id, '--limit', '1', '--all']);
    assert.deepEqual(j.items.map((c) => c.client_id), made.map((c) => c.client_id).reverse());
    assert.equal(j.next_cursor, null);

    // show: key: value lines; update replaces lists
    const c = made[0];
    r = ok(await cli(['client', 'show', c.client_id]));
    const shown = show(r.stdout);
    assert.equal(shown.client_id, c.client_id);
    assert.equal(shown.name, 'alpha');
    assert.equal(shown.status, 'active');
    j = await json(['client', 'update', c.client_id, '--name', 'alpha2', '--scope', 'a', '--scope', 'b',
      '--role', 'r1', '--description', 'changed']);
    assert.equal(j.name, 'alpha2');
    assert.deepEqual(j.scopes, ['a', 'b']);
    assert.deepEqual(j.roles, ['r1']);
    j = await json(['client', 'update', c.client_id, '--scope', 'c']);
    assert.deepEqual(j.scopes, ['c'], 'the list given replaces the old one');

    // If-Match: the version from show
    const v = (await json(['client', 'show', c.client_id])).version;
    refused(await cli(['client', 'update', c.client_id, '--name', 'stale', '--if-match', String(v - 1)]), /^clavis: 412 /);
    j = await json(['client', 'update', c.client_id, '--name', 'fresh', '--if-match', `"${v}"`]);
    assert.equal(j.name, 'fresh');
    j = await json(['client', 'update', c.client_id, '--allow-refresh-token', 'false', '--if-match', String(v + 1)]);
    assert.equal(j.allow_refresh_token, false);

    refused(await cli(['client', 'show', 'no-such-client']), /^clavis: 404 .*no-such-client/);
    refused(await cli(['client', 'update', 'no-such-client', '--name', 'x']), /^clavis: 404 /);
    // client ids are base64url and may start with '-', even '--': still ids, not flags
    for (const id of ['-Nhf68HWU7HsvwwMH3h7pA', '--hf68HWU7HsvwwMH3h7pA']) {
      refused(await cli(['client', 'show', id]), /^clavis: 404 /);
      refused(await cli(['client', 'secret', 'remove', id, id]), /^clavis: 404 /);
    }
  });

  test('client deactivate, activate, delete, restore; protected clients refuse', async () => {
    const c = await json(['client', 'create', '--service-id', svc.id, '--name', 'life', '--type', 'm2m']);
    let r = ok(await cli(['client', 'deactivate', c.client_id]));
    assert.match(r.stdout, new RegExp(`Client ${c.client_id} is now inactive`));
    assert.equal((await s.token(c.client_id, c.client_secret)).status, 401);
    assert.equal((await json(['client', 'activate', c.client_id])).status, 'active');
    assert.equal((await s.token(c.client_id, c.client_secret)).status, 200);

    r = ok(await cli(['client', 'delete', c.client_id]));
    assert.match(r.stdout, /Deleted client .*clavis client restore/);
    const del = await json(['client', 'show', c.client_id]);
    assert.equal(del.status, 'deleted');
    assert.equal(typeof del.purge_at, 'string');
    const deleted = table(ok(await cli(['client', 'list', '--status', 'deleted'])).stdout);
    assert.ok(deleted.some((x) => x.CLIENT_ID === c.client_id && x.STATUS === 'deleted'));
    const restored = await json(['client', 'restore', c.client_id]);
    assert.equal(restored.status, 'active');
    assert.equal(restored.purge_at, null);
    assert.equal((await json(['client', 'delete', c.client_id])).status, 'deleted', '--json on delete');

    refused(await cli(['client', 'deactivate', s.init.client_id]), /^clavis: 409 /);
    refused(await cli(['client', 'delete', s.init.client_id]), /^clavis: 409 /);
    refused(await cli(['client', 'restore', 'no-such-client']), /^clavis: 404 /);
  });

  test('client secret add, list, remove: rotation', async () => {
    const c = await json(['client', 'create', '--service-id', svc.id, '--name', 'rotate', '--type', 'm2m']);
    const old = c.secret.secret_id;

    let r = ok(await cli(['client', 'secret', 'add', c.client_id, '--description', 'v2', '--expires-at', 'never']));
    assert.ok(r.stderr.includes(WARNING));
    const added = show(r.stdout);
    assert.match(added.client_secret, /^clv_/);
    assert.equal(added.expires_at, 'never');
    assert.equal((await s.token(c.client_id, added.client_secret)).status, 200);

    const later = new Date(Date.now() + 30 * 86400e3).toISOString().replace(/\.\d+Z$/, 'Z');
    r = ok(await cli(['client', 'secret', 'add', c.client_id, '--expires-at', later, '--json']));
    assert.ok(r.stderr.includes(WARNING));
    const third = JSON.parse(r.stdout);
    assert.equal(third.expires_at, later);
    assert.match(third.client_secret, /^clv_/);

    r = ok(await cli(['client', 'secret', 'list', c.client_id]));
    const rows = table(r.stdout);
    assert.deepEqual(Object.keys(rows[0]), ['SECRET_ID', 'DESCRIPTION', 'CREATED', 'EXPIRES', 'LAST_USED']);
    assert.equal(rows.length, 3);
    assert.ok(rows.some((x) => x.SECRET_ID === added.secret_id && x.DESCRIPTION === 'v2' && x.EXPIRES === 'never'));
    for (const p of [c.client_secret, added.client_secret, third.client_secret]) {
      assert.ok(!r.stdout.includes(p), 'a list never shows a plaintext');
    }
    const j = await json(['client', 'secret', 'list', c.client_id]);
    assert.deepEqual(j.items.map((x) => x.secret_id).sort(), rows.map((x) => x.SECRET_ID).sort());

    r = ok(await cli(['client', 'secret', 'remove', c.client_id, old]));
    assert.match(r.stdout, /Removed secret/);
    assert.equal((await s.token(c.client_id, c.client_secret)).status, 401, 'the old secret stops working');
    assert.equal((await s.token(c.client_id, added.client_secret)).status, 200, 'the new one works');
    assert.equal((await json(['client', 'secret', 'list', c.client_id])).items.length, 2);

    refused(await cli(['client', 'secret', 'remove', c.client_id, old]), /^clavis: 404 /);
    refused(await cli(['client', 'secret', 'add', c.client_id, '--expires-at', 'tomorrow']), /^clavis: 400 /);
    const pub = await json(['client', 'create', '--service-id', svc.id, '--name', 'p', '--type', 'public',
      '--redirect-uri', 'http://localhost/cb']);
    refused(await cli(['client', 'secret', 'add', pub.client_id]), /^clavis: 4\d\d /);
  });

  test('client token: a test token', async () => {
    const c = await json(['client', 'create', '--service-id', svc.id, '--name', 'tok', '--type', 'm2m',
      '--scope', 'api', '--scope', 'other']);
    let r = ok(await cli(['client', 'token', c.client_id, '--lifetime', '300', '--scope', 'api',
      '--role', 'tester', '--claim', 'team=blue', '--claim', 'level:=3', '--user-id', 'user-42']));
    const token = r.stdout.trim();
    const p = jwtPayload(token);
    assert.equal(p.client_id, c.client_id);
    assert.equal(p.test, true);
    assert.equal(p.scope, 'api');
    assert.equal(p.exp - p.iat, 300);
    assert.equal(p.sub, 'user-42');
    assert.equal(p.team, 'blue');
    assert.equal(p.level, 3);
    assert.deepEqual(p.roles, ['tester']);
    assert.match(r.stderr, /expires in 300 s/);
    const intro = await s.introspect(token);
    assert.equal(intro.body.active, true);

    const j = await json(['client', 'token', c.client_id]);
    assert.equal(typeof j.access_token, 'string');
    assert.match(j.token_type, /^bearer$/i);
    assert.equal(typeof j.expires_in, 'number');

    refused(await cli(['client', 'token', c.client_id, '--scope', 'not-allowed']), /^clavis: 400 /);
    refused(await cli(['client', 'token', 'no-such-client']), /^clavis: 404 /);
  });

  test('user create, list, show, update, delete', async () => {
    let r = ok(await cli(['user', 'create', '--username', 'alice', '--password', 'correct horse',
      '--email', 'alice@example.com', '--role', 'tenant_admin']));
    const u = show(r.stdout);
    assert.equal(u.username, 'alice');
    assert.equal(u.email, 'alice@example.com');
    assert.equal(u.roles, 'tenant_admin');
    assert.ok(!r.stdout.includes('correct horse'));

    const bob = await json(['user', 'create', '--username', 'bob', '--password', '-'], { input: 'battery staple\n' });
    assert.equal(bob.username, 'bob');

    r = ok(await cli(['user', 'list']));
    const rows = table(r.stdout);
    assert.deepEqual(Object.keys(rows[0]), ['ID', 'USERNAME', 'EMAIL', 'ROLES', 'STATUS', 'CREATED']);
    assert.deepEqual(rows.slice(0, 2).map((x) => x.USERNAME), ['bob', 'alice']);
    assert.equal(rows[1].EMAIL, 'alice@example.com');
    const all = await json(['user', 'list', '--all', '--limit', '1']);
    assert.ok(all.items.length >= 3, 'the init admin, alice and bob');

    assert.equal((await json(['user', 'show', u.id])).username, 'alice');
    const upd = await json(['user', 'update', u.id, '--status', 'inactive', '--email', 'a@example.org',
      '--password', '-', '--role', 'r1', '--role', 'r2'], { input: 'another password\n' });
    assert.equal(upd.status, 'inactive');
    assert.equal(upd.email, 'a@example.org');
    assert.deepEqual(upd.roles, ['r1', 'r2']);

    refused(await cli(['user', 'create', '--username', 'carol', '--password', 'short']), /^clavis: 400 password/);
    r = ok(await cli(['user', 'delete', u.id]));
    assert.match(r.stdout, /Deleted user/);
    refused(await cli(['user', 'delete', u.id]), /^clavis: 404 /);
    refused(await cli(['user', 'show', u.id]), /^clavis: 404 /);
  });

  test('login writes a 0600 profile; commands use it and the cached token', async () => {
    const pdir = path.join(dir, 'login');
    const profile = path.join(pdir, 'profile.json');
    const tokenFile = path.join(pdir, 'token.json');
    const bare = { HOME: dir, XDG_CONFIG_HOME: '', CLAVIS_PROFILE: profile,
      CLAVIS_URL: '', CLAVIS_CLIENT_ID: '', CLAVIS_CLIENT_SECRET: '' };

    // wrong secret: exit 1 and no profile
    refused(await cli(['login', '--url', s.url, '--client-id', s.init.client_id, '--client-secret', 'clv_x'],
      { creds: bare }), /401 invalid_client/);
    assert.ok(!existsSync(profile));

    let r = ok(await cli(['login', '--url', `${s.url}/`, '--client-id', s.init.client_id,
      '--client-secret', s.init.client_secret], { creds: bare }));
    assert.match(r.stdout, /Logged in/);
    for (const f of [profile, tokenFile]) {
      assert.equal((await stat(f)).mode & 0o777, 0o600, `${f} is mode 0600`);
    }
    assert.equal((await stat(pdir)).mode & 0o777, 0o700);
    const saved = JSON.parse(await readFile(profile, 'utf8'));
    assert.deepEqual(saved, { url: s.url, client_id: s.init.client_id, client_secret: s.init.client_secret });

    // Commands use the profile; the cached token saves a trip to /token.
    const tokenCalls = async () => {
      await settledRequests(s);
      return requestLines(s).filter((l) => l.includes('"path":"/token"')).length;
    };
    const calls = await tokenCalls();
    r = ok(await cli(['service', 'list'], { creds: bare }));
    assert.ok(table(r.stdout).some((x) => x.ID === svc.id));
    ok(await cli(['client', 'list'], { creds: bare }));
    assert.equal(await tokenCalls(), calls, 'the token cached by login is reused');

    // A cached token the server no longer takes: one new token, then success.
    const cache = JSON.parse(await readFile(tokenFile, 'utf8'));
    await writeFile(tokenFile, JSON.stringify({ ...cache, access_token: 'not-a-token' }), { mode: 0o600 });
    ok(await cli(['service', 'show', svc.id], { creds: bare }));
    assert.equal(await tokenCalls(), calls + 1, 'a 401 fetches a new token once');
    // An expired one is not used.
    const fresh = JSON.parse(await readFile(tokenFile, 'utf8'));
    assert.notEqual(fresh.access_token, 'not-a-token');
    await writeFile(tokenFile, JSON.stringify({ ...fresh, exp: Math.floor(Date.now() / 1000) + 10 }), { mode: 0o600 });
    ok(await cli(['service', 'show', svc.id], { creds: bare }));
    assert.equal(await tokenCalls(), calls + 2, 'a token with under 30 s left is replaced');

    // Flags and variables win over the profile, field by field.
    refused(await cli(['service', 'list', '--client-secret', 'clv_wrong'], { creds: bare }), /401/);
    ok(await cli(['service', 'list'], { creds: { ...bare, CLAVIS_URL: `${s.url}/` } }));
    refused(await cli(['service', 'list', '--url', 'http://127.0.0.1:1', '--client-id', 'x', '--client-secret', 'y'],
      { creds: bare }), /cannot reach/);
    // The profile's secret is only for the profile's server: never sent to another URL.
    for (const other of [{ flag: ['--url', 'http://127.0.0.1:1'] }, { env: { CLAVIS_URL: 'http://127.0.0.1:1' } }]) {
      r = await cli(['service', 'list', ...(other.flag ?? [])], { creds: { ...bare, ...other.env } });
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, /no client/);
    }

    r = ok(await cli(['logout'], { creds: bare }));
    assert.ok(!existsSync(profile) && !existsSync(tokenFile));
    r = await cli(['service', 'list'], { creds: bare });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /clavis login/);
  });

  test('login reads what is missing from stdin, and takes CLAVIS_* variables', async () => {
    const profile = path.join(dir, 'prompt', 'profile.json');
    const bare = { HOME: dir, XDG_CONFIG_HOME: '', CLAVIS_PROFILE: profile,
      CLAVIS_URL: '', CLAVIS_CLIENT_ID: '', CLAVIS_CLIENT_SECRET: '' };
    let r = ok(await cli(['login'], { creds: bare,
      input: `${s.url}\n${s.init.client_id}\n${s.init.client_secret}\n` }));
    assert.equal(JSON.parse(await readFile(profile, 'utf8')).client_secret, s.init.client_secret);
    assert.ok(!r.stdout.includes(s.init.client_secret), 'the secret is not echoed');
    r = await cli(['login'], { creds: bare, input: '' });
    assert.equal(r.code, 2, r.stderr);

    const viaEnv = path.join(dir, 'env-login', 'profile.json');
    r = ok(await cli(['login', '--json'], { creds: { ...env, CLAVIS_PROFILE: viaEnv } }));
    assert.deepEqual(JSON.parse(r.stdout), { url: s.url, client_id: s.init.client_id, profile: viaEnv });
    assert.equal((await stat(viaEnv)).mode & 0o777, 0o600);
    ok(await cli(['client', 'list'], { creds: { HOME: dir, CLAVIS_PROFILE: viaEnv,
      CLAVIS_URL: '', CLAVIS_CLIENT_ID: '', CLAVIS_CLIENT_SECRET: '' } }));
  });

  test('bash completion offers every command and every flag of --help', async () => {
    const COMPLETION = path.join(dir, 'clavis.bash');
    await writeFile(COMPLETION, ok(await cli(['completion', 'bash'])).stdout);
    const complete = (line) => {
      const r = spawnSync('bash', ['-c', `source "$1"; read -ra COMP_WORDS <<< "$2"; COMP_WORDS+=("$3");
        COMP_CWORD=$((\${#COMP_WORDS[@]}-1)); _clavis; printf '%s\\n' "\${COMPREPLY[@]}"`,
      'bash', COMPLETION, line, line.endsWith(' ') ? '' : line.split(' ').pop()], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      return r.stdout.split('\n').filter(Boolean).sort();
    };
    const words = (s) => s.split(' ').sort();
    assert.deepEqual(complete('clavis '), words('apply audit client completion export help init ' +
      'initial-access-token key login logout purge serve server service tenant user'));
    assert.deepEqual(complete('clavis client secret '), words('add list remove'));
    assert.deepEqual(complete('clavis client create --type '), words('confidential m2m public'));
    const cmds = {
      service: 'create list show update approve activate deactivate delete restore',
      client: 'create list show update activate deactivate delete restore token revoke-tokens',
      'client secret': 'add list remove',
      user: 'create list show update delete',
      'user grant': 'list revoke',
      tenant: 'create list show update',
      audit: 'list',
      'initial-access-token': 'create list',
      server: 'policy',
      key: 'rotate list',
    };
    for (const [g, list] of Object.entries(cmds)) {
      for (const c of list.split(' ')) {
        const help = ok(await cli([...g.split(' '), c, '--help'])).stdout;
        const flags = [...new Set([...help.matchAll(/^ {2}(--[a-z-]+)/gm)].map((m) => m[1]))].sort();
        assert.deepEqual(complete(`clavis ${g} ${c} --`), flags, `completion of clavis ${g} ${c}`);
      }
    }
  });

  test('walkthrough: a new user follows the README from login to restore', async () => {
    const home = await mkdtemp(path.join(os.tmpdir(), 'clavis-walk-'));
    // only HOME: the profile goes to ~/.config/clavis as the README says
    const user = { HOME: home, XDG_CONFIG_HOME: '', CLAVIS_PROFILE: '', CLAVIS_URL: '', CLAVIS_CLIENT_ID: '', CLAVIS_CLIENT_SECRET: '' };
    const run = async (...args) => ok(await cli(args, { creds: user }), args.join(' '));
    try {
      await run('login', '--url', s.url, '--client-id', s.init.client_id, '--client-secret', s.init.client_secret);
      assert.equal((await stat(path.join(home, '.config/clavis/profile.json'))).mode & 0o777, 0o600);

      const service = show((await run('service', 'create', '--name', 'Walkthrough', '--description', 'my product')).stdout);
      const spa = show((await run('client', 'create', '--service-id', service.id, '--name', 'web-spa',
        '--type', 'public', '--redirect-uri', 'http://localhost:5173/callback', '--scope', 'openid')).stdout);
      const web = show((await run('client', 'create', '--service-id', service.id, '--name', 'web-app',
        '--type', 'confidential', '--redirect-uri', 'https://app.example.com/callback', '--scope', 'openid')).stdout);
      const m2m = show((await run('client', 'create', '--service-id', service.id, '--name', 'worker',
        '--type', 'm2m', '--scope', 'jobs')).stdout);
      assert.equal(spa.type, 'public');
      assert.match(web.client_secret, /^clv_/);
      assert.match(m2m.client_secret, /^clv_/);
      const rows = table((await run('client', 'list', '--service-id', service.id)).stdout);
      assert.deepEqual(rows.map((r) => r.NAME), ['worker', 'web-app', 'web-spa']);

      // rotate the worker's secret
      const fresh = show((await run('client', 'secret', 'add', m2m.client_id, '--description', 'rotated')).stdout);
      await run('client', 'secret', 'remove', m2m.client_id, m2m.secret_id);
      assert.equal((await s.token(m2m.client_id, fresh.client_secret)).status, 200);
      assert.equal((await s.token(m2m.client_id, m2m.client_secret)).status, 401);

      // mint a test token
      const tok = (await run('client', 'token', m2m.client_id, '--lifetime', '120')).stdout.trim();
      assert.equal(jwtPayload(tok).client_id, m2m.client_id);
      assert.equal((await s.introspect(tok)).body.active, true);

      // deactivate, activate; delete, restore
      await run('client', 'deactivate', m2m.client_id);
      assert.equal((await s.token(m2m.client_id, fresh.client_secret)).status, 401);
      assert.equal((await s.introspect(tok)).body.active, false);
      await run('client', 'activate', m2m.client_id);
      await run('client', 'delete', m2m.client_id);
      assert.equal(show((await run('client', 'show', m2m.client_id)).stdout).status, 'deleted');
      await run('client', 'restore', m2m.client_id);
      assert.equal(show((await run('client', 'show', m2m.client_id)).stdout).status, 'active');
      assert.equal((await s.token(m2m.client_id, fresh.client_secret)).status, 200);
      await run('logout');
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  });

  test('number flags have the server\'s bounds: out of range is the server\'s 400 naming the field', async () => {
    const c = ok(await cli(['client', 'create', '--service-id', svc.id, '--name', 'bounds', '--type', 'm2m', '--json']));
    const id = JSON.parse(c.stdout).client_id;
    // The server's range (60 to 3600 by default, configurable) decides, not a CLI range.
    for (const v of ['0', '59', '3601', '200000000']) {
      const r = refused(await cli(['client', 'update', id, '--access-token-lifetime', v]),
        /^clavis: 400 access_token_lifetime: must be between 60 and 3600 seconds\n$/);
      assert.equal(r.stderr.split('\n').filter((l) => l.includes('access_token_lifetime')).length, 1,
        `the field is named once: ${r.stderr}`);
    }
    ok(await cli(['client', 'update', id, '--access-token-lifetime', '60']));
    ok(await cli(['client', 'update', id, '--access-token-lifetime', '3600']));
    refused(await cli(['client', 'token', id, '--lifetime', '100000000']), /^clavis: 400 lifetime: must be an integer from 60 to 3600/);
    refused(await cli(['client', 'create', '--service-id', svc.id, '--name', 'x', '--type', 'm2m', '--access-token-lifetime', '1']),
      /^clavis: 400 access_token_lifetime: /);
    // still a number, checked before anything is sent
    for (const args of [['client', 'update', id, '--access-token-lifetime', 'ten'], ['client', 'token', id, '--lifetime', '1.5']]) {
      const r = await cli(args);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, /must be a whole number/);
    }
    const help = ok(await cli(['client', 'update', '--help'])).stdout;
    assert.match(help, /--access-token-lifetime SECONDS\s+access token lifetime, within the server's bounds \(60 to 3600 by default\)/);
    assert.doesNotMatch(help, /100000000/);
    // a field error of the server names its field once, then the message
    const long = refused(await cli(['client', 'update', id, '--name', 'n'.repeat(201)]));
    assert.equal(long.stderr, 'clavis: 400 name: must be at most 200 characters\n');
    const exp = refused(await cli(['client', 'secret', 'add', id, '--expires-at', 'tomorrow']));
    assert.equal(exp.stderr, 'clavis: 400 expires_at: must be an RFC 3339 time, or null for never\n');
    assert.match(ok(await cli(['client', 'secret', 'add', '--help'])).stdout, /never \(sent as the API's expires_at: null\)/);
    // never in, null in the API, never out
    const forever = JSON.parse(ok(await cli(['client', 'secret', 'add', id, '--expires-at', 'never', '--json'])).stdout);
    assert.equal(forever.expires_at, null);
    const rows = table(ok(await cli(['client', 'secret', 'list', id])).stdout);
    assert.equal(rows.find((r) => r.SECRET_ID === forever.secret_id).EXPIRES, 'never');
  });

  test('client list shows the effective status and filters by --effective-status', async () => {
    const off = await s.createService('CLI effective');
    const a = JSON.parse(ok(await cli(['client', 'create', '--service-id', off.id, '--name', 'eff-a', '--type', 'm2m', '--json'])).stdout);
    const b = JSON.parse(ok(await cli(['client', 'create', '--service-id', off.id, '--name', 'eff-b', '--type', 'm2m', '--json'])).stdout);
    let rows = table(ok(await cli(['client', 'list', '--service-id', off.id])).stdout);
    assert.deepEqual(rows.map((r) => [r.NAME, r.STATUS]), [['eff-b', 'active'], ['eff-a', 'active']]);
    assert.equal((await s.api('POST', `/admin/v1/services/${off.id}/deactivate`)).status, 200);
    // its own status is still active, but it does not work: the table says so
    rows = table(ok(await cli(['client', 'list', '--service-id', off.id])).stdout);
    assert.deepEqual(rows.map((r) => [r.NAME, r.STATUS]), [['eff-b', 'inactive'], ['eff-a', 'inactive']]);
    assert.equal(show(ok(await cli(['client', 'show', a.client_id])).stdout).status, 'active');
    assert.equal(show(ok(await cli(['client', 'show', a.client_id])).stdout).effective_status, 'inactive');
    const listed = async (...args) => JSON.parse(ok(await cli(['client', 'list', ...args, '--all', '--json'])).stdout)
      .items.map((c) => c.client_id);
    assert.deepEqual(await listed('--effective-status', 'inactive', '--service-id', off.id), [b.client_id, a.client_id]);
    assert.deepEqual(await listed('--effective-status', 'active', '--service-id', off.id), []);
    assert.deepEqual(await listed('--effective-status', 'inactive', '--q', 'eff-'), [b.client_id, a.client_id]);
    assert.deepEqual(await listed('--effective-status', 'inactive', '--limit', '1', '--q', 'eff-'), [b.client_id, a.client_id]);
    assert.ok(!(await listed('--effective-status', 'active')).includes(a.client_id));
    assert.equal((await s.api('DELETE', `/admin/v1/services/${off.id}`)).status, 204);
    rows = table(ok(await cli(['client', 'list', '--effective-status', 'deleted', '--service-id', off.id])).stdout);
    assert.deepEqual(rows.map((r) => [r.NAME, r.STATUS]), [['eff-b', 'deleted'], ['eff-a', 'deleted']]);
    const bad = await cli(['client', 'list', '--effective-status', 'gone']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--effective-status cannot be 'gone'/);
    assert.match(ok(await cli(['client', 'list', '--help'])).stdout, /STATUS is the effective status/);
  });

  test('the server shuts down cleanly', async () => {
    await assertCleanShutdown(s);
  });
});

// The commands and flags added for a complete CLI (docs/CLI.md): every writable client field
// from a flag (--jwks from a file, --unset), tenants, the audit trail with its field
// changes, initial access tokens that register through openid-client, revoke-tokens,
// consents listed and revoked, and the completion scripts for zsh and fish.
describe('clavis admin command line: every field, tenants, audit, registration, consents', () => {
  let s;
  let dir;
  let env;
  let svc;

  const cli = (args, input) => runCli(args, { env, input });
  const ok = (r, what = '') => {
    assert.equal(r.code, 0, `${what} exit 0, got ${r.code}: ${r.stderr}`);
    return r;
  };
  const json = async (...args) => JSON.parse(ok(await cli([...args, '--json']), args.join(' ')).stdout);

  before(async () => {
    s = await start();
    dir = await mkdtemp(path.join(os.tmpdir(), 'clavis-cli2-'));
    env = { HOME: dir, XDG_CONFIG_HOME: '', CLAVIS_PROFILE: path.join(dir, 'profile.json'),
      CLAVIS_URL: s.url, CLAVIS_CLIENT_ID: s.init.client_id, CLAVIS_CLIENT_SECRET: s.init.client_secret };
    svc = await s.createService('CLI fields');
  });
  after(async () => {
    await stopUnstopped(s);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test('every writable client field has a flag; --unset resets; --jwks reads a file', async () => {
    const { publicKey } = await (await import('jose')).generateKeyPair('ES256');
    const jwk = { ...(await (await import('jose')).exportJWK(publicKey)), kid: 'k1', use: 'sig' };
    const jwksFile = path.join(dir, 'jwks.json');
    await writeFile(jwksFile, JSON.stringify({ keys: [jwk] }));
    const c = await json('client', 'create', '--service-id', svc.id, '--name', 'full', '--type', 'confidential',
      '--description', 'every field',
      '--redirect-uri', 'https://full.example.com/cb', '--redirect-uri', 'https://full.example.com/cb2',
      '--post-logout-redirect-uri', 'https://full.example.com/bye', '--cors-origin', 'https://full.example.com',
      '--scope', 'openid', '--role', 'reader', '--audience', 'https://api.example.com',
      '--token-alg', 'ES256', '--access-token-lifetime', '900', '--refresh-token-lifetime', '86400',
      '--auth-method', 'private_key_jwt', '--jwks', `@${jwksFile}`, '--subject-type', 'pairwise',
      '--allow-refresh-token', '--allow-client-credentials', '--require-pkce', 'false', '--first-party', 'false',
      '--client-uri', 'https://full.example.com', '--logo-uri', 'https://full.example.com/logo.png',
      '--policy-uri', 'https://full.example.com/privacy', '--tos-uri', 'https://full.example.com/tos',
      '--contact', 'ops@full.example.com', '--contact', 'dev@full.example.com',
      '--software-id', 'full-app', '--software-version', '1.2.3');
    const want = {
      description: 'every field', redirect_uris: ['https://full.example.com/cb', 'https://full.example.com/cb2'],
      post_logout_redirect_uris: ['https://full.example.com/bye'], allowed_cors_origins: ['https://full.example.com'],
      scopes: ['openid'], roles: ['reader'], audience: ['https://api.example.com'], access_token_signing_alg: 'ES256',
      access_token_lifetime: 900, refresh_token_lifetime: 86400, token_endpoint_auth_method: 'private_key_jwt',
      jwks: { keys: [jwk] }, subject_type: 'pairwise', allow_refresh_token: true, allow_client_credentials: true,
      require_pkce: false, first_party: false, client_uri: 'https://full.example.com',
      logo_uri: 'https://full.example.com/logo.png', policy_uri: 'https://full.example.com/privacy',
      tos_uri: 'https://full.example.com/tos', contacts: ['ops@full.example.com', 'dev@full.example.com'],
      software_id: 'full-app', software_version: '1.2.3',
    };
    for (const [k, v] of Object.entries(want)) assert.deepEqual(c[k], v, k);

    // update: a list flag replaces the list, --unset resets a field, the rest stays
    const u = await json('client', 'update', c.client_id, '--contact', 'new@full.example.com',
      '--unset', 'jwks', '--auth-method', 'client_secret_basic', '--unset', 'logo_uri', '--unset', 'audience',
      '--jwks-uri', 'https://full.example.com/jwks.json');
    assert.deepEqual(u.contacts, ['new@full.example.com']);
    assert.equal(u.jwks, null);
    assert.equal(u.logo_uri, null);
    assert.deepEqual(u.audience, []);
    assert.equal(u.jwks_uri, 'https://full.example.com/jwks.json');
    assert.equal(u.software_version, '1.2.3');
    const bad = await cli(['client', 'update', c.client_id, '--jwks', '{not json']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--jwks: /);
    const both = await cli(['client', 'update', c.client_id, '--unset', 'contacts', '--contact', 'x@y.example']);
    assert.equal(both.code, 2);
    const unknown = await cli(['client', 'update', c.client_id, '--unset', 'colour']);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /colour/);
  });

  test('client revoke-tokens: its tokens stop working', async () => {
    const m = await s.createClient({ service_id: svc.id, name: 'revoked', scopes: ['x'] });
    const tok = (await s.token(m.client_id, m.client_secret)).body.access_token;
    assert.equal((await s.introspect(tok)).body.active, true);
    const r = ok(await cli(['client', 'revoke-tokens', m.client_id]));
    assert.match(r.stdout, /^Revoked the tokens of client /);
    assert.equal((await s.introspect(tok)).body.active, false);
    assert.deepEqual(await json('client', 'revoke-tokens', m.client_id), { revoked: 0 });
  });

  test('tenant create, list, show, update', async () => {
    const t = await json('tenant', 'create', '--name', 'Acme');
    assert.equal(t.name, 'Acme');
    const rows = ok(await cli(['tenant', 'list'])).stdout;
    assert.match(rows, /^ID\s+NAME\s+STATUS\s+CREATED$/m);
    assert.match(rows, new RegExp(`^${t.id}\\s+Acme\\s+active\\s`, 'm'));
    assert.match(ok(await cli(['tenant', 'show', t.id])).stdout, /^name:\s+Acme$/m);
    const u = await json('tenant', 'update', t.id, '--name', 'Acme Corp', '--status', 'inactive');
    assert.deepEqual([u.name, u.status], ['Acme Corp', 'inactive']);
    const none = await cli(['tenant', 'update', t.id]);
    assert.equal(none.code, 2);
    const init = await cli(['tenant', 'update', s.init.tenant_id, '--status', 'inactive']);
    assert.equal(init.code, 1);
    assert.match(init.stderr, /409/);
  });

  test('audit list: filters, and each event with its field changes', async () => {
    const m = await s.createClient({ service_id: svc.id, name: 'audited', scopes: ['x'] });
    ok(await cli(['client', 'update', m.client_id, '--access-token-lifetime', '600', '--description', 'seen']));
    const out = ok(await cli(['audit', 'list', '--target', m.client_id])).stdout;
    const lines = out.split('\n');
    assert.match(lines[0], /^AT\s+ACTION\s+ACTOR\s+TARGET$/);
    const upd = lines.findIndex((l) => /\sclient\.update\s/.test(l));
    assert.ok(upd > 0, out);
    assert.match(lines[upd], new RegExp(`client:${s.init.client_id}\\s+client:${m.client_id}$`));
    const changes = [];
    for (let i = upd + 1; i < lines.length && lines[i].startsWith('    '); i++) changes.push(lines[i].trim());
    assert.ok(changes.includes('access_token_lifetime: 3600 → 600'), changes.join('|'));
    assert.ok(changes.includes('description: - → seen'), changes.join('|'));
    const j = await json('audit', 'list', '--target', m.client_id, '--actor', s.init.client_id,
      '--since', '2000-01-01T00:00:00Z', '--limit', '1', '--all');
    assert.deepEqual(j.items.map((e) => e.action), ['client.update', 'client.create']);
    const future = await json('audit', 'list', '--target', m.client_id, '--since', '2999-01-01T00:00:00Z');
    assert.deepEqual(future.items, []);
    const bad = await cli(['audit', 'list', '--since', 'yesterday']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /since/);
  });

  test('initial-access-token create: shown once, and it registers a client', async () => {
    const r = ok(await cli(['initial-access-token', 'create', '--service-id', svc.id, '--expires-in', '600', '--uses', '2']));
    assert.match(r.stderr, /Store this token now/);
    const token = /^token:\s+(clv_iat_\S+)$/m.exec(r.stdout)[1];
    assert.match(r.stdout, /^uses:\s+2$/m);
    const client = await import('openid-client');
    const cfg = await client.dynamicClientRegistration(new URL(s.url), {
      client_name: 'registered', redirect_uris: ['http://127.0.0.1:9/cb'], token_endpoint_auth_method: 'none',
    }, client.None(), { initialAccessToken: token, execute: [client.allowInsecureRequests] });
    assert.ok(cfg.clientMetadata().client_id);
    const any = await json('initial-access-token', 'create', '--service-id', svc.id, '--unlimited');
    assert.equal(any.uses, null);
    const clash = await cli(['initial-access-token', 'create', '--service-id', svc.id, '--unlimited', '--uses', '3']);
    assert.equal(clash.code, 2);

    // list: the usable ones, newest first, never the token; a tenant admin sees its own only
    const id = /^id:\s+(iat_\S+)$/m.exec(r.stdout)[1];
    const listed = await json('initial-access-token', 'list', '--service-id', svc.id);
    assert.deepEqual(listed.items.map((x) => [x.id, x.uses]), [[any.id, null], [id, 1]]);
    assert.equal(listed.items[1].created_by, s.init.client_id);
    assert.ok(!JSON.stringify(listed).includes('clv_iat_'), 'no token in the list');
    const table = ok(await cli(['initial-access-token', 'list'])).stdout;
    assert.match(table, /^ID\s+SERVICE\s+USES_LEFT\s+EXPIRES\s+CREATED\s+CREATED_BY$/m);
    assert.match(table, new RegExp(`^${any.id}\\s+${svc.id}\\s+unlimited\\s`, 'm'));
    const other = await s.api('POST', '/admin/v1/tenants', { name: 'Other' });
    const osvc = await s.createService('other svc', { tenant_id: other.body.id });
    const oadmin = await s.createClient({ service_id: osvc.id, name: 'other admin', scopes: ['admin'], roles: ['tenant_admin'] });
    const mine = await runCli(['initial-access-token', 'list', '--json'], { env: { ...env,
      CLAVIS_CLIENT_ID: oadmin.client_id, CLAVIS_CLIENT_SECRET: oadmin.client_secret,
      CLAVIS_PROFILE: path.join(dir, 'other-profile.json') } });
    assert.equal(mine.code, 0, mine.stderr);
    assert.deepEqual(JSON.parse(mine.stdout).items, [], 'another tenant sees none of them');
  });

  test('user grant list and revoke: a consent given on the consent page', async () => {
    const { Browser, parseForm } = await import('./browser.mjs');
    const client = await import('openid-client');
    const cb = 'http://127.0.0.1:9/cb';
    const third = await json('client', 'create', '--service-id', svc.id, '--name', 'third', '--type', 'public',
      '--redirect-uri', cb, '--scope', 'openid', '--first-party', 'false');
    const cfg = await client.discovery(new URL(s.url), third.client_id, undefined, client.None(),
      { execute: [client.allowInsecureRequests] });
    const url = client.buildAuthorizationUrl(cfg, { redirect_uri: cb, scope: 'openid', state: 'st',
      code_challenge_method: 'S256', code_challenge: await client.calculatePKCECodeChallenge(client.randomPKCECodeVerifier()) });
    const b = new Browser();
    const page = await b.get(url.href);
    const login = parseForm(page.text);
    const consent = await b.post(login.action, { ...login.fields, username: s.init.admin_username,
      password: s.init.admin_password });
    assert.equal(consent.status, 200, consent.text.slice(0, 300));
    const form = parseForm(consent.text);
    assert.equal((await b.post(form.action, { ...form.fields, consent: 'allow' })).status, 302);

    const user = (await s.listAll('/admin/v1/users')).find((x) => x.username === s.init.admin_username);
    const list = ok(await cli(['user', 'grant', 'list', user.id])).stdout;
    assert.match(list, /^CLIENT_ID\s+SCOPE\s+CREATED\s+UPDATED$/m);
    assert.match(list, new RegExp(`^${third.client_id}\\s+openid\\s`, 'm'));
    const r = ok(await cli(['user', 'grant', 'revoke', user.id, third.client_id]));
    assert.match(r.stdout, /^Revoked the consent of user /);
    assert.deepEqual((await json('user', 'grant', 'list', user.id)).items, []);
    const again = await cli(['user', 'grant', 'revoke', user.id, third.client_id]);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /404/);
  });

  test('completion for zsh and fish comes from the same table as bash', async (t) => {
    const has = (sh) => spawnSync('sh', ['-c', `command -v ${sh}`]).status === 0;
    const zsh = ok(await cli(['completion', 'zsh'])).stdout;
    assert.match(zsh, /^#compdef clavis$/m);
    assert.match(zsh, /bashcompinit/);
    assert.match(zsh, /'client create --type'\) echo 'public confidential m2m'/);
    const fish = ok(await cli(['completion', 'fish'])).stdout;
    assert.match(fish, /-n "__clavis_is 'client create'" -l redirect-uri -x/);
    const bad = await cli(['completion', 'tcsh']);
    assert.equal(bad.code, 2);
    if (has('zsh')) {
      const file = path.join(dir, 'clavis.zsh');
      await writeFile(file, zsh);
      const r = spawnSync('zsh', ['-c', `autoload -U compinit && compinit -u; source "$1";
        emulate sh -c 'COMP_WORDS=(clavis client create --type ""); COMP_CWORD=4; _clavis; echo "\${COMPREPLY[@]}";
        COMP_WORDS=(clavis --url x user grant ""); COMP_CWORD=5; _clavis; echo "\${COMPREPLY[@]}"'`, 'zsh', file],
      { encoding: 'utf8', env: { ...process.env, HOME: dir } });
      assert.equal(r.status, 0, r.stderr);
      assert.deepEqual(r.stdout.trim().split('\n'), ['public confidential m2m', 'list revoke']);
    } else {
      t.diagnostic('zsh is not installed (scripts/deps.sh test installs it): zsh run skipped');
    }
    if (has('fish')) {
      const file = path.join(dir, 'clavis.fish');
      await writeFile(file, fish);
      const complete = (line) => {
        const r = spawnSync('fish', ['-c', 'source $argv[1]; complete -C $argv[2]', file, line],
          { encoding: 'utf8', env: { ...process.env, HOME: dir } });
        assert.equal(r.status, 0, r.stderr);
        assert.equal(r.stderr, '');
        return r.stdout.split('\n').filter(Boolean).map((l) => l.split('\t')[0]).sort();
      };
      assert.deepEqual(complete('clavis client secret '), ['add', 'list', 'remove']);
      assert.deepEqual(complete('clavis --url x client create --type '), ['confidential', 'm2m', 'public']);
      assert.ok(complete('clavis ').includes('apply'));
      const help = ok(await cli(['user', 'grant', 'list', '--help'])).stdout;
      const flags = [...new Set([...help.matchAll(/^ {2}(--[a-z-]+)/gm)].map((m) => m[1]))].sort();
      assert.deepEqual(complete('clavis user grant list --'), flags);
    } else {
      t.diagnostic('fish is not installed (scripts/deps.sh test installs it): fish run skipped');
    }
  });

  test('the server shuts down cleanly', async () => {
    await assertCleanShutdown(s);
  });
});
