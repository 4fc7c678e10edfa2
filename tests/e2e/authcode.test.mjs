// End-user flows (docs/DESIGN.md I1, R16–R19, R22, docs/FLOWS.md): the authorization code
// flow with PKCE driven by openid-client v6 against the real binary — the sign-in form
// submitted as a browser would, the redirect read, the code exchanged, the ID token
// verified, refresh with rotation and reuse detection, code replay, UserInfo, logout —
// for a public and a confidential client; and every refusal of bad input.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import http from 'node:http';
import * as client from 'openid-client';
import * as jose from 'jose';
import { Browser, parseForm } from './browser.mjs';
import { protocolPost, request, start, sleep } from './harness.mjs';

const PUBLIC_CB = 'http://127.0.0.1:9/cb';
const RP_CB = 'https://rp.example.com/cb';
const RP_BYE = 'https://rp.example.com/bye';
const SPA_ORIGIN = 'http://localhost:5173';
const PASSWORD = 'alice-password-1';

const b64url = (buf) => Buffer.from(buf).toString('base64url');

/** at_hash of OIDC Core §3.1.3.6 for RS256/ES256 (SHA-256, left half). */
const atHash = (token) => b64url(crypto.createHash('sha256').update(token).digest().subarray(0, 16));

/** Runs a call expected to fail with an OAuth error; resolves {status, error}. */
async function oauthFailure(promise) {
  try {
    await promise;
  } catch (e) {
    if (e instanceof client.ResponseBodyError) return { status: e.status, error: e.error };
    if (e instanceof client.AuthorizationResponseError) return { status: 302, error: e.error };
    throw e;
  }
  assert.fail('the request succeeded but was expected to fail');
}

