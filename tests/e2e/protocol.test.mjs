// Protocol endpoints (docs/DESIGN.md I1, docs/API.md, docs/DESIGN.md R2–R4): discovery, JWKS, the client_credentials
// grant through a standard client library (openid-client v6), RFC 9068 access tokens
// checked with jose, introspection, revocation, and the token endpoint's refusals.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as client from 'openid-client';
import * as jose from 'jose';
import { assertCleanShutdown, protocolPost, request, start, stopUnstopped } from './harness.mjs';

/** Runs an openid-client call expected to fail; resolves {status, error} of the answer. */
async function oauthFailure(promise) {
  try {
    await promise;
  } catch (e) {
    if (e instanceof client.ResponseBodyError) return { status: e.status, error: e.error };
    if (e instanceof client.WWWAuthenticateChallengeError) {
      const body = await e.response.json().catch(() => ({}));
      return { status: e.status, error: body.error };
    }
    throw e;
  }
  assert.fail('the request succeeded but was expected to fail');
}

describe('protocol endpoints', () => {
  let s;
  let svc;
  let m2m; // m2m, client_secret_basic, scopes read write, roles reader
  let jwks;

  const config = (c, auth) => client.discovery(new URL(s.url), c.client_id, c.client_secret, auth,
    { execute: [client.allowInsecureRequests] });

  before(async () => {
    s = await start();
    svc = await s.createService('protocol');
    m2m = await s.createClient({ service_id: svc.id, name: 'backend', scopes: ['read', 'write'], roles: ['reader'] });
    jwks = jose.createRemoteJWKSet(new URL(`${s.url}/jwks`));
  });
  after(async () => { await stopUnstopped(s); });

  test('both discovery documents name the issuer without a trailing slash and the endpoints', async () => {
    for (const doc of ['/.well-known/openid-configuration', '/.well-known/oauth-authorization-server']) {
      const r = await request(s.url + doc);
      assert.equal(r.status, 200, doc);
      assert.match(r.headers.get('content-type'), /^application\/json/);
      const m = r.body;
      assert.equal(m.issuer, s.url, `${doc}: issuer`);
      assert.ok(!m.issuer.endsWith('/'));
      assert.equal(m.token_endpoint, `${s.url}/token`);
      assert.equal(m.jwks_uri, `${s.url}/jwks`);
      assert.equal(m.introspection_endpoint, `${s.url}/introspect`);
      assert.equal(m.revocation_endpoint, `${s.url}/revoke`);
      if (m.authorization_endpoint !== undefined) assert.equal(m.authorization_endpoint, `${s.url}/authorize`);
      assert.ok(m.grant_types_supported.includes('client_credentials'));
      for (const a of ['client_secret_basic', 'client_secret_post']) {
        assert.ok(m.token_endpoint_auth_methods_supported.includes(a), a);
      }
      assert.ok(m.response_types_supported.includes('code'));
      assert.deepEqual(m.code_challenge_methods_supported, ['S256']);
    }
    const oidc = (await request(`${s.url}/.well-known/openid-configuration`)).body;
    assert.ok(Array.isArray(oidc.subject_types_supported));
    assert.ok(oidc.id_token_signing_alg_values_supported.includes('RS256'));
  });

  test('/jwks publishes public keys only, with kid and alg', async () => {
    const r = await request(`${s.url}/jwks`);
    assert.equal(r.status, 200);
    assert.ok(Array.isArray(r.body.keys) && r.body.keys.length >= 1);
    const algs = r.body.keys.map((k) => k.alg);
    assert.ok(algs.includes('RS256'), 'RS256 is always published');
    const kids = new Set();
    for (const k of r.body.keys) {
      assert.equal(typeof k.kid, 'string');
      assert.ok(!kids.has(k.kid), 'kids are distinct');
      kids.add(k.kid);
      for (const priv of ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k']) {
        assert.equal(k[priv], undefined, `key ${k.kid} has private member ${priv}`);
      }
      await jose.importJWK(k, k.alg); // every key is a usable JWK
    }
  });

  test('openid-client: discovery + client_credentials; the token is an RFC 9068 JWT', async () => {
    const cfg = await config(m2m, client.ClientSecretBasic(m2m.client_secret));
    assert.equal(cfg.serverMetadata().issuer, s.url);
    const before = Math.floor(Date.now() / 1000);
    const tr = await client.clientCredentialsGrant(cfg, { scope: 'read write' });
    assert.equal(tr.token_type.toLowerCase(), 'bearer');
    assert.equal(tr.expires_in, 3600);
    assert.equal(tr.scope, 'read write');

    const { payload, protectedHeader } = await jose.jwtVerify(tr.access_token, jwks, {
      issuer: s.url, audience: s.url, typ: 'at+jwt',
    });
    assert.equal(protectedHeader.typ, 'at+jwt');
    assert.equal(protectedHeader.alg, 'RS256');
    assert.equal(typeof protectedHeader.kid, 'string');
    assert.equal(payload.iss, s.url);
    assert.equal(payload.sub, m2m.client_id, 'sub is the client_id (RFC 9068 §2.2)');
    assert.equal(payload.aud, s.url, 'aud is the issuer when the client has no audience');
    assert.equal(payload.client_id, m2m.client_id);
    assert.equal(payload.scope, 'read write');
    assert.equal(payload.tenant, s.init.tenant_id);
    assert.deepEqual(payload.roles, ['reader']);
    assert.equal(typeof payload.jti, 'string');
    assert.ok(payload.jti.length >= 16);
    assert.ok(Math.abs(payload.iat - before) <= 5, 'iat is now');
    assert.equal(payload.exp - payload.iat, 3600, 'exp = iat + access_token_lifetime');

    const again = await client.clientCredentialsGrant(cfg, { scope: 'read' });
    const p2 = jose.decodeJwt(again.access_token);
    assert.notEqual(p2.jti, payload.jti, 'every token has its own jti');
    assert.equal(p2.scope, 'read');
  });

  test('aud is the client\'s audience list when set; lifetime follows access_token_lifetime', async () => {
    const aud = ['https://api.example.com', 'https://billing.example.com/v1'];
    const c = await s.createClient({ service_id: svc.id, audience: aud, access_token_lifetime: 120 });
    const tr = await client.clientCredentialsGrant(await config(c, client.ClientSecretBasic(c.client_secret)));
    assert.equal(tr.expires_in, 120);
    const { payload } = await jose.jwtVerify(tr.access_token, jwks, { issuer: s.url, audience: aud[1], typ: 'at+jwt' });
    assert.deepEqual(payload.aud, aud);
    assert.equal(payload.exp - payload.iat, 120);
    assert.equal(payload.roles, undefined, 'no roles claim for a client without roles');
  });

  for (const alg of ['ES256', 'EdDSA']) {
    test(`a client with access_token_signing_alg ${alg} gets ${alg} tokens that verify against /jwks`, async () => {
      const c = await s.createClient({ service_id: svc.id, access_token_signing_alg: alg, scopes: ['read'] });
      assert.equal(c.access_token_signing_alg, alg);
      const tr = await client.clientCredentialsGrant(await config(c, client.ClientSecretBasic(c.client_secret)));
      const { payload, protectedHeader } = await jose.jwtVerify(tr.access_token, jwks, {
        issuer: s.url, audience: s.url, typ: 'at+jwt', algorithms: [alg],
      });
      assert.equal(protectedHeader.alg, alg);
      assert.equal(protectedHeader.typ, 'at+jwt');
      assert.equal(payload.client_id, c.client_id);
      const keys = (await request(`${s.url}/jwks`)).body.keys;
      assert.ok(keys.some((k) => k.kid === protectedHeader.kid && k.alg === alg), 'the kid is published');
    });
  }

  test('client_secret_post and client_secret_basic: either way works (docs/DESIGN.md D9)', async () => {
    const c = await s.createClient({ service_id: svc.id, token_endpoint_auth_method: 'client_secret_post', scopes: ['read'] });
    assert.equal(c.token_endpoint_auth_method, 'client_secret_post');
    // openid-client's default for a string secret is client_secret_post
    const tr = await client.clientCredentialsGrant(await config(c));
    assert.equal(jose.decodeJwt(tr.access_token).client_id, c.client_id);
    const tb = await client.clientCredentialsGrant(await config(c, client.ClientSecretBasic(c.client_secret)));
    assert.equal(jose.decodeJwt(tb.access_token).client_id, c.client_id);
    // and the same by hand
    assert.equal((await s.token(c.client_id, c.client_secret, { auth: 'post' })).status, 200);
    assert.equal((await s.token(c.client_id, c.client_secret, { auth: 'basic' })).status, 200);
    // a basic client by post too; a wrong secret either way is invalid_client
    assert.equal((await s.token(m2m.client_id, m2m.client_secret, { auth: 'post' })).status, 200);
    const post = await s.token(m2m.client_id, 'clv_wrong', { auth: 'post' });
    assert.equal(post.status, 401);
    assert.equal(post.body.error, 'invalid_client');
  });

  test('openid-client: introspection of an active token, then revocation makes it inactive', async () => {
    const cfg = await config(m2m, client.ClientSecretBasic(m2m.client_secret));
    const tr = await client.clientCredentialsGrant(cfg);
    const claims = jose.decodeJwt(tr.access_token);
    const info = await client.tokenIntrospection(cfg, tr.access_token);
    assert.equal(info.active, true);
    assert.equal(info.client_id, m2m.client_id);
    assert.equal(info.sub, m2m.client_id);
    assert.equal(info.iss, s.url);
    assert.equal(info.scope, 'read write');
    assert.equal(info.exp, claims.exp);
    assert.equal(info.iat, claims.iat);
    assert.equal(info.jti, claims.jti);
    assert.equal(info.tenant, s.init.tenant_id);
    if (info.token_type !== undefined) assert.equal(info.token_type.toLowerCase(), 'bearer');

    await client.tokenRevocation(cfg, tr.access_token);
    const after = await client.tokenIntrospection(cfg, tr.access_token);
    assert.equal(after.active, false);
    assert.deepEqual(Object.keys(after), ['active'], 'an inactive token says nothing more');
    // revoking again, or revoking garbage, is still 200 (RFC 7009 §2.2)
    await client.tokenRevocation(cfg, tr.access_token);
    await client.tokenRevocation(cfg, 'not-a-token');
    // the other token of the client stays active
    const other = await client.clientCredentialsGrant(cfg);
    assert.equal((await client.tokenIntrospection(cfg, other.access_token)).active, true);
  });

  test('introspection of garbage and of a tampered token is active:false', async () => {
    const tok = (await s.token(m2m.client_id, m2m.client_secret)).body.access_token;
    const [h, p, sig] = tok.split('.');
    const claims = JSON.parse(Buffer.from(p, 'base64url'));
    claims.scope = 'read write admin';
    const forged = `${h}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${sig}`;
    for (const t of ['garbage', forged, `${h}.${p}.`]) {
      const r = await s.introspect(t);
      assert.equal(r.status, 200);
      assert.deepEqual(r.body, { active: false });
    }
  });

  test('scope: none asked → every allowed scope; a subset → that subset; one not allowed → invalid_scope', async () => {
    const all = await s.token(m2m.client_id, m2m.client_secret);
    assert.equal(all.status, 200);
    assert.deepEqual(all.body.scope.split(' ').sort(), ['read', 'write']);
    assert.deepEqual(jose.decodeJwt(all.body.access_token).scope.split(' ').sort(), ['read', 'write']);

    const sub = await s.token(m2m.client_id, m2m.client_secret, { scope: 'write' });
    assert.equal(sub.status, 200);
    assert.equal(jose.decodeJwt(sub.body.access_token).scope, 'write');

    for (const scope of ['read delete', 'delete', 'openid', 'READ']) {
      const r = await s.token(m2m.client_id, m2m.client_secret, { scope });
      assert.equal(r.status, 400, scope);
      assert.equal(r.body.error, 'invalid_scope', scope);
      assert.equal(r.body.access_token, undefined);
    }
    const f = await oauthFailure(client.clientCredentialsGrant(
      await config(m2m, client.ClientSecretBasic(m2m.client_secret)), { scope: 'read nope' }));
    assert.deepEqual(f, { status: 400, error: 'invalid_scope' });
  });

  test('scope admin only with a tenant_admin or platform_admin role', async () => {
    const noRole = await s.createClient({ service_id: svc.id, scopes: ['admin', 'read'] });
    const r = await s.token(noRole.client_id, noRole.client_secret, { scope: 'admin' });
    assert.equal(r.status, 400);
    assert.equal(r.body.error, 'invalid_scope');
    const r2 = await s.token(noRole.client_id, noRole.client_secret, { scope: 'read admin' });
    assert.equal(r2.body.error, 'invalid_scope');

    const withRole = await s.createClient({ service_id: svc.id, scopes: ['admin', 'read'], roles: ['tenant_admin'] });
    const ok = await s.token(withRole.client_id, withRole.client_secret, { scope: 'admin' });
    assert.equal(ok.status, 200);
    assert.equal(jose.decodeJwt(ok.body.access_token).scope, 'admin');

    const roleNoScope = await s.createClient({ service_id: svc.id, scopes: ['read'], roles: ['platform_admin'] });
    const r3 = await s.token(roleNoScope.client_id, roleNoScope.client_secret, { scope: 'admin' });
    assert.equal(r3.body.error, 'invalid_scope', 'the role alone does not grant admin');
  });

  test('wrong secret → 401 invalid_client with WWW-Authenticate; an unknown client_id gets the same answer', async () => {
    const wrong = await s.token(m2m.client_id, `${m2m.client_secret.slice(0, -2)}xx`);
    const unknown = await s.token('no-such-client-id', m2m.client_secret);
    const empty = await s.token(m2m.client_id, '');
    for (const r of [wrong, unknown, empty]) {
      assert.equal(r.status, 401);
      assert.equal(r.body.error, 'invalid_client');
      assert.ok(r.headers.get('www-authenticate'), 'WWW-Authenticate is present');
      assert.equal(r.body.access_token, undefined);
    }
    assert.deepEqual(unknown.body, wrong.body, 'unknown client_id is indistinguishable from a bad secret');
    assert.equal(unknown.headers.get('www-authenticate'), wrong.headers.get('www-authenticate'));
    // with client_secret_post too
    const post = await s.token('no-such-client-id', 'x', { auth: 'post' });
    assert.equal(post.status, 401);
    assert.equal(post.body.error, 'invalid_client');
    // no credentials at all
    const none = await protocolPost(s.url, '/token', { params: { grant_type: 'client_credentials' } });
    assert.equal(none.status, 401);
    assert.equal(none.body.error, 'invalid_client');
  });

  test('public clients and confidential clients without allow_client_credentials → unauthorized_client', async () => {
    const pub = await s.createClient({ service_id: svc.id, type: 'public', redirect_uris: ['http://127.0.0.1:9/cb'] });
    assert.equal(pub.client_secret, undefined);
    const r1 = await protocolPost(s.url, '/token', { clientId: pub.client_id, auth: 'none', params: { grant_type: 'client_credentials' } });
    assert.equal(r1.status, 400);
    assert.equal(r1.body.error, 'unauthorized_client');

    const conf = await s.createClient({ service_id: svc.id, type: 'confidential', redirect_uris: ['https://app.example.com/cb'], scopes: ['read'] });
    assert.equal(conf.allow_client_credentials, false);
    const r2 = await s.token(conf.client_id, conf.client_secret);
    assert.equal(r2.status, 400);
    assert.equal(r2.body.error, 'unauthorized_client');

    const conf2 = await s.createClient({ service_id: svc.id, type: 'confidential', redirect_uris: ['https://app.example.com/cb'], scopes: ['read'], allow_client_credentials: true });
    assert.ok(conf2.grant_types.includes('client_credentials'));
    const r3 = await s.token(conf2.client_id, conf2.client_secret);
    assert.equal(r3.status, 200);
    assert.equal(jose.decodeJwt(r3.body.access_token).sub, conf2.client_id);
  });

  test('unsupported or missing grant_type', async () => {
    for (const g of ['password', 'implicit', 'urn:ietf:params:oauth:grant-type:device_code', 'CLIENT_CREDENTIALS']) {
      const r = await s.token(m2m.client_id, m2m.client_secret, { params: { grant_type: g } });
      assert.equal(r.status, 400, g);
      assert.equal(r.body.error, 'unsupported_grant_type', g);
    }
    const missing = await protocolPost(s.url, '/token', { clientId: m2m.client_id, clientSecret: m2m.client_secret, params: { scope: 'read' } });
    assert.equal(missing.status, 400);
    assert.equal(missing.body.error, 'invalid_request');
  });

  test('token responses, good and bad, carry Cache-Control: no-store', async () => {
    const rs = [
      await s.token(m2m.client_id, m2m.client_secret),
      await s.token(m2m.client_id, 'wrong'),
      await s.token(m2m.client_id, m2m.client_secret, { scope: 'nope' }),
      await s.token(m2m.client_id, m2m.client_secret, { params: { grant_type: 'password' } }),
    ];
    for (const r of rs) {
      assert.match(r.headers.get('cache-control') ?? '', /no-store/, `status ${r.status}`);
      assert.match(r.headers.get('content-type'), /^application\/json/);
    }
    assert.equal(rs[0].status, 200);
  });

  test('introspection: same tenant sees the token, another tenant gets active:false, a public client gets 401', async () => {
    const tok = (await s.token(m2m.client_id, m2m.client_secret)).body.access_token;
    const peer = await s.createClient({ service_id: svc.id });
    const same = await s.introspect(tok, { clientId: peer.client_id, clientSecret: peer.client_secret });
    assert.equal(same.status, 200);
    assert.equal(same.body.active, true);
    assert.match(same.headers.get('cache-control') ?? '', /no-store/);

    const t2 = await s.api('POST', '/admin/v1/tenants', { name: 'other tenant' });
    assert.equal(t2.status, 201);
    const svc2 = await s.createService('other', { tenant_id: t2.body.id });
    const foreign = await s.createClient({ service_id: svc2.id });
    const other = await s.introspect(tok, { clientId: foreign.client_id, clientSecret: foreign.client_secret });
    assert.equal(other.status, 200);
    assert.deepEqual(other.body, { active: false });
    // and the foreign client's revocation does nothing to the token
    const rv = await s.revoke(tok, { clientId: foreign.client_id, clientSecret: foreign.client_secret });
    assert.equal(rv.status, 200);
    assert.equal((await s.introspect(tok)).body.active, true, 'a foreign revocation is ignored');
    // the platform admin (init client) sees every tenant's tokens
    const fTok = (await s.token(foreign.client_id, foreign.client_secret)).body.access_token;
    const byAdmin = await s.introspect(fTok);
    assert.equal(byAdmin.body.active, true);
    assert.equal(byAdmin.body.tenant, t2.body.id);

    const pub = await s.createClient({ service_id: svc.id, type: 'public', redirect_uris: ['https://spa.example.com/cb'] });
    const byPublic = await protocolPost(s.url, '/introspect', { clientId: pub.client_id, auth: 'none', params: { token: tok } });
    assert.equal(byPublic.status, 401);
    assert.equal(byPublic.body.error, 'invalid_client');
    assert.equal(byPublic.body.active, undefined);
    const byNobody = await protocolPost(s.url, '/introspect', { params: { token: tok } });
    assert.equal(byNobody.status, 401);
    const byWrong = await s.introspect(tok, { clientId: peer.client_id, clientSecret: 'wrong' });
    assert.equal(byWrong.status, 401);
    assert.equal(byWrong.body.error, 'invalid_client');
  });

  test('revocation needs an authenticated confidential caller', async () => {
    const tok = (await s.token(m2m.client_id, m2m.client_secret)).body.access_token;
    const r = await s.revoke(tok, { clientId: m2m.client_id, clientSecret: 'wrong' });
    assert.equal(r.status, 401);
    assert.equal(r.body.error, 'invalid_client');
    assert.equal((await s.introspect(tok)).body.active, true, 'a refused revocation changes nothing');
  });

  test('the server shuts down cleanly (exit 0, no sanitizer report)', () => assertCleanShutdown(s));
});

