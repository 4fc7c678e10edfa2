// Signing-key rotation (docs/DESIGN.md "Signing keys and the KEK", docs/API.md "Signing keys"):
// the keys live in the database sealed under a key-encryption key that is not in it; a
// rotation makes new keys active at once while the retired ones stay in /jwks until every
// token they signed has expired (their retire_at), and every node signs with the new key
// within a second. Runs on SQLite, and on PostgreSQL when CLAVIS_TEST_STORE_URL names one.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rename, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as jose from 'jose';
import {
  assertCleanShutdown, protocolPost, runCli, sleep, start, startSecondNode, stopUnstopped,
} from './harness.mjs';

const postgres = /^postgres(ql)?:\/\//.test(process.env.CLAVIS_TEST_STORE_URL ?? '');

/** The whole database as text: `sqlite3 .dump`, or pg_dump. */
function dump(db) {
  const [cmd, args] = postgres ? ['pg_dump', [db]] : ['sqlite3', [db, '.dump']];
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { maxBuffer: 64 << 20 }, (e, out, err) => (e ? reject(new Error(`${cmd}: ${err}`)) : resolve(out)));
  });
}

const kidOf = (jwt) => jose.decodeProtectedHeader(jwt).kid;

// Access tokens live at most 4 s and a retired key stays 1 s longer: retirement in seconds.
const SHORT = { CLAVIS_ACCESS_TOKEN_MIN: '1', CLAVIS_ACCESS_TOKEN_MAX: '4', CLAVIS_KEY_RETIRE_MARGIN: '1' };