function assertPage(r, status) {
  assert.equal(r.status, status, r.text.slice(0, 300));
  assert.match(r.headers.get('content-type'), /^text\/html/);
  assert.equal(r.location, null, 'an error page never redirects');
  assert.equal(r.headers.get('x-frame-options'), 'DENY');
  assert.match(r.headers.get('content-security-policy'), /default-src 'none'/);
  assert.doesNotMatch(r.text, /<script|<link|src="http/i, 'no external assets, no scripts');
}

describe('end-user flows', () => {
  let s;
  let svc;
  let pub; // public SPA: none + PKCE, refresh tokens, CORS origin
  let conf; // confidential web app: client_secret_basic, logout URI
  let alice;
  let tenantB;
  let early; // a code obtained at the start, exchanged after it has expired

  const discover = (c, auth) => client.discovery(new URL(s.url), c.client_id, undefined, auth,
    { execute: [client.allowInsecureRequests] });

  /** Starts an authorization in browser b; signs in when the form shows (unless noSignIn). */
  async function authorize(cfg, b, { redirectUri, username = 'alice', password = PASSWORD,
    scope = 'openid profile email', params = {}, noSignIn = false } = {}) {
    const pkceCodeVerifier = client.randomPKCECodeVerifier();
    const expectedState = client.randomState();
    const expectedNonce = client.randomNonce();
    const url = client.buildAuthorizationUrl(cfg, {
      redirect_uri: redirectUri, scope, state: expectedState, nonce: expectedNonce,
      code_challenge: await client.calculatePKCECodeChallenge(pkceCodeVerifier),
      code_challenge_method: 'S256', ...params,
    });
    let r = await b.get(url);
    let page = null;
    if (r.status === 200 && !noSignIn) {
      page = r;
      const form = parseForm(r.text);
      r = await b.post(form.action, { ...form.fields, username, password });
    }
    return { r, page, url, checks: { pkceCodeVerifier, expectedState, expectedNonce } };
  }

  /** The whole flow to tokens for client c (cfg from discover). */
  async function signInAndExchange(cfg, b, redirectUri, opts = {}) {
    const a = await authorize(cfg, b, { redirectUri, ...opts });
    assert.equal(a.r.status, 302, a.r.text.slice(0, 300));
    const tokens = await client.authorizationCodeGrant(cfg, new URL(a.r.location), a.checks);
    return { ...a, tokens };
  }

  const introspect = async (token) => (await s.introspect(token)).body.active;

  before(async () => {
    s = await start();
    svc = await s.createService('flows');
    pub = await s.createClient({
      service_id: svc.id, type: 'public', name: 'My SPA', redirect_uris: [PUBLIC_CB],
      scopes: ['openid', 'profile', 'email', 'offline_access'], allow_refresh_token: true,
      allowed_cors_origins: [SPA_ORIGIN],
    });
    conf = await s.createClient({
      service_id: svc.id, type: 'confidential', name: 'Web app', redirect_uris: [RP_CB],
      post_logout_redirect_uris: [RP_BYE], scopes: ['openid', 'profile', 'email'],
      allow_refresh_token: true,
    });
    const u = await s.api('POST', '/admin/v1/users', { username: 'alice', password: PASSWORD, email: 'alice@example.com' });
    assert.equal(u.status, 201, u.text);
    alice = u.body;
    const t = await s.api('POST', '/admin/v1/tenants', { name: 'Other tenant' });
    assert.equal(t.status, 201, t.text);
    tenantB = t.body;
    for (const [username, password] of [['carol', 'carol-password-1'], ['alice', 'b-alice-password']]) {
      const r = await s.api('POST', '/admin/v1/users', { tenant_id: tenantB.id, username, password });
      assert.equal(r.status, 201, r.text);
    }
    // a code to exchange once it is more than 60 s old (the last test)
    const cfg = await discover(pub, client.None());
    const a = await authorize(cfg, new Browser(), { redirectUri: PUBLIC_CB });
    assert.equal(a.r.status, 302);
    early = { cfg, a, at: Date.now() };
  });
  after(async () => { await s?.stop(); });

  test('discovery names the end-user endpoints and choices', async () => {
    const m = (await request(`${s.url}/.well-known/openid-configuration`)).body;
    assert.equal(m.authorization_endpoint, `${s.url}/authorize`);
    assert.equal(m.userinfo_endpoint, `${s.url}/userinfo`);
    assert.equal(m.end_session_endpoint, `${s.url}/logout`);
    assert.deepEqual(m.grant_types_supported.sort(), ['authorization_code', 'client_credentials', 'refresh_token']);
    assert.deepEqual(m.code_challenge_methods_supported, ['S256']);
    assert.deepEqual(m.response_types_supported, ['code']);
    assert.equal(m.authorization_response_iss_parameter_supported, true);
    for (const a of ['client_secret_basic', 'client_secret_post', 'none', 'private_key_jwt']) {
      assert.ok(m.token_endpoint_auth_methods_supported.includes(a), a);
    }
    assert.ok(m.token_endpoint_auth_signing_alg_values_supported.includes('RS256'));
    assert.deepEqual(m.subject_types_supported, ['public', 'pairwise']);
    for (const sc of ['openid', 'profile', 'email', 'offline_access']) assert.ok(m.scopes_supported.includes(sc));
  });

  test('public client: sign in, code + PKCE, ID token, UserInfo, refresh rotation, reuse revokes the family', async () => {
    const cfg = await discover(pub, client.None());
    const b = new Browser();
    const before = Math.floor(Date.now() / 1000);
    const { page, tokens, checks } = await signInAndExchange(cfg, b, PUBLIC_CB);
    // the sign-in page: a post form with username, password, CSRF, hidden parameters
    const form = parseForm(page.text);
    assert.equal(form.method, 'post');
    assert.equal(form.action, `${s.url}/authorize`);
    for (const f of ['username', 'password', 'csrf', 'client_id', 'redirect_uri', 'state', 'nonce', 'code_challenge']) {
      assert.ok(f in form.fields, f);
    }
    assert.match(page.text, /My SPA/);
    assert.equal(page.headers.get('cache-control'), 'no-store');
    const setCookie = b.cookies.get('clv_session');
    assert.ok(setCookie, 'a session cookie after sign-in');

    // ID token (OIDC Core §2, §3.1.3.6)
    const claims = tokens.claims();
    assert.equal(claims.iss, s.url);
    assert.equal(claims.aud, pub.client_id);
    assert.equal(claims.sub, alice.id, 'public subject: the user id');
    assert.equal(claims.nonce, checks.expectedNonce);
    assert.ok(claims.auth_time >= before - 2 && claims.auth_time <= claims.iat);
    assert.equal(claims.exp - claims.iat, 3600);
    assert.equal(claims.at_hash, atHash(tokens.access_token));
    const { protectedHeader } = await jose.jwtVerify(tokens.id_token, jose.createRemoteJWKSet(new URL(`${s.url}/jwks`)),
      { issuer: s.url, audience: pub.client_id });
    assert.equal(protectedHeader.typ, 'JWT');
    assert.equal(tokens.scope, 'openid profile email');
    assert.equal(tokens.token_type.toLowerCase(), 'bearer');
    assert.ok(tokens.refresh_token, 'allow_refresh_token: a refresh token (docs/DESIGN.md R16)');
    const at = jose.decodeJwt(tokens.access_token);
    assert.equal(at.sub, alice.id);
    assert.equal(at.client_id, pub.client_id);
    assert.equal(at.scope, 'openid profile email');
    assert.equal(at.usr === alice.id, false, 'the user reference is sealed');

    // UserInfo
    const info = await client.fetchUserInfo(cfg, tokens.access_token, claims.sub);
    assert.deepEqual(info, { sub: alice.id, preferred_username: 'alice', email: 'alice@example.com' });

    // refresh: rotated; the old one is spent
    const r1 = await client.refreshTokenGrant(cfg, tokens.refresh_token);
    assert.ok(r1.refresh_token && r1.refresh_token !== tokens.refresh_token, 'rotated');
    assert.equal(r1.claims().sub, alice.id);
    assert.equal(r1.claims().auth_time, claims.auth_time, 'auth_time of the original sign-in');
    assert.ok(await introspect(r1.access_token));
    // narrowing the scope is allowed; widening is not
    const narrow = await client.refreshTokenGrant(cfg, r1.refresh_token, { scope: 'openid' });
    assert.equal(narrow.scope, 'openid');
    const wide = await oauthFailure(client.refreshTokenGrant(cfg, narrow.refresh_token, { scope: 'openid offline_access' }));
    assert.equal(wide.error, 'invalid_scope');
    // reuse of a spent refresh token: invalid_grant, and the whole family is revoked
    const reuse = await oauthFailure(client.refreshTokenGrant(cfg, tokens.refresh_token));
    assert.equal(reuse.error, 'invalid_grant');
    const latest = await oauthFailure(client.refreshTokenGrant(cfg, narrow.refresh_token));
    assert.equal(latest.error, 'invalid_grant', 'the newest refresh token died with its family');
    assert.equal(await introspect(tokens.access_token), false);
    assert.equal(await introspect(r1.access_token), false);
    assert.equal(await introspect(narrow.access_token), false);
    const ui = await request(`${s.url}/userinfo`, { headers: { Authorization: `Bearer ${narrow.access_token}` } });
    assert.equal(ui.status, 401);
    assert.match(ui.headers.get('www-authenticate'), /^Bearer .*error="invalid_token"/);
  });

  test('a replayed code fails with invalid_grant and revokes what it issued', async () => {
    const cfg = await discover(pub, client.None());
    const b = new Browser();
    const a = await authorize(cfg, b, { redirectUri: PUBLIC_CB });
    const first = await client.authorizationCodeGrant(cfg, new URL(a.r.location), a.checks);
    assert.ok(await introspect(first.access_token));
    const replay = await oauthFailure(client.authorizationCodeGrant(cfg, new URL(a.r.location), a.checks));
    assert.equal(replay.error, 'invalid_grant');
    assert.equal(await introspect(first.access_token), false, 'the first access token is revoked');
    const rt = await oauthFailure(client.refreshTokenGrant(cfg, first.refresh_token));
    assert.equal(rt.error, 'invalid_grant', 'and its refresh token');
  });

  test('confidential client (client_secret_basic): code flow, then RP-initiated logout', async () => {
    const cfg = await discover(conf, client.ClientSecretBasic(conf.client_secret));
    const b = new Browser();
    const { tokens } = await signInAndExchange(cfg, b, RP_CB);
    assert.equal(tokens.claims().aud, conf.client_id);
    assert.equal(tokens.claims().sub, alice.id);
    // without the secret the code is of no use
    const a2 = await authorize(cfg, b, { redirectUri: RP_CB });
    const code = new URL(a2.r.location).searchParams.get('code');
    const noSecret = await protocolPost(s.url, '/token', { clientId: conf.client_id, auth: 'none', params: {
      grant_type: 'authorization_code', code, redirect_uri: RP_CB, code_verifier: a2.checks.pkceCodeVerifier } });
    assert.equal(noSecret.status, 401);
    assert.equal(noSecret.body.error, 'invalid_client');
    const ok = await client.authorizationCodeGrant(cfg, new URL(a2.r.location), a2.checks);
    assert.ok(ok.access_token, 'the failed attempt changed nothing');

    // logout with a valid id_token_hint and a registered URI: signed out, redirected
    const state = 'bye-state';
    const end = client.buildEndSessionUrl(cfg, { id_token_hint: tokens.id_token, post_logout_redirect_uri: RP_BYE, state });
    const out = await b.get(end);
    assert.equal(out.status, 302);
    assert.equal(out.location, `${RP_BYE}?state=${state}`);
    assert.equal(b.cookies.has('clv_session'), false, 'the session cookie is deleted');
    const again = await authorize(cfg, b, { redirectUri: RP_CB, noSignIn: true });
    assert.equal(again.r.status, 200, 'signed out: the form again');
  });

  test('logout never redirects to an unregistered URI; without a hint it asks first', async () => {
    const cfg = await discover(conf, client.ClientSecretBasic(conf.client_secret));
    const b = new Browser();
    const { tokens } = await signInAndExchange(cfg, b, RP_CB);
    const evil = await b.get(client.buildEndSessionUrl(cfg, { id_token_hint: tokens.id_token, post_logout_redirect_uri: 'https://evil.example/' }));
    assertPage(evil, 200);
    assert.doesNotMatch(evil.text, /evil\.example/, 'the unregistered URI is not carried');
    assert.ok(b.cookies.has('clv_session'), 'not signed out without confirmation');
    const noHint = await b.get(`${s.url}/logout?client_id=${conf.client_id}&post_logout_redirect_uri=${encodeURIComponent(RP_BYE)}&state=s1`);
    assertPage(noHint, 200);
    const form = parseForm(noHint.text);
    assert.equal(form.action, `${s.url}/logout`);
    // a forged confirmation is refused
    const forged = await b.post(form.action, { ...form.fields, csrf: `${form.fields.csrf}x` });
    assertPage(forged, 400);
    assert.ok(b.cookies.has('clv_session'));
    // the real one signs out and may go to the registered URI
    const done = await b.post(form.action, form.fields);
    assert.equal(done.status, 302);
    assert.equal(done.location, `${RP_BYE}?state=s1`);
    assert.equal(b.cookies.has('clv_session'), false);
    // an ID token that is not ours is no hint
    const fake = await new jose.SignJWT({ sub: alice.id, aud: conf.client_id, iss: s.url })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(new TextEncoder().encode('k'.repeat(32)));
    const f = await b.get(client.buildEndSessionUrl(cfg, { id_token_hint: fake, post_logout_redirect_uri: RP_BYE }));
    assertPage(f, 200);
  });

  for (const [alg, hash, half] of [['ES256', 'sha256', 16], ['EdDSA', 'sha512', 32]]) {
    test(`ID tokens follow the client's signing alg (${alg}); at_hash uses ${hash}`, async () => {
      const c = await s.createClient({ service_id: svc.id, type: 'confidential', redirect_uris: [RP_CB],
        scopes: ['openid'], access_token_signing_alg: alg });
      const cfg = await discover(c, client.ClientSecretBasic(c.client_secret));
      const { tokens } = await signInAndExchange(cfg, new Browser(), RP_CB, { scope: 'openid' });
      const { protectedHeader, payload } = await jose.jwtVerify(tokens.id_token,
        jose.createRemoteJWKSet(new URL(`${s.url}/jwks`)), { issuer: s.url, audience: c.client_id, algorithms: [alg] });
      assert.equal(protectedHeader.alg, alg);
      assert.equal(payload.at_hash, b64url(crypto.createHash(hash).update(tokens.access_token).digest().subarray(0, half)));
    });
  }

  test('a wrong password shows the form again with a message and issues no code', async () => {
    const cfg = await discover(pub, client.None());
    const b = new Browser();
    const a = await authorize(cfg, b, { redirectUri: PUBLIC_CB, password: 'wrong-password' });
    assertPage(a.r, 200);
    assert.match(a.r.text, /Wrong username or password/);
    assert.equal(b.cookies.has('clv_session'), false);
    const unknown = await authorize(cfg, new Browser(), { redirectUri: PUBLIC_CB, username: 'nobody' });
    assert.match(unknown.r.text, /Wrong username or password/, 'same words for an unknown user');
    // the form shown again works
    const retry = parseForm(a.r.text);
    const ok = await b.post(retry.action, { ...retry.fields, password: PASSWORD });
    assert.equal(ok.status, 302);
    assert.ok(new URL(ok.location).searchParams.get('code'));
  });

  test('a user of another tenant cannot sign in (docs/DESIGN.md R22); nor an inactive user', async () => {
    const cfg = await discover(pub, client.None());
    const carol = await authorize(cfg, new Browser(), { redirectUri: PUBLIC_CB, username: 'carol', password: 'carol-password-1' });
    assertPage(carol.r, 200);
    assert.match(carol.r.text, /Wrong username or password/);
    const otherAlice = await authorize(cfg, new Browser(), { redirectUri: PUBLIC_CB, password: 'b-alice-password' });
    assert.match(otherAlice.r.text, /Wrong username or password/, "tenant B's alice is not tenant A's");
    const bob = await s.api('POST', '/admin/v1/users', { username: 'bob', password: 'bob-password-1' });
    await s.api('PATCH', `/admin/v1/users/${bob.body.id}`, { status: 'inactive' });
    const r = await authorize(cfg, new Browser(), { redirectUri: PUBLIC_CB, username: 'bob', password: 'bob-password-1' });
    assert.match(r.r.text, /Wrong username or password/);
  });

  test('a tampered or missing CSRF token gets a 400 page and no code', async () => {
    const cfg = await discover(pub, client.None());
    const b = new Browser();
    const a = await authorize(cfg, b, { redirectUri: PUBLIC_CB, noSignIn: true });
    const form = parseForm(a.r.text);
    const fields = { ...form.fields, username: 'alice', password: PASSWORD };
    const tampered = await b.post(form.action, { ...fields, csrf: fields.csrf.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')) });
    assertPage(tampered, 400);
    const { csrf, ...without } = fields;
    assert.ok(csrf);
    assertPage(await b.post(form.action, without), 400);
    // the token without its cookie (another browser) is refused too
    const other = new Browser();
    assertPage(await other.post(form.action, fields), 400);
    assert.equal(b.cookies.has('clv_session'), false);
    // a POST that is not a form, or repeats a parameter
    assertPage(await b.fetch(form.action, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' }), 400);
    const twice = `${new URLSearchParams(fields)}&username=mallory`;
    assertPage(await b.fetch(form.action, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: twice }), 400);
    // and the genuine form still works
    const ok = await b.post(form.action, fields);
    assert.equal(ok.status, 302);
  });

  test('errors before the redirect URI is verified are pages, never redirects', async () => {
    const base = `${s.url}/authorize?response_type=code&code_challenge_method=S256&code_challenge=${'a'.repeat(43)}`;
    const cases = [
      `${base}&client_id=${pub.client_id}&redirect_uri=${encodeURIComponent('https://evil.example/cb')}`,
      `${base}&client_id=${pub.client_id}&redirect_uri=${encodeURIComponent(`${PUBLIC_CB}/`)}`,
      `${base}&client_id=${pub.client_id}&redirect_uri=${encodeURIComponent(PUBLIC_CB.toUpperCase())}`,
      `${base}&client_id=no-such-client&redirect_uri=${encodeURIComponent(PUBLIC_CB)}`,
      `${base}&redirect_uri=${encodeURIComponent(PUBLIC_CB)}`,
      `${base}&client_id=${pub.client_id}&client_id=${pub.client_id}`,
      `${base}&client_id=${pub.client_id}&redirect_uri=${encodeURIComponent(PUBLIC_CB)}&redirect_uri=${encodeURIComponent(PUBLIC_CB)}`,
      `${base}&client_id=${pub.client_id}&redirect_uri=%ff`,
    ];
    for (const u of cases) assertPage(await request(u).then((r) => ({ ...r, location: r.headers.get('location') })), 400);
    const m2m = await s.createClient({ service_id: svc.id, scopes: ['read'] });
    const r = await request(`${base}&client_id=${m2m.client_id}`);
    assert.equal(r.status, 400);
    assert.equal(r.headers.get('location'), null);
  });

  test('errors after it are redirected (RFC 6749 §4.1.2.1) with state and iss', async () => {
    const redirectError = async (params) => {
      const q = new URLSearchParams({ client_id: pub.client_id, redirect_uri: PUBLIC_CB, response_type: 'code',
        state: 'st', code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', code_challenge_method: 'S256', ...params });
      for (const [k, v] of Object.entries(params)) if (v === undefined) q.delete(k);
      const r = await new Browser().get(`${s.url}/authorize?${q}`);
      assert.equal(r.status, 302, `${JSON.stringify(params)}: ${r.text.slice(0, 200)}`);
      const loc = new URL(r.location);
      assert.equal(`${loc.origin}${loc.pathname}`, PUBLIC_CB);
      assert.equal(loc.searchParams.get('iss'), s.url);
      assert.equal(loc.searchParams.get('code'), null);
      return loc.searchParams;
    };
    const missing = await redirectError({ code_challenge: undefined, code_challenge_method: undefined });
    assert.equal(missing.get('error'), 'invalid_request', 'PKCE is required for a public client');
    assert.equal(missing.get('state'), 'st');
    assert.equal((await redirectError({ code_challenge_method: 'plain' })).get('error'), 'invalid_request');
    assert.equal((await redirectError({ code_challenge_method: undefined })).get('error'), 'invalid_request');
    assert.equal((await redirectError({ response_type: 'token' })).get('error'), 'unsupported_response_type');
    assert.equal((await redirectError({ response_type: undefined })).get('error'), 'invalid_request');
    assert.equal((await redirectError({ scope: 'openid admin' })).get('error'), 'invalid_scope');
    assert.equal((await redirectError({ prompt: 'none' })).get('error'), 'login_required');
    assert.equal((await redirectError({ prompt: 'bogus' })).get('error'), 'invalid_request');
    assert.equal((await redirectError({ code_challenge: 'too-short' })).get('error'), 'invalid_request');
    assert.equal((await redirectError({ max_age: 'soon' })).get('error'), 'invalid_request');
    assert.equal((await redirectError({ request: 'eyJ.x.y' })).get('error'), 'invalid_request');
    assert.equal((await redirectError({ nonce: 'n'.repeat(513) })).get('error'), 'invalid_request');
    const r = await new Browser().get(`${s.url}/authorize?client_id=${pub.client_id}&response_type=code&state=a&state=b`);
    const loc = new URL(r.location);
    assert.equal(loc.searchParams.get('error'), 'invalid_request', 'a repeated parameter');
    assert.equal(loc.searchParams.get('state'), null, 'a repeated state is not echoed');
  });

  test('confidential clients need PKCE too unless require_pkce is off', async () => {
    const q = (c, extra = '') => `${s.url}/authorize?client_id=${c.client_id}&response_type=code&scope=openid${extra}`;
    const r = await new Browser().get(q(conf));
    assert.equal(new URL(r.location).searchParams.get('error'), 'invalid_request');
    const noPkce = await s.createClient({ service_id: svc.id, type: 'confidential', redirect_uris: ['https://np.example.com/cb'],
      scopes: ['openid'], require_pkce: false });
    const b = new Browser();
    const page = await b.get(q(noPkce, '&state=x'));
    assert.equal(page.status, 200);
    const form = parseForm(page.text);
    const done = await b.post(form.action, { ...form.fields, username: 'alice', password: PASSWORD });
    const code = new URL(done.location).searchParams.get('code');
    // the code is bound to "no verifier": sending one fails; sending none works
    const withV = await protocolPost(s.url, '/token', { clientId: noPkce.client_id, clientSecret: noPkce.client_secret,
      params: { grant_type: 'authorization_code', code, code_verifier: 'x'.repeat(43) } });
    assert.equal(withV.body.error, 'invalid_grant');
    const ok = await protocolPost(s.url, '/token', { clientId: noPkce.client_id, clientSecret: noPkce.client_secret,
      params: { grant_type: 'authorization_code', code } });
    assert.equal(ok.status, 200, ok.text);
    assert.equal(ok.body.refresh_token, undefined, 'allow_refresh_token off: no refresh token');
    const rt = await protocolPost(s.url, '/token', { clientId: noPkce.client_id, clientSecret: noPkce.client_secret,
      params: { grant_type: 'refresh_token', refresh_token: 'x' } });
    assert.equal(rt.body.error, 'unauthorized_client');
  });

  test('SSO: a second authorization goes through without the form; prompt=login forces it; prompt=none uses it', async () => {
    const cfg = await discover(pub, client.None());
    const b = new Browser();
    const first = await signInAndExchange(cfg, b, PUBLIC_CB);
    const cookie = await b.cookies.get('clv_session');
    assert.match(cookie, /^[A-Za-z0-9_-]{43}$/);
    const second = await authorize(cfg, b, { redirectUri: PUBLIC_CB, noSignIn: true });
    assert.equal(second.r.status, 302, 'no form: straight back with a code');
    const t2 = await client.authorizationCodeGrant(cfg, new URL(second.r.location), second.checks);
    assert.equal(t2.claims().auth_time, first.tokens.claims().auth_time, 'the same sign-in');
    const none = await authorize(cfg, b, { redirectUri: PUBLIC_CB, noSignIn: true, params: { prompt: 'none' } });
    assert.equal(none.r.status, 302);
    assert.ok(new URL(none.r.location).searchParams.get('code'));
    const login = await authorize(cfg, b, { redirectUri: PUBLIC_CB, noSignIn: true, params: { prompt: 'login' } });
    assert.equal(login.r.status, 200, 'prompt=login shows the form');
    // the session is bound to its tenant: a client of another tenant asks again
    const svcB = await s.createService('b-svc', { tenant_id: tenantB.id });
    const pubB = await s.createClient({ service_id: svcB.id, type: 'public', redirect_uris: [PUBLIC_CB], scopes: ['openid'] });
    const other = await authorize(await discover(pubB, client.None()), b, { redirectUri: PUBLIC_CB, scope: 'openid', noSignIn: true });
    assert.equal(other.r.status, 200, "another tenant's client does not reuse this session");
    const carol = await authorize(await discover(pubB, client.None()), new Browser(), { redirectUri: PUBLIC_CB, scope: 'openid', username: 'carol', password: 'carol-password-1' });
    assert.equal(carol.r.status, 302, 'carol signs in to her own tenant');
    // a deactivated user's session no longer works
    const dave = (await s.api('POST', '/admin/v1/users', { username: 'dave', password: 'dave-password-1' })).body;
    const bd = new Browser();
    const daves = await signInAndExchange(cfg, bd, PUBLIC_CB, { username: 'dave', password: 'dave-password-1' });
    await s.api('PATCH', `/admin/v1/users/${dave.id}`, { status: 'inactive' });
    const gone = await authorize(cfg, bd, { redirectUri: PUBLIC_CB, noSignIn: true });
    assert.equal(gone.r.status, 200);
    // nor do his refresh token and his access token at UserInfo
    assert.equal((await oauthFailure(client.refreshTokenGrant(cfg, daves.tokens.refresh_token))).error, 'invalid_grant');
    const ui = await request(`${s.url}/userinfo`, { headers: { Authorization: `Bearer ${daves.tokens.access_token}` } });
    assert.equal(ui.status, 401);
  });

  test('session and CSRF cookies: HttpOnly, SameSite, Path', async () => {
    const cfg = await discover(pub, client.None());
    const url = client.buildAuthorizationUrl(cfg, { redirect_uri: PUBLIC_CB, scope: 'openid',
      code_challenge: await client.calculatePKCECodeChallenge(client.randomPKCECodeVerifier()), code_challenge_method: 'S256' });
    const page = await fetch(url, { redirect: 'manual' });
    const csrfCookie = page.headers.getSetCookie().find((c) => c.startsWith('clv_csrf='));
    assert.match(csrfCookie, /HttpOnly/);
    assert.match(csrfCookie, /SameSite=Strict/);
    assert.match(csrfCookie, /Path=\/authorize/);
    const form = parseForm(await page.text());
    const res = await fetch(form.action, { method: 'POST', redirect: 'manual',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Cookie: csrfCookie.split(';')[0] },
      body: new URLSearchParams({ ...form.fields, username: 'alice', password: PASSWORD }) });
    assert.equal(res.status, 302);
    const session = res.headers.getSetCookie().find((c) => c.startsWith('clv_session='));
    assert.match(session, /HttpOnly/);
    assert.match(session, /SameSite=Lax/);
    assert.match(session, /Path=\//);
    assert.doesNotMatch(session, /Secure/, 'an http issuer: no Secure');
  });

  test('the code is bound to client, redirect URI and verifier; a failed attempt leaves it usable', async () => {
    const cfg = await discover(pub, client.None());
    const a = await authorize(cfg, new Browser(), { redirectUri: PUBLIC_CB });
    const code = new URL(a.r.location).searchParams.get('code');
    const tok = (clientId, params) => {
      const p = { grant_type: 'authorization_code', code, redirect_uri: PUBLIC_CB, code_verifier: a.checks.pkceCodeVerifier, ...params };
      for (const k of Object.keys(p)) if (p[k] === undefined) delete p[k];
      return protocolPost(s.url, '/token', { clientId, auth: 'none', params: p });
    };
    assert.equal((await tok(pub.client_id, { code_verifier: client.randomPKCECodeVerifier() })).body.error, 'invalid_grant');
    assert.equal((await tok(pub.client_id, { code_verifier: 'short' })).body.error, 'invalid_request');
    assert.equal((await tok(pub.client_id, { redirect_uri: 'http://127.0.0.1:9/other' })).body.error, 'invalid_grant');
    const other = await s.createClient({ service_id: svc.id, type: 'public', redirect_uris: [PUBLIC_CB], scopes: ['openid'] });
    assert.equal((await tok(other.client_id, {})).body.error, 'invalid_grant', 'a foreign code');
    assert.equal((await tok(pub.client_id, { code: `${code}x` })).body.error, 'invalid_grant');
    const missing = await tok(pub.client_id, { code: undefined });
    assert.equal(missing.body.error, 'invalid_request');
    const rep = await protocolPost(s.url, '/token', { clientId: pub.client_id, auth: 'none',
      params: { grant_type: 'authorization_code', code, code_verifier: a.checks.pkceCodeVerifier } });
    assert.equal(rep.status, 200, `the rightful exchange still works: ${rep.text}`);
  });

  test('UserInfo: GET and POST, bearer only, scopes decide the claims', async () => {
    const cfg = await discover(pub, client.None());
    const { tokens } = await signInAndExchange(cfg, new Browser(), PUBLIC_CB, { scope: 'openid' });
    const get = await request(`${s.url}/userinfo`, { headers: { Authorization: `Bearer ${tokens.access_token}` } });
    assert.equal(get.status, 200);
    assert.deepEqual(get.body, { sub: alice.id }, 'openid alone: sub only');
    assert.equal(get.headers.get('cache-control'), 'no-store');
    const post = await request(`${s.url}/userinfo`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: `access_token=${tokens.access_token}` });
    assert.equal(post.status, 200);
    const none = await request(`${s.url}/userinfo`);
    assert.equal(none.status, 401);
    assert.equal(none.headers.get('www-authenticate'), 'Bearer realm="clavis"');
    const bad = await request(`${s.url}/userinfo`, { headers: { Authorization: 'Bearer not-a-token' } });
    assert.equal(bad.status, 401);
    assert.match(bad.headers.get('www-authenticate'), /error="invalid_token"/);
    // a client's own token (client_credentials) is no user's
    const cc = await s.token(s.init.client_id, s.init.client_secret, { scope: 'admin' });
    const notUser = await request(`${s.url}/userinfo`, { headers: { Authorization: `Bearer ${cc.body.access_token}` } });
    assert.equal(notUser.status, 403);
    assert.match(notUser.headers.get('www-authenticate'), /error="insufficient_scope"/);
    const a = await authorize(cfg, new Browser(), { redirectUri: PUBLIC_CB, scope: 'profile' });
    const noOpenid = await client.authorizationCodeGrant(cfg, new URL(a.r.location),
      { pkceCodeVerifier: a.checks.pkceCodeVerifier, expectedState: a.checks.expectedState });
    assert.equal(noOpenid.id_token, undefined, 'no openid: no ID token');
    const r = await request(`${s.url}/userinfo`, { headers: { Authorization: `Bearer ${noOpenid.access_token}` } });
    assert.equal(r.status, 403);
  });

  test('CORS on /token, /userinfo, /revoke for the client\'s origins only, preflight included', async () => {
    const cfg = await discover(pub, client.None());
    const { tokens } = await signInAndExchange(cfg, new Browser(), PUBLIC_CB);
    for (const path of ['/token', '/userinfo', '/revoke']) {
      for (const origin of [SPA_ORIGIN, 'http://127.0.0.1:9']) {
        const pre = await request(`${s.url}${path}`, { method: 'OPTIONS', headers: { Origin: origin,
          'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'authorization' } });
        assert.equal(pre.status, 204, path);
        assert.equal(pre.headers.get('access-control-allow-origin'), origin, `${path} ${origin}`);
        assert.match(pre.headers.get('access-control-allow-headers'), /Authorization/);
      }
      const evil = await request(`${s.url}${path}`, { method: 'OPTIONS', headers: { Origin: 'https://evil.example',
        'Access-Control-Request-Method': 'POST' } });
      assert.equal(evil.headers.get('access-control-allow-origin'), null, `${path}: no CORS for others`);
    }
    const refresh = (origin) => protocolPost(s.url, '/token', { clientId: pub.client_id, auth: 'none',
      headers: { Origin: origin }, params: { grant_type: 'refresh_token', refresh_token: 'nope' } });
    assert.equal((await refresh(SPA_ORIGIN)).headers.get('access-control-allow-origin'), SPA_ORIGIN);
    assert.equal((await refresh('https://evil.example')).headers.get('access-control-allow-origin'), null);
    const ui = (origin) => request(`${s.url}/userinfo`, { headers: { Origin: origin, Authorization: `Bearer ${tokens.access_token}` } });
    assert.equal((await ui(SPA_ORIGIN)).headers.get('access-control-allow-origin'), SPA_ORIGIN);
    assert.equal((await ui('https://evil.example')).headers.get('access-control-allow-origin'), null);
    // another client's origin is not this one's
    const confUi = await signInAndExchange(await discover(conf, client.ClientSecretBasic(conf.client_secret)), new Browser(), RP_CB);
    const cross = await request(`${s.url}/userinfo`, { headers: { Origin: SPA_ORIGIN, Authorization: `Bearer ${confUi.tokens.access_token}` } });
    assert.equal(cross.headers.get('access-control-allow-origin'), null);
    // a public client revokes its own refresh token from the browser: the family goes
    const rev = await protocolPost(s.url, '/revoke', { clientId: pub.client_id, auth: 'none', headers: { Origin: SPA_ORIGIN },
      params: { token: tokens.refresh_token } });
    assert.equal(rev.status, 200);
    assert.equal(rev.headers.get('access-control-allow-origin'), SPA_ORIGIN);
    assert.equal((await oauthFailure(client.refreshTokenGrant(cfg, tokens.refresh_token))).error, 'invalid_grant');
    assert.equal(await introspect(tokens.access_token), false);
  });

  test('admin revoke-tokens also revokes refresh tokens', async () => {
    const cfg = await discover(conf, client.ClientSecretBasic(conf.client_secret));
    const { tokens } = await signInAndExchange(cfg, new Browser(), RP_CB);
    const r = await s.api('POST', `/admin/v1/clients/${conf.client_id}/revoke-tokens`);
    assert.equal(r.status, 200, r.text);
    assert.ok(r.body.revoked >= 1);
    assert.equal((await oauthFailure(client.refreshTokenGrant(cfg, tokens.refresh_token))).error, 'invalid_grant');
  });

  test('oversized and malformed requests get 4xx and change nothing', async () => {
    const big = await request(`${s.url}/authorize?client_id=${pub.client_id}&state=${'x'.repeat(70000)}`);
    assert.ok(big.status >= 400 && big.status < 500, `oversized query: ${big.status}`);
    const body = await request(`${s.url}/authorize`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: `a=${'x'.repeat(70 * 1024)}` });
    assert.equal(body.status, 413);
    const token = await protocolPost(s.url, '/token', { clientId: pub.client_id, auth: 'none',
      params: { grant_type: 'authorization_code', code: 'x'.repeat(600), code_verifier: 'y'.repeat(43), redirect_uri: PUBLIC_CB } });
    assert.equal(token.body.error, 'invalid_grant');
    const h = await request(`${s.url}/healthz`);
    assert.equal(h.status, 200);
  });

  test('an expired code (60 s) fails with invalid_grant', { timeout: 120000 }, async () => {
    const wait = 62000 - (Date.now() - early.at);
    if (wait > 0) await sleep(wait);
    const r = await oauthFailure(client.authorizationCodeGrant(early.cfg, new URL(early.a.r.location), early.a.checks));
    assert.equal(r.error, 'invalid_grant');
  });
});

describe('pairwise subjects and sector_identifier_uri (OIDC Core §8, docs/DESIGN.md M, R6)', () => {
  let s;
  let svc;
  let docs; // a local server for sector_identifier_uri documents
  let docsUrl;
  const served = new Map();

  before(async () => {
    // the documents are served on loopback: only --fetch-allow-loopback lets Clavis fetch them
    s = await start({ args: ['--fetch-allow-loopback'] });
    svc = await s.createService('pairwise');
    await s.api('POST', '/admin/v1/users', { username: 'alice', password: PASSWORD });
    docs = http.createServer((req, res) => {
      const body = served.get(req.url);
      if (body === undefined) { res.writeHead(404).end(); return; }
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(body);
    });
    await new Promise((r) => docs.listen(0, '127.0.0.1', r));
    docsUrl = `http://127.0.0.1:${docs.address().port}`;
  });
  after(async () => {
    docs?.close();
    await s?.stop();
  });

  async function subOf(c) {
    const cfg = await client.discovery(new URL(s.url), c.client_id, undefined, client.ClientSecretBasic(c.client_secret),
      { execute: [client.allowInsecureRequests] });
    const b = new Browser();
    const verifier = client.randomPKCECodeVerifier();
    const url = client.buildAuthorizationUrl(cfg, { redirect_uri: c.redirect_uris[0], scope: 'openid',
      code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256' });
    const page = await b.get(url);
    const form = parseForm(page.text);
    const r = await b.post(form.action, { ...form.fields, username: 'alice', password: PASSWORD });
    assert.equal(r.status, 302, r.text.slice(0, 200));
    const tokens = await client.authorizationCodeGrant(cfg, new URL(r.location), { pkceCodeVerifier: verifier });
    const info = await client.fetchUserInfo(cfg, tokens.access_token, tokens.claims().sub);
    assert.equal(info.sub, tokens.claims().sub, 'UserInfo agrees with the ID token');
    assert.equal(jose.decodeJwt(tokens.access_token).sub, tokens.claims().sub);
    return tokens.claims().sub;
  }

  const pairwise = (uris, extra = {}) => s.createClient({ service_id: svc.id, type: 'confidential',
    redirect_uris: uris, scopes: ['openid'], subject_type: 'pairwise', ...extra });

  test('two clients on one host see the same sub; another host sees another; public sees the id', async () => {
    const a = await pairwise(['https://shop.example.com/a']);
    const b = await pairwise(['https://shop.example.com/b', 'https://shop.example.com/c']);
    const c = await pairwise(['https://blog.example.org/cb']);
    const p = await s.createClient({ service_id: svc.id, type: 'confidential', redirect_uris: ['https://shop.example.com/p'], scopes: ['openid'] });
    assert.equal(a.sector_identifier, 'shop.example.com');
    const [sa, sb, sc, sp] = [await subOf(a), await subOf(b), await subOf(c), await subOf(p)];
    assert.equal(sa, sb);
    assert.notEqual(sa, sc);
    assert.notEqual(sa, sp);
    assert.match(sp, /^usr_/);
    assert.equal(await subOf(a), sa, 'stable');
  });

  test('several hosts need a sector_identifier_uri that lists every redirect URI', async () => {
    const uris = ['https://one.example.com/cb', 'https://two.example.net/cb'];
    const noSector = await s.api('POST', '/admin/v1/clients', { service_id: svc.id, name: 'x', type: 'confidential',
      redirect_uris: uris, scopes: ['openid'], subject_type: 'pairwise' });
    assert.equal(noSector.status, 400);
    assert.equal(noSector.body.errors[0].field, 'sector_identifier_uri');
    served.set('/ok.json', JSON.stringify([...uris, 'https://three.example.com/cb']));
    served.set('/short.json', JSON.stringify([uris[0]]));
    served.set('/bad.json', '{"not": "an array"}');
    for (const [path, why] of [['/short.json', 'lacks a URI'], ['/bad.json', 'not an array'], ['/missing.json', '404']]) {
      const r = await s.api('POST', '/admin/v1/clients', { service_id: svc.id, name: 'x', type: 'confidential',
        redirect_uris: uris, scopes: ['openid'], subject_type: 'pairwise', sector_identifier_uri: `${docsUrl}${path}` });
      assert.equal(r.status, 400, `${why}: ${r.text}`);
      assert.equal(r.body.errors[0].field, 'sector_identifier_uri', why);
    }
    const ok = await pairwise(uris, { sector_identifier_uri: `${docsUrl}/ok.json` });
    assert.equal(ok.sector_identifier, '127.0.0.1');
    const sub1 = await subOf(ok);
    const same = await pairwise(['https://three.example.com/cb'], { sector_identifier_uri: `${docsUrl}/ok.json` });
    assert.equal(await subOf(same), sub1, 'one sector_identifier_uri, one sector');
    // an update to a URI the document does not list is refused, and changes nothing
    const p = await s.api('PATCH', `/admin/v1/clients/${ok.client_id}`, { redirect_uris: [...uris, 'https://four.example.com/cb'] });
    assert.equal(p.status, 400);
    assert.equal(p.body.errors[0].field, 'sector_identifier_uri');
    const got = await s.api('GET', `/admin/v1/clients/${ok.client_id}`);
    assert.deepEqual(got.body.redirect_uris, uris);
  });
  test('without --fetch-allow-loopback a document on loopback is never fetched (docs/SECURITY.md)', async () => {
    const uris = ['https://one.example.com/cb', 'https://two.example.net/cb'];
    served.set('/ok2.json', JSON.stringify(uris));
    const strict = await start();
    try {
      const svc2 = await strict.createService('strict');
      for (const [u, why] of [[`${docsUrl}/ok2.json`, /https/], [`https://127.0.0.1:${docs.address().port}/ok2.json`, /loopback/],
        [`https://localhost:${docs.address().port}/ok2.json`, /loopback/], ['https://10.0.0.1/ok2.json', /private/],
        ['https://169.254.169.254/latest', /link-local/]]) {
        const r = await strict.api('POST', '/admin/v1/clients', { service_id: svc2.id, name: 'x', type: 'confidential',
          redirect_uris: uris, scopes: ['openid'], subject_type: 'pairwise', sector_identifier_uri: u });
        assert.equal(r.status, 400, `${u}: ${r.text}`);
        assert.equal(r.body.errors[0].field, 'sector_identifier_uri');
        assert.match(r.body.errors[0].message, why, u);
      }
    } finally {
      await strict.stop();
    }
  });
});

describe('private_key_jwt (RFC 7523)', () => {
  let s;
  let svc;
  let c;
  let privateKey;
  let alg;

  before(async () => {
    s = await start();
    svc = await s.createService('pkjwt');
    await s.api('POST', '/admin/v1/users', { username: 'alice', password: PASSWORD });
    alg = 'ES256';
    const kp = await jose.generateKeyPair(alg, { extractable: true });
    privateKey = kp.privateKey;
    const jwk = { ...(await jose.exportJWK(kp.publicKey)), kid: 'k1', alg, use: 'sig' };
    c = await s.createClient({ service_id: svc.id, type: 'confidential', redirect_uris: [RP_CB], scopes: ['openid', 'read'],
      token_endpoint_auth_method: 'private_key_jwt', jwks: { keys: [jwk] }, allow_client_credentials: true,
      allow_refresh_token: true });
  });
  after(async () => { await s?.stop(); });

  const assertion = (claims = {}, header = {}) => {
    const now = Math.floor(Date.now() / 1000);
    const payload = { iss: c.client_id, sub: c.client_id, aud: s.url, iat: now, exp: now + 60,
      jti: crypto.randomUUID(), ...claims };
    return new jose.SignJWT(payload).setProtectedHeader({ alg, kid: 'k1', ...header }).sign(privateKey);
  };
  const cc = (a, extra = {}) => protocolPost(s.url, '/token', { params: { grant_type: 'client_credentials', scope: 'read',
    client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: a, ...extra } });

  test('openid-client with PrivateKeyJwt: code flow and refresh', async () => {
    const cfg = await client.discovery(new URL(s.url), c.client_id, undefined, client.PrivateKeyJwt(privateKey),
      { execute: [client.allowInsecureRequests] });
    const b = new Browser();
    const verifier = client.randomPKCECodeVerifier();
    const page = await b.get(client.buildAuthorizationUrl(cfg, { redirect_uri: RP_CB, scope: 'openid',
      code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256' }));
    const form = parseForm(page.text);
    const r = await b.post(form.action, { ...form.fields, username: 'alice', password: PASSWORD });
    const tokens = await client.authorizationCodeGrant(cfg, new URL(r.location), { pkceCodeVerifier: verifier });
    assert.equal(tokens.claims().aud, c.client_id);
    const refreshed = await client.refreshTokenGrant(cfg, tokens.refresh_token);
    assert.ok(refreshed.access_token);
  });

  test('an assertion is single use (jti), signed by the registered key, for us, and fresh', async () => {
    const a = await assertion();
    const ok = await cc(a);
    assert.equal(ok.status, 200, ok.text);
    const replay = await cc(a);
    assert.equal(replay.status, 401);
    assert.equal(replay.body.error, 'invalid_client');
    const other = (await jose.generateKeyPair(alg)).privateKey;
    const wrongKey = await new jose.SignJWT({ jti: crypto.randomUUID() }).setProtectedHeader({ alg, kid: 'k1' })
      .setIssuer(c.client_id).setSubject(c.client_id).setAudience(s.url).setIssuedAt().setExpirationTime('60s').sign(other);
    const refusals = [
      ['another key', wrongKey],
      ['another audience', await assertion({ aud: 'https://elsewhere.example' })],
      ['expired', await assertion({ exp: Math.floor(Date.now() / 1000) - 120 })],
      ['too far ahead', await assertion({ exp: Math.floor(Date.now() / 1000) + 3600 })],
      ['no jti', await assertion({ jti: undefined })],
      ['another issuer', await assertion({ iss: 'someone-else' })],
      ['tampered', `${a.slice(0, -4)}AAAA`],
      ['alg none', `${b64url(JSON.stringify({ alg: 'none' }))}.${a.split('.')[1]}.`],
    ];
    for (const [why, bad] of refusals) {
      const r = await cc(bad);
      assert.equal(r.body.error, 'invalid_client', `${why}: ${r.text}`);
    }
    // one method at a time, and the right type
    const both = await protocolPost(s.url, '/token', { clientId: c.client_id, clientSecret: 'x', params: {
      grant_type: 'client_credentials', client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: await assertion() } });
    assert.equal(both.status, 400);
    const wrongType = await cc(await assertion(), { client_assertion_type: 'urn:other' });
    assert.equal(wrongType.body.error, 'invalid_request');
    // a secret does not authenticate a private_key_jwt client
    const secret = await s.token(c.client_id, 'whatever');
    assert.equal(secret.body.error, 'invalid_client');
  });
});