describe('server started with --token-alg ES256', () => {
  let s;
  before(async () => { s = await start({ args: ['--token-alg', 'ES256'] }); });
  after(async () => { await stopUnstopped(s); });

  test('new clients default to ES256 and their tokens verify', async () => {
    const svc = await s.createService('es');
    const c = await s.createClient({ service_id: svc.id, scopes: ['read'] });
    assert.equal(c.access_token_signing_alg, null); // the server's, at issue time
    // the init client was made without --token-alg: it follows the server too
    assert.equal(jose.decodeProtectedHeader(await s.adminToken()).alg, 'ES256');
    const cfg = await client.discovery(new URL(s.url), c.client_id, c.client_secret,
      client.ClientSecretBasic(c.client_secret), { execute: [client.allowInsecureRequests] });
    const tr = await client.clientCredentialsGrant(cfg, { scope: 'read' });
    const jwks = jose.createRemoteJWKSet(new URL(`${s.url}/jwks`));
    const { protectedHeader, payload } = await jose.jwtVerify(tr.access_token, jwks, { issuer: s.url, typ: 'at+jwt' });
    assert.equal(protectedHeader.alg, 'ES256');
    assert.equal(payload.scope, 'read');
    const keys = (await request(`${s.url}/jwks`)).body.keys;
    assert.ok(keys.some((k) => k.alg === 'RS256'), 'RS256 is still published');
    // an explicit RS256 client on this server still gets RS256
    const rs = await s.createClient({ service_id: svc.id, access_token_signing_alg: 'RS256' });
    const t2 = (await s.token(rs.client_id, rs.client_secret)).body.access_token;
    assert.equal(jose.decodeProtectedHeader(t2).alg, 'RS256');
    await jose.jwtVerify(t2, jwks, { issuer: s.url });
  });

  test('the server shuts down cleanly (exit 0, no sanitizer report)', () => assertCleanShutdown(s));
});