describe('signing key rotation', () => {
  let s;
  let c;

  before(async () => {
    s = await start({ env: SHORT });
    const svc = await s.createService('keys');
    c = await s.createClient({ service_id: svc.id, scopes: ['read'] });
  });
  after(async () => { await stopUnstopped(s); });

  // The admin token lives 4 s here: a new one for every call.
  const admin = async (method, p, body) => s.api(method, p, body, { token: await s.adminToken({ fresh: true }) });

  test('tokens issued while the keys rotate all verify against /jwks, before and after', async () => {
    // A relying party as jose makes one: it fetches /jwks again when it sees an unknown kid
    // (OpenID Connect Core §10.1.1).
    const jwks = jose.createRemoteJWKSet(new URL(`${s.url}/jwks`), { cooldownDuration: 0 });
    const before = (await admin('GET', '/admin/v1/keys')).body.items;
    const oldRs = before.find((k) => k.alg === 'RS256' && k.state === 'active');
    assert.ok(oldRs, JSON.stringify(before));
    let stop = false;
    const seen = new Set();
    let issued = 0;
    const failures = [];
    const loop = (async () => {
      while (!stop) {
        const t = await s.token(c.client_id, c.client_secret);
        if (t.status !== 200) { failures.push(`token ${t.status} ${t.text}`); continue; }
        const jwt = t.body.access_token;
        issued++;
        seen.add(kidOf(jwt));
        try {
          await jose.jwtVerify(jwt, jwks, { issuer: s.url });
        } catch (e) { failures.push(`jose: ${e.message}`); }
        const i = await s.introspect(jwt);
        if (i.body.active !== true) failures.push(`introspection: ${i.text}`);
      }
    })();
    await sleep(400);
    const t0 = Date.now();
    const r = await admin('POST', '/admin/v1/keys/rotate', {});
    assert.equal(r.status, 201, r.text);
    assert.deepEqual(r.body.items.map((k) => k.alg).sort(), ['ES256', 'EdDSA', 'RS256']);
    for (const k of r.body.items) {
      assert.equal(k.state, 'active');
      assert.equal(k.retire_at, null);
      assert.deepEqual(Object.keys(k).sort(), ['alg', 'created_at', 'kid', 'retire_at', 'state']);
    }
    const newRs = r.body.items.find((k) => k.alg === 'RS256');
    await sleep(800);
    stop = true;
    await loop;
    assert.deepEqual(failures, []);
    assert.ok(issued > 5, `only ${issued} tokens`);
    assert.ok(seen.has(oldRs.kid) && seen.has(newRs.kid), `kids seen: ${[...seen]}`);

    // the old key is retired, and stays published until its retire_at
    const list = (await admin('GET', '/admin/v1/keys')).body.items;
    const old = list.find((k) => k.kid === oldRs.kid);
    assert.equal(old.state, 'retired');
    const retireAt = Date.parse(old.retire_at);
    // rotation time + the longest access-token lifetime (4 s) + the margin (1 s)
    assert.ok(Math.abs(retireAt - (t0 + 5000)) <= 2000, `retire_at ${old.retire_at}, rotated at ${new Date(t0).toISOString()}`);
    assert.equal(list.filter((k) => k.state === 'active').length, 3);
    const published = async () => (await (await fetch(`${s.url}/jwks`)).json()).keys.map((k) => k.kid);
    assert.ok((await published()).includes(oldRs.kid), 'a retired key is still in /jwks');
    assert.ok((await published()).includes(newRs.kid));
    while (Date.now() < retireAt - 1000) {
      assert.ok((await published()).includes(oldRs.kid), 'the retired key left /jwks before its retire_at');
      await sleep(200);
    }
    // then it leaves (the node checks every half second), from /jwks and from the list
    while ((await published()).includes(oldRs.kid)) {
      assert.ok(Date.now() < retireAt + 2500, 'the retired key is still in /jwks 2.5 s after its retire_at');
      await sleep(100);
    }
    assert.ok((await published()).includes(newRs.kid));
    assert.ok(!(await admin('GET', '/admin/v1/keys')).body.items.some((k) => k.kid === oldRs.kid));
  });

  test('one alg only; the rotation is audited; a bad body is a 400 that changes nothing', async () => {
    const before = (await admin('GET', '/admin/v1/keys')).body.items;
    const r = await admin('POST', '/admin/v1/keys/rotate', { alg: 'ES256' });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.body.items.length, 1);
    assert.equal(r.body.items[0].alg, 'ES256');
    const events = (await admin('GET', `/admin/v1/audit?target=${r.body.items[0].kid}`)).body.items;
    assert.equal(events.length, 1);
    assert.equal(events[0].action, 'key.rotate');
    assert.equal(events[0].actor.id, s.init.client_id);
    assert.deepEqual(events[0].target, { type: 'key', id: r.body.items[0].kid });
    const oldEs = before.find((k) => k.alg === 'ES256' && k.state === 'active');
    assert.deepEqual(events[0].changes, { kid: { from: oldEs.kid, to: r.body.items[0].kid } });
    const mid = (await admin('GET', '/admin/v1/keys')).body.items;
    for (const bad of [{ alg: 'HS256' }, { alg: 'none' }, { algorithm: 'RS256' }, { alg: 5 }]) {
      const b = await admin('POST', '/admin/v1/keys/rotate', bad);
      assert.equal(b.status, 400, `${JSON.stringify(bad)}: ${b.text}`);
    }
    assert.deepEqual((await admin('GET', '/admin/v1/keys')).body.items, mid);
  });

  test('a published next key is in /jwks before it signs; the rotation makes it active', async () => {
    const pub = await admin('POST', '/admin/v1/keys/publish', { alg: 'RS256' });
    assert.equal(pub.status, 201, pub.text);
    assert.equal(pub.body.items.length, 1);
    const next = pub.body.items[0];
    assert.deepEqual([next.alg, next.state, next.retire_at], ['RS256', 'next', null]);
    const listed = (await admin('GET', '/admin/v1/keys')).body.items.find((k) => k.kid === next.kid);
    assert.equal(listed?.state, 'next');
    const jwks = (await (await fetch(`${s.url}/jwks`)).json()).keys.map((k) => k.kid);
    assert.ok(jwks.includes(next.kid), 'published in /jwks');
    // tokens are still signed by the active key
    const before = await s.token(c.client_id, c.client_secret);
    assert.equal(before.status, 200, before.text);
    assert.notEqual(kidOf(before.body.access_token), next.kid);
    // publishing again leaves it as it is
    const again = await admin('POST', '/admin/v1/keys/publish', { alg: 'RS256' });
    assert.deepEqual([again.status, again.body.items], [201, []]);
    const events = (await admin('GET', `/admin/v1/audit?target=${next.kid}`)).body.items;
    assert.deepEqual(events.map((e) => e.action), ['key.publish']);
    // the rotation makes it active; no new key is made
    const rot = await admin('POST', '/admin/v1/keys/rotate', { alg: 'RS256' });
    assert.equal(rot.status, 201, rot.text);
    assert.equal(rot.body.items[0].kid, next.kid);
    assert.equal(rot.body.items[0].state, 'active');
    const after_ = await s.token(c.client_id, c.client_secret);
    assert.equal(kidOf(after_.body.access_token), next.kid);
    const keys = (await admin('GET', '/admin/v1/keys')).body.items;
    assert.ok(!keys.some((k) => k.state === 'next'), JSON.stringify(keys));
  });

  test('a tenant admin gets 403, and no token 401; nothing changes', async () => {
    const svcs = await s.listAll('/admin/v1/services', { token: await s.adminToken({ fresh: true }) });
    const initSvc = svcs.find((v) => v.tenant_id === s.init.tenant_id);
    const ta = await s.createClient({ service_id: initSvc.id, roles: ['tenant_admin'], scopes: ['admin'] },
      { token: await s.adminToken({ fresh: true }) });
    const before = (await admin('GET', '/admin/v1/keys')).body.items;
    const token = (await s.token(ta.client_id, ta.client_secret, { scope: 'admin' })).body.access_token;
    const list = await s.api('GET', '/admin/v1/keys', undefined, { token });
    assert.equal(list.status, 403, list.text);
    const rot = await s.api('POST', '/admin/v1/keys/rotate', {}, { token });
    assert.equal(rot.status, 403, rot.text);
    const pub = await s.api('POST', '/admin/v1/keys/publish', {}, { token });
    assert.equal(pub.status, 403, pub.text);
    assert.equal((await s.api('POST', '/admin/v1/keys/publish', {}, { token: null })).status, 401);
    assert.equal((await s.api('POST', '/admin/v1/keys/rotate', {}, { token: null })).status, 401);
    assert.deepEqual((await admin('GET', '/admin/v1/keys')).body.items, before);
  });

  test('clavis key rotate and clavis key list', async () => {
    const creds = ['--url', s.url, '--client-id', s.init.client_id, '--client-secret', s.init.client_secret];
    const env = { HOME: '/nonexistent', CLAVIS_PROFILE: '/nonexistent/profile.json' };
    const rot = await runCli(['key', 'rotate', '--alg', 'EdDSA', '--json', ...creds], { env });
    assert.equal(rot.code, 0, rot.stderr);
    const made = JSON.parse(rot.stdout).items;
    assert.equal(made.length, 1);
    assert.equal(made[0].alg, 'EdDSA');
    const list = await runCli(['key', 'list', ...creds], { env });
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /^KID\s+ALG\s+STATE\s+CREATED\s+RETIRE_AT/);
    assert.ok(list.stdout.includes(made[0].kid));
    assert.doesNotMatch(list.stdout, /PRIVATE|sealed/);
    const bad = await runCli(['key', 'rotate', '--alg', 'HS256', ...creds], { env });
    assert.equal(bad.code, 2);
  });

  test('a dump of the database holds no private key, and not the key-encryption key', async () => {
    const text = await dump(s.db);
    assert.ok(text.includes('signing_keys'), 'the dump has the keys table');
    assert.doesNotMatch(text, /PRIVATE KEY|-----BEGIN/);
    assert.doesNotMatch(text, /key:(hmac|rs256|es256|eddsa|pairwise_salt)/, 'no key in clear in meta');
    const kek = postgres ? process.env.CLAVIS_KEK : (await readFile(`${s.db}.kek`, 'utf8')).trim();
    assert.ok(kek.length >= 43);
    assert.ok(!text.includes(kek));
  });

  test('the server stops cleanly', async () => { await assertCleanShutdown(s); });
});

