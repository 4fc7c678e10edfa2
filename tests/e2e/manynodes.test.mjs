// Many nodes, one truth (docs/DESIGN.md I5, docs/OPERATIONS.md "PostgreSQL"): every piece of
// end-user state — sign-in sessions, CSRF tokens, codes, refresh families, assertion jtis,
// registration access tokens — is in the database or verifiable by every node, so a
// request may go to any node; and, on PostgreSQL, a change on one node is in force on the
// others within milliseconds (LISTEN/NOTIFY, src/core/changes.c), not only within the
// caches' 500 ms. Runs on both backends (two processes on one SQLite file are two nodes
// too); the latency bound below 500 ms is asserted on PostgreSQL only.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import * as client from 'openid-client';
import * as jose from 'jose';
import { Browser, parseForm } from './browser.mjs';
import { protocolPost, request, start, startSecondNode, stopUnstopped } from './harness.mjs';

const PG = /^postgres(ql)?:\/\//.test(process.env.CLAVIS_TEST_STORE_URL ?? '');
const CB = 'http://127.0.0.1:9/cb';
const PASSWORD = 'alice-password-1';

describe('many nodes, one truth', () => {
  let a;
  let b;
  let one; // a node with one worker thread: one cache, warm after one request
  let svc;
  let pub; // public client: code + PKCE, refresh tokens
  const latencies = {};

  before(async () => {
    a = await start();
    b = await startSecondNode(a.db, ['--db-pool', '2', '--threads', '4'], { issuer: a.url }); // pooled: 4 threads, 2 connections
    one = await startSecondNode(a.db, ['--threads', '1'], { issuer: a.url });
    svc = await a.createService('nodes');
    pub = await a.createClient({ service_id: svc.id, type: 'public', redirect_uris: [CB],
      scopes: ['openid', 'offline_access'], allow_refresh_token: true });
    const u = await a.api('POST', '/admin/v1/users', { username: 'alice', password: PASSWORD });
    assert.equal(u.status, 201, u.text);
  });
  after(async () => {
    for (const n of [b, one]) if (n && !n.stopped) await n.stop().catch(() => {});
    await stopUnstopped(a);
  });

  /** An authorization request for pub at node base; its PKCE verifier. */
  async function authorizeUrl(base) {
    const verifier = client.randomPKCECodeVerifier();
    const q = new URLSearchParams({ response_type: 'code', client_id: pub.client_id, redirect_uri: CB,
      scope: 'openid offline_access', state: client.randomState(),
      code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256' });
    return { url: `${base}/authorize?${q}`, verifier };
  }

  const codeOf = (r) => {
    assert.equal(r.status, 302, r.text.slice(0, 300));
    return new URL(r.location).searchParams.get('code');
  };

  const redeem = (base, code, verifier) => protocolPost(base, '/token', { params: {
    grant_type: 'authorization_code', code, redirect_uri: CB, client_id: pub.client_id, code_verifier: verifier } });

  const refresh = (base, token) => protocolPost(base, '/token', { params: {
    grant_type: 'refresh_token', refresh_token: token, client_id: pub.client_id } });

  /** Signs alice in at node base in browser br; a code. */
  async function signIn(br, base) {
    const az = await authorizeUrl(base);
    const page = await br.get(az.url);
    assert.equal(page.status, 200, page.text.slice(0, 300));
    const form = parseForm(page.text);
    return { code: codeOf(await br.post(form.action, { ...form.fields, username: 'alice', password: PASSWORD })),
      verifier: az.verifier };
  }

  test('the sign-in form of node a, posted to node b, signs in there (CSRF is any node\'s)', async () => {
    const br = new Browser();
    const az = await authorizeUrl(a.url);
    const form = parseForm((await br.get(az.url)).text);
    const r = await br.post(`${b.url}/authorize`, { ...form.fields, username: 'alice', password: PASSWORD });
    const t = await redeem(a.url, codeOf(r), az.verifier);
    assert.equal(t.status, 200, t.text);
  });

  test('signed in on node a, /authorize on node b goes straight to a code (the session is in the database)', async () => {
    const br = new Browser();
    await signIn(br, a.url);
    assert.ok(br.cookies.get('clv_session'));
    const az = await authorizeUrl(b.url);
    const code = codeOf(await br.get(az.url)); // no sign-in form: a redirect with a code
    const t = await redeem(a.url, code, az.verifier);
    assert.equal(t.status, 200, t.text);
  });

  test('a code redeemed at the same instant on two nodes is redeemed once, and its family revoked', async () => {
    for (let round = 0; round < 3; round++) {
      const { code, verifier } = await signIn(new Browser(), a.url);
      const [ra, rb] = await Promise.all([redeem(a.url, code, verifier), redeem(b.url, code, verifier)]);
      const statuses = [ra.status, rb.status].sort();
      assert.deepEqual(statuses, [200, 400], `${ra.text} / ${rb.text}`);
      const [win, lose] = ra.status === 200 ? [ra, rb] : [rb, ra];
      assert.equal(lose.body.error, 'invalid_grant');
      // the replay revoked the family: the winner's refresh token and access token are dead
      const r = await refresh(a.url, win.body.refresh_token);
      assert.equal(r.status, 400, r.text);
      assert.equal(r.body.error, 'invalid_grant');
      const i = await protocolPost(b.url, '/introspect', { clientId: a.init.client_id,
        clientSecret: a.init.client_secret, params: { token: win.body.access_token } });
      assert.equal(i.body.active, false);
    }
  });

  test('refresh rotation alternating between nodes; reuse of a rotated token on the other node revokes', async () => {
    const { code, verifier } = await signIn(new Browser(), a.url);
    let t = (await redeem(b.url, code, verifier)).body;
    const used = [];
    for (let i = 0; i < 6; i++) {
      const r = await refresh(i % 2 ? a.url : b.url, t.refresh_token);
      assert.equal(r.status, 200, `rotation ${i}: ${r.text}`);
      assert.notEqual(r.body.refresh_token, t.refresh_token);
      used.push(t.refresh_token);
      t = r.body;
    }
    const replay = await refresh(a.url, used[3]); // rotated away on node a: a reuse
    assert.equal(replay.body.error, 'invalid_grant');
    const after = await refresh(b.url, t.refresh_token); // the family went with it
    assert.equal(after.body.error, 'invalid_grant');
  });

  test('a client assertion used on node a is refused on node b (jti single use)', async () => {
    const kp = await jose.generateKeyPair('ES256', { extractable: true });
    const jwk = { ...(await jose.exportJWK(kp.publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' };
    const c = await a.createClient({ service_id: svc.id, type: 'confidential', redirect_uris: ['https://rp.example/cb'],
      scopes: ['read'], token_endpoint_auth_method: 'private_key_jwt', jwks: { keys: [jwk] },
      allow_client_credentials: true });
    const now = Math.floor(Date.now() / 1000);
    const assertion = await new jose.SignJWT({ iss: c.client_id, sub: c.client_id, aud: a.url, iat: now,
      exp: now + 60, jti: crypto.randomUUID() }).setProtectedHeader({ alg: 'ES256', kid: 'k1' }).sign(kp.privateKey);
    const cc = (base) => protocolPost(base, '/token', { params: { grant_type: 'client_credentials', scope: 'read',
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: assertion } });
    assert.equal((await cc(a.url)).status, 200);
    const replay = await cc(b.url);
    assert.equal(replay.status, 401, replay.text);
    assert.equal(replay.body.error, 'invalid_client');
  });

  test('a client registered on node a is managed on node b with its registration access token', async () => {
    const iat = await a.api('POST', '/admin/v1/initial-access-tokens', { service_id: svc.id });
    assert.equal(iat.status, 201, iat.text);
    const reg = await request(`${a.url}/register`, { method: 'POST', headers: { 'Content-Type': 'application/json',
      Authorization: `Bearer ${iat.body.token}` }, body: JSON.stringify({ client_name: 'r', redirect_uris: ['https://r.example/cb'] }) });
    assert.equal(reg.status, 201, reg.text);
    const got = await request(`${b.url}/register/${reg.body.client_id}`,
      { headers: { Authorization: `Bearer ${reg.body.registration_access_token}` } });
    assert.equal(got.status, 200, got.text);
    assert.equal(got.body.client_id, reg.body.client_id);
  });

  // ---- how fast a change on node a is in force on a node with a warm cache ----

  const tokenAt = (url, c) => protocolPost(url, '/token',
    { clientId: c.client_id, clientSecret: c.client_secret, params: { grant_type: 'client_credentials' } });

  /** Polls until check() says the change is seen; ms since t0. */
  async function msUntil(check, t0) {
    for (;;) {
      if (await check()) return Date.now() - t0;
      assert.ok(Date.now() - t0 < 3000, 'not seen after 3 s');
    }
  }

  const cases = [
    ['deactivation', async (c) => {
      assert.equal((await tokenAt(one.url, c)).status, 200); // now in the warm cache
      const t0 = Date.now();
      assert.equal((await a.api('POST', `/admin/v1/clients/${c.client_id}/deactivate`)).status, 200);
      return msUntil(async () => (await tokenAt(one.url, c)).status === 401, t0);
    }],
    ['secret removal', async (c) => {
      assert.equal((await a.api('POST', `/admin/v1/clients/${c.client_id}/secrets`, {})).status, 201);
      assert.equal((await tokenAt(one.url, c)).status, 200);
      const t0 = Date.now();
      assert.equal((await a.api('DELETE', `/admin/v1/clients/${c.client_id}/secrets/${c.secret.secret_id}`)).status, 204);
      return msUntil(async () => (await tokenAt(one.url, c)).status === 401, t0);
    }],
    ['revocation (/revoke on a, /introspect on the other)', async (c) => {
      const tok = (await tokenAt(a.url, c)).body.access_token;
      const active = async () => (await protocolPost(one.url, '/introspect', { clientId: a.init.client_id,
        clientSecret: a.init.client_secret, params: { token: tok } })).body.active;
      assert.equal(await active(), true); // verified and cached on that node
      const t0 = Date.now();
      assert.equal((await protocolPost(a.url, '/revoke', { clientId: c.client_id, clientSecret: c.client_secret,
        params: { token: tok } })).status, 200);
      return msUntil(async () => !(await active()), t0);
    }],
  ];

  for (const [what, run] of cases) {
    test(`a ${what} on node a is in force on another node ${PG ? 'within 100 ms (LISTEN/NOTIFY)' : 'within 1 s'}`, async (t) => {
      const ms = [];
      for (let i = 0; i < 3; i++) {
        const c = await a.createClient({ service_id: svc.id, scopes: ['read'] });
        ms.push(await run(c));
      }
      latencies[what] = ms;
      t.diagnostic(`${what}: seen after ${ms.join(', ')} ms (${PG ? 'postgres' : 'sqlite'})`);
      for (const m of ms) assert.ok(m <= 1000, `seen after ${m} ms`);
      // Without the notice the warm cache would serve for ~500 ms after the change; with
      // it, milliseconds. The median is below what the time limit alone gives.
      if (PG) assert.ok(ms.sort((x, y) => x - y)[1] < 400, `median ${ms[1]} ms: was the change told?`);
    });
  }

  test('every node shuts down cleanly', async () => {
    await b.stop();
    await one.stop();
  });
});