describe('the key-encryption key', { skip: postgres && 'a file beside an SQLite database' }, () => {
  test('a database whose KEK is missing or wrong is refused, naming where it looked', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'clavis-kek-'));
    const s = { db: path.join(dir, 'k.db') };
    assert.equal((await runCli(['init', '--db', s.db, '--json'])).code, 0);
    await rename(`${s.db}.kek`, `${s.db}.kek.saved`);
    const missing = await runCli(['purge', '--db', s.db]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /sealed under a key-encryption key that is not at .*\.kek/);
    const wrong = await runCli(['purge', '--db', s.db], { env: { CLAVIS_KEK: Buffer.alloc(32, 7).toString('base64url') } });
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, /does not open this database's keys/);
    const right = (await readFile(`${s.db}.kek.saved`, 'utf8')).trim();
    const ok = await runCli(['purge', '--db', s.db], { env: { CLAVIS_KEK: right } });
    assert.equal(ok.code, 0, ok.stderr);
    await rm(dir, { recursive: true, force: true });
  });
});

describe('two nodes on one database', () => {
  let a;
  let b;
  let c;

  before(async () => {
    a = await start();
    b = await startSecondNode(a.db, [], { issuer: a.url });
    const svc = await a.createService('keys-2');
    c = await a.createClient({ service_id: svc.id, scopes: ['read'] });
  });
  after(async () => {
    if (b && !b.stopped) await b.stop().catch(() => {});
    await stopUnstopped(a);
  });

  const tokenAt = async (url) => {
    const t = await protocolPost(url, '/token', { clientId: c.client_id, clientSecret: c.client_secret,
      params: { grant_type: 'client_credentials' } });
    assert.equal(t.status, 200, t.text);
    return t.body.access_token;
  };

  test('a rotation on node a signs on node b within one second, and b verifies a\'s tokens', async (t) => {
    const before = kidOf(await tokenAt(b.url));
    const r = await a.api('POST', '/admin/v1/keys/rotate', { alg: 'RS256' });
    assert.equal(r.status, 201, r.text);
    const t0 = Date.now(); // committed: node a answers once its rotation is in the database
    const kid = r.body.items[0].kid;
    assert.notEqual(kid, before);
    assert.equal(kidOf(await tokenAt(a.url)), kid, 'node a signs with the new key at once');
    let ms;
    for (;;) {
      const got = kidOf(await tokenAt(b.url));
      ms = Date.now() - t0;
      if (got === kid) break;
      assert.equal(got, before);
      assert.ok(ms < 3000, 'node b still signs with the old key after 3 s');
      await sleep(20);
    }
    t.diagnostic(`node b signed with the new key ${ms} ms after the rotation (${postgres ? 'postgres: told by NOTIFY' : 'sqlite: polled'})`);
    assert.ok(ms <= 1000, `node b signed with the old key for ${ms} ms`);
    // each node verifies what the other signed, old key and new
    const jwks = jose.createRemoteJWKSet(new URL(`${b.url}/jwks`), { cooldownDuration: 0 });
    for (const tok of [await tokenAt(a.url), await tokenAt(b.url)]) {
      await jose.jwtVerify(tok, jwks, { issuer: a.url });
      const i = await protocolPost(b.url, '/introspect', { clientId: a.init.client_id,
        clientSecret: a.init.client_secret, params: { token: tok } });
      assert.equal(i.body.active, true);
    }
  });

  test('both nodes stop cleanly', async () => {
    await b.stop();
    await assertCleanShutdown(a);
  });
});

describe('automatic rotation on two nodes', () => {
  let a;
  let b;

  before(async () => {
    // every 3 s (CLAVIS_KEY_ROTATION is --key-rotation-days as a duration)
    a = await start({ env: { CLAVIS_KEY_ROTATION: '3s' } });
    process.env.CLAVIS_KEY_ROTATION = '3s';
    try {
      b = await startSecondNode(a.db, [], { issuer: a.url });
    } finally {
      delete process.env.CLAVIS_KEY_ROTATION;
    }
  });
  after(async () => {
    if (b && !b.stopped) await b.stop().catch(() => {});
    await stopUnstopped(a);
  });

  test('both nodes check, one key is made per period and alg, published first, audited as the system', async () => {
    await sleep(7500);
    const keys = (await a.api('GET', '/admin/v1/keys')).body.items;
    for (const alg of ['RS256', 'ES256', 'EdDSA']) {
      const mine = keys.filter((k) => k.alg === alg).sort((x, y) => Date.parse(x.created_at) - Date.parse(y.created_at));
      assert.equal(mine.filter((k) => k.state === 'active').length, 1, `${alg}: ${JSON.stringify(mine)}`);
      assert.ok(mine.filter((k) => k.state === 'next').length <= 1, `${alg}: ${JSON.stringify(mine)}`);
      // created_at of an active or retired key is when it began to sign
      const signed = mine.filter((k) => k.state !== 'next');
      assert.ok(signed.length >= 2 && signed.length <= 4, `${alg}: ${signed.length} keys in 7.5 s`);
      for (let i = 1; i < signed.length; i++) {
        const gap = Date.parse(signed[i].created_at) - Date.parse(signed[i - 1].created_at);
        assert.ok(gap >= 3000, `${alg}: two keys ${gap} ms apart (two nodes rotated at once?)`);
      }
    }
    const events = (await a.api('GET', '/admin/v1/audit?actor=key-rotation&limit=100')).body.items;
    const rotations = events.filter((e) => e.action === 'key.rotate');
    assert.ok(rotations.length >= 3, JSON.stringify(events));
    for (const e of events) assert.equal(e.actor.type, 'system');
    // every key the rotation made active was published (key.publish) before it signed
    const published = new Map(events.filter((e) => e.action === 'key.publish').map((e) => [e.target.id, e]));
    for (const r of rotations) {
      const p = published.get(r.target.id);
      assert.ok(p, `${r.target.id} signed without being published first: ${JSON.stringify(events)}`);
      assert.ok(p.id < r.id, JSON.stringify([p, r])); // event ids are time-ordered (ULIDs)
    }
    // both sign with the same, newest keys
    let same = false;
    let last;
    for (let i = 0; i < 5 && !same; i++) {
      const [ja, jb] = await Promise.all([a.url, b.url].map(async (u) => (await fetch(`${u}/jwks`)).text()));
      same = ja === jb;
      last = [ja, jb];
      if (!same) await sleep(300);
    }
    assert.ok(same, `the nodes publish different keys: ${last.join('\n')}`);
  });

  test('both nodes stop cleanly', async () => {
    await b.stop();
    await assertCleanShutdown(a);
  });
});
