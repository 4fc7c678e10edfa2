// Dynamic client registration (RFC 7591) and management (RFC 7592), docs/DESIGN.md I1, R11:
// initial access tokens, registration with openid-client and with plain fetch, the
// registration access token (GET / PUT with rotation / DELETE), RFC 7591 errors that
// store nothing, 401s that change nothing, registered clients as ordinary clients in the
// admin API and audit log, and open registration.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as jose from 'jose';
import * as client from 'openid-client';
import {
  assertCleanShutdown, request, sleep, start, startSecondNode, stopUnstopped,
} from './harness.mjs';

let s; // the main server
let svc; // the service registrations go into
let node2; // a second node on s's database, with open registration into openSvc
let openSvc;

/** POST /admin/v1/initial-access-tokens; returns the 201 body. */
async function makeIat(body = {}) {
  const r = await s.api('POST', '/admin/v1/initial-access-tokens', { service_id: svc.id, ...body });
  assert.equal(r.status, 201, r.text);
  return r.body;
}

/** POST /register on base with token (Bearer; null for none). */
function register(token, metadata, { base = s.url, headers = {}, raw } = {}) {
  const h = { 'Content-Type': 'application/json', ...headers };
  if (token !== null) h.Authorization = `Bearer ${token}`;
  return request(`${base}/register`, { method: 'POST', headers: h, body: raw ?? JSON.stringify(metadata) });
}

function manage(method, clientId, rat, body, { base = s.url } = {}) {
  const h = {};
  if (rat !== null) h.Authorization = `Bearer ${rat}`;
  if (body !== undefined) h['Content-Type'] = 'application/json';
  return request(`${base}/register/${clientId}`, {
    method, headers: h, body: body === undefined ? undefined : JSON.stringify(body),
  });
}

/** Every client of a service, deleted ones too. */
async function clientsOf(serviceId) {
  const live = await s.listAll(`/admin/v1/clients?service_id=${serviceId}`);
  const deleted = await s.listAll(`/admin/v1/clients?service_id=${serviceId}&status=deleted`);
  return [...live, ...deleted];
}

function assertUnauthorized(r, what) {
  assert.equal(r.status, 401, `${what}: ${r.status} ${r.text}`);
  assert.equal(r.body?.error, 'invalid_token', what);
  assert.match(r.headers.get('www-authenticate') ?? '', /^Bearer/, `${what}: WWW-Authenticate`);
}

function assertRegError(r, error, what) {
  assert.equal(r.status, 400, `${what}: ${r.status} ${r.text}`);
  assert.equal(r.body?.error, error, `${what}: ${r.text}`);
  assert.equal(typeof r.body.error_description, 'string');
}

async function auditOf(target) {
  const r = await s.api('GET', `/admin/v1/audit?target=${encodeURIComponent(target)}&limit=100`);
  assert.equal(r.status, 200, r.text);
  return r.body.items;
}

/** Starts another `clavis serve` on s's database (docs/DESIGN.md I5: nodes share one database). */
const startNode = (args) => startSecondNode(s.db, args);

before(async () => {
  s = await start();
  svc = await s.createService('registrations');
});

after(async () => {
  await stopUnstopped(node2); // before s, whose stop removes the database
  await stopUnstopped(s);
});

describe('initial access tokens (POST /admin/v1/initial-access-tokens)', () => {
  test('made for one service: 201 with the token once, single-use by default, audited', async () => {
    const r = await s.api('POST', '/admin/v1/initial-access-tokens', { service_id: svc.id });
    assert.equal(r.status, 201, r.text);
    assert.match(r.headers.get('cache-control') ?? '', /no-store/);
    assert.match(r.body.token, /^clv_iat_[A-Za-z0-9_-]{43}$/);
    assert.equal(r.body.service_id, svc.id);
    assert.equal(r.body.uses, 1);
    assert.equal(typeof r.body.id, 'string');
    const exp = Date.parse(r.body.expires_at);
    assert.ok(Math.abs(exp - (Date.now() + 86400e3)) < 60e3, `one day by default: ${r.body.expires_at}`);
    const events = await auditOf(svc.id);
    const ev = events.find((e) => e.action === 'initial_access_token.create');
    assert.ok(ev, 'audited');
    assert.equal(ev.target.type, 'service');
    assert.ok(!JSON.stringify(events).includes(r.body.token), 'the audit never shows the token');
  });

  test('expires_in and uses (null = unlimited) are honoured', async () => {
    const r = await s.api('POST', '/admin/v1/initial-access-tokens', { service_id: svc.id, expires_in: 600, uses: null });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.body.uses, null);
    assert.ok(Math.abs(Date.parse(r.body.expires_at) - (Date.now() + 600e3)) < 10e3);
    const r2 = await s.api('POST', '/admin/v1/initial-access-tokens', { service_id: svc.id, uses: 3 });
    assert.equal(r2.body.uses, 3);
  });

  test('bad input: 400 naming the field, foreign or missing service 404, no token 401', async () => {
    const cases = [
      [{ service_id: svc.id, expires_in: 0 }, 'expires_in'],
      [{ service_id: svc.id, expires_in: 31 * 86400 }, 'expires_in'],
      [{ service_id: svc.id, expires_in: '60' }, 'expires_in'],
      [{ service_id: svc.id, uses: 0 }, 'uses'],
      [{ service_id: svc.id, uses: 'many' }, 'uses'],
      [{ service_id: svc.id, color: 'red' }, 'color'],
      [{}, 'service_id'],
    ];
    for (const [body, field] of cases) {
      const r = await s.api('POST', '/admin/v1/initial-access-tokens', body);
      assert.equal(r.status, 400, `${JSON.stringify(body)}: ${r.text}`);
      assert.equal(r.body.errors?.[0]?.field, field, JSON.stringify(body));
    }
    const missing = await s.api('POST', '/admin/v1/initial-access-tokens', { service_id: 'svc_nope' });
    assert.equal(missing.status, 404, missing.text);
    const anon = await s.api('POST', '/admin/v1/initial-access-tokens', { service_id: svc.id }, { token: null });
    assert.equal(anon.status, 401);
  });
});

describe('registration (RFC 7591)', () => {
  test('discovery names the registration endpoint', async () => {
    const r = await request(`${s.url}/.well-known/openid-configuration`);
    assert.equal(r.body.registration_endpoint, `${s.url}/register`);
    const o = await request(`${s.url}/.well-known/oauth-authorization-server`);
    assert.equal(o.body.registration_endpoint, `${s.url}/register`);
  });

  test('openid-client registers an m2m client, which then gets tokens (client_credentials)', async () => {
    const iat = await makeIat();
    const config = await client.dynamicClientRegistration(new URL(s.url), {
      client_name: 'registered batch',
      grant_types: ['client_credentials'],
      token_endpoint_auth_method: 'client_secret_post',
      scope: 'read write',
      software_id: 'batch-tool',
      software_version: '1.2.3',
      frobnication_level: 11, // unknown metadata is ignored (RFC 7591 §2)
    }, undefined, { initialAccessToken: iat.token, execute: [client.allowInsecureRequests] });
    const md = config.clientMetadata();
    assert.equal(typeof md.client_id, 'string');
    assert.match(md.client_secret, /^clv_/);
    assert.ok(md.client_secret_expires_at > Date.now() / 1000, 'the secret expires in the future');
    assert.ok(Math.abs(md.client_id_issued_at - Date.now() / 1000) < 60);
    assert.match(md.registration_access_token, /^clv_rat_/);
    assert.equal(md.registration_client_uri, `${s.url}/register/${md.client_id}`);
    assert.deepEqual(md.grant_types, ['client_credentials']);
    assert.equal(md.scope, 'read write');
    assert.equal(md.client_name, 'registered batch');
    assert.equal(md.software_version, '1.2.3');
    assert.equal(md.frobnication_level, undefined, 'unknown metadata is not echoed');

    const tokens = await client.clientCredentialsGrant(config, { scope: 'read' });
    assert.equal(tokens.token_type.toLowerCase(), 'bearer');
    const jwks = jose.createRemoteJWKSet(new URL(`${s.url}/jwks`));
    const { payload } = await jose.jwtVerify(tokens.access_token, jwks, { issuer: s.url, typ: 'at+jwt' });
    assert.equal(payload.client_id, md.client_id);
    assert.equal(payload.scope, 'read');

    // an ordinary client of the token's service, created by the registration
    const a = await s.api('GET', `/admin/v1/clients/${md.client_id}`);
    assert.equal(a.status, 200, a.text);
    assert.equal(a.body.type, 'm2m', 'docs/DESIGN.md R11: exactly client_credentials → m2m');
    assert.equal(a.body.service_id, svc.id);
    assert.equal(a.body.name, 'registered batch');
    assert.deepEqual(a.body.scopes, ['read', 'write']);
    assert.equal(a.body.token_endpoint_auth_method, 'client_secret_post');
    const events = await auditOf(md.client_id);
    const created = events.find((e) => e.action === 'client.create');
    assert.ok(created, 'the creation is audited');
    assert.deepEqual(created.actor, { type: 'registration', id: iat.id });
    assert.ok(!JSON.stringify(events).includes(md.client_secret), 'no secret in the audit');
    assert.ok(!JSON.stringify(events).includes(md.registration_access_token), 'no token in the audit');
  });

  test('the type follows from the metadata (docs/DESIGN.md R11)', async () => {
    const iat = await makeIat({ uses: null });
    const pub = await register(iat.token, {
      redirect_uris: ['https://spa.example.com/cb'], token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code', 'refresh_token'], client_name: 'SPA',
    });
    assert.equal(pub.status, 201, pub.text);
    assert.match(pub.headers.get('cache-control') ?? '', /no-store/);
    assert.equal(pub.body.client_secret, undefined, 'a public client has no secret');
    assert.equal(pub.body.client_secret_expires_at, undefined);
    assert.deepEqual(pub.body.response_types, ['code']);
    const pa = (await s.api('GET', `/admin/v1/clients/${pub.body.client_id}`)).body;
    assert.equal(pa.type, 'public');
    assert.equal(pa.allow_refresh_token, true);
    assert.equal(pa.require_pkce, true);

    const web = await register(iat.token, {
      redirect_uris: ['https://web.example.com/cb'], logo_uri: 'https://web.example.com/logo.png',
      contacts: ['ops@example.com'], 'client_name#ja-Jpan-JP': 'ウェブ', post_logout_redirect_uris: ['https://web.example.com/bye'],
    });
    assert.equal(web.status, 201, web.text);
    assert.match(web.body.client_secret, /^clv_/);
    assert.equal(web.body.client_name, 'registered client', 'a default name when none is given');
    assert.equal(web.body.token_endpoint_auth_method, 'client_secret_basic', 'RFC 7591 §2 default');
    assert.deepEqual(web.body.grant_types, ['authorization_code'], 'RFC 7591 §2 default');
    const wa = (await s.api('GET', `/admin/v1/clients/${web.body.client_id}`)).body;
    assert.equal(wa.type, 'confidential');
    assert.deepEqual(wa.contacts, ['ops@example.com']);
    assert.deepEqual(wa.post_logout_redirect_uris, ['https://web.example.com/bye']);

    const both = await register(iat.token, {
      redirect_uris: ['https://svc.example.com/cb'], grant_types: ['authorization_code', 'client_credentials'],
    });
    assert.equal(both.status, 201, both.text);
    const ba = (await s.api('GET', `/admin/v1/clients/${both.body.client_id}`)).body;
    assert.equal(ba.type, 'confidential', 'client_credentials with more → confidential');
    assert.equal(ba.allow_client_credentials, true);
    assert.equal((await s.token(both.body.client_id, both.body.client_secret)).status, 200);
  });

  test('invalid metadata: RFC 7591 errors, nothing stored, the initial access token not used up', async () => {
    const iat = await makeIat(); // single-use: survives every failed attempt below
    const before = (await clientsOf(svc.id)).length;
    const bad = [
      [{ redirect_uris: ['http://evil.example.com/cb'] }, 'invalid_redirect_uri'],
      [{ redirect_uris: ['https://app.example.com/cb#frag'] }, 'invalid_redirect_uri'],
      [{ redirect_uris: ['not a uri'] }, 'invalid_redirect_uri'],
      [{ redirect_uris: 'https://app.example.com/cb' }, 'invalid_redirect_uri'],
      [{ token_endpoint_auth_method: 'none' }, 'invalid_redirect_uri'], // public needs one
      [{ grant_types: ['client_credentials'], redirect_uris: ['https://a.example.com/cb'] }, 'invalid_redirect_uri'],
      [{ redirect_uris: ['https://a.example.com/cb'], token_endpoint_auth_method: 'client_secret_jwt' }, 'invalid_client_metadata'],
      [{ redirect_uris: ['https://a.example.com/cb'], grant_types: ['implicit'] }, 'invalid_client_metadata'],
      [{ redirect_uris: ['https://a.example.com/cb'], response_types: ['token'] }, 'invalid_client_metadata'],
      [{ redirect_uris: ['https://a.example.com/cb'], token_endpoint_auth_method: 'none', grant_types: ['client_credentials'] }, 'invalid_client_metadata'],
      [{ redirect_uris: ['https://a.example.com/cb'], client_name: 42 }, 'invalid_client_metadata'],
      [{ redirect_uris: ['https://a.example.com/cb'], client_name: 'x'.repeat(201) }, 'invalid_client_metadata'],
      [{ redirect_uris: ['https://a.example.com/cb'], scope: 'read "quoted"' }, 'invalid_client_metadata'],
      [{ redirect_uris: ['https://a.example.com/cb'], logo_uri: 'javascript:alert(1)' }, 'invalid_client_metadata'],
      [{ redirect_uris: ['https://a.example.com/cb'], subject_type: 'sometimes' }, 'invalid_client_metadata'],
    ];
    for (const [md, error] of bad) {
      assertRegError(await register(iat.token, md), error, JSON.stringify(md));
    }
    const notJson = await register(iat.token, null, { raw: 'client_name=x', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
    assert.equal(notJson.status, 400, notJson.text);
    assert.equal(notJson.body.error, 'invalid_request');
    const broken = await register(iat.token, null, { raw: '{"redirect_uris": [' });
    assert.equal(broken.status, 400, broken.text);
    assert.equal((await clientsOf(svc.id)).length, before, 'no client was stored');

    const ok = await register(iat.token, { redirect_uris: ['https://a.example.com/cb'] });
    assert.equal(ok.status, 201, `the token still works after failures: ${ok.text}`);
  });

  test('a single-use token works once; a second registration is 401 and stores nothing', async () => {
    const iat = await makeIat();
    const first = await register(iat.token, { grant_types: ['client_credentials'], client_name: 'once' });
    assert.equal(first.status, 201, first.text);
    const count = (await clientsOf(svc.id)).length;
    const second = await register(iat.token, { grant_types: ['client_credentials'], client_name: 'twice' });
    assertUnauthorized(second, 'used-up token');
    const after = await clientsOf(svc.id);
    assert.equal(after.length, count);
    assert.ok(!after.some((c) => c.name === 'twice'));
  });

  test('a token with uses: 2 registers twice; uses: null until it expires', async () => {
    const two = await makeIat({ uses: 2 });
    const md = { grant_types: ['client_credentials'] };
    assert.equal((await register(two.token, md)).status, 201);
    assert.equal((await register(two.token, md)).status, 201);
    assertUnauthorized(await register(two.token, md), 'third use of a two-use token');
    const many = await makeIat({ uses: null });
    for (let i = 0; i < 4; i++) assert.equal((await register(many.token, md)).status, 201);
  });

  test('an expired, wrong or missing token is 401 and stores nothing', async () => {
    const iat = await makeIat({ expires_in: 1, uses: null });
    const count = (await clientsOf(svc.id)).length;
    await sleep(2100);
    const md = { grant_types: ['client_credentials'], client_name: 'too late' };
    assertUnauthorized(await register(iat.token, md), 'expired token');
    assertUnauthorized(await register('clv_iat_' + 'A'.repeat(43), md), 'wrong token');
    assertUnauthorized(await register(null, md), 'no token (open registration is off)');
    const basic = await register(null, md, { headers: { Authorization: 'Basic Zm9vOmJhcg==' } });
    assertUnauthorized(basic, 'Basic instead of Bearer');
    // a registration access token or an admin token is not an initial access token
    assertUnauthorized(await register(await s.adminToken(), md), 'admin access token');
    assert.equal((await clientsOf(svc.id)).length, count);
  });
});

describe('management (RFC 7592)', () => {
  let reg; // the registration response
  let iat;

  before(async () => {
    iat = await makeIat();
    const r = await register(iat.token, {
      client_name: 'managed', grant_types: ['client_credentials'], scope: 'read write',
      token_endpoint_auth_method: 'client_secret_basic', contacts: ['a@example.com'],
    });
    assert.equal(r.status, 201, r.text);
    reg = r.body;
  });

  test('GET reads the current metadata with the token, never the secret', async () => {
    const r = await manage('GET', reg.client_id, reg.registration_access_token);
    assert.equal(r.status, 200, r.text);
    assert.match(r.headers.get('cache-control') ?? '', /no-store/);
    assert.equal(r.body.client_id, reg.client_id);
    assert.equal(r.body.client_name, 'managed');
    assert.equal(r.body.scope, 'read write');
    assert.equal(r.body.registration_client_uri, reg.registration_client_uri);
    assert.equal(r.body.client_secret, undefined);
    assert.ok(!r.text.includes(reg.client_secret));
  });

  test('a wrong, missing or other client\'s token is 401 and changes nothing', async () => {
    const other = await register((await makeIat()).token, { grant_types: ['client_credentials'] });
    const version = (await s.api('GET', `/admin/v1/clients/${reg.client_id}`)).headers.get('etag');
    const put = { client_id: reg.client_id, client_name: 'hijacked', grant_types: ['client_credentials'] };
    for (const [rat, what] of [[null, 'no token'], ['clv_rat_' + 'x'.repeat(43), 'wrong token'],
      [other.body.registration_access_token, 'another client\'s token'], [iat.token, 'the initial access token']]) {
      assertUnauthorized(await manage('GET', reg.client_id, rat), `GET, ${what}`);
      assertUnauthorized(await manage('PUT', reg.client_id, rat, put), `PUT, ${what}`);
      assertUnauthorized(await manage('DELETE', reg.client_id, rat), `DELETE, ${what}`);
    }
    assertUnauthorized(await manage('GET', 'no-such-client', reg.registration_access_token), 'unknown client');
    const now = await s.api('GET', `/admin/v1/clients/${reg.client_id}`);
    assert.equal(now.headers.get('etag'), version, 'the client did not change');
    assert.equal(now.body.name, 'managed');
  });

  test('PUT replaces the metadata and rotates the token; the old one stops working', async () => {
    const put = {
      client_id: reg.client_id, client_name: 'managed v2', grant_types: ['client_credentials'],
      token_endpoint_auth_method: 'client_secret_basic', scope: 'read',
      registration_access_token: 'ignored', client_id_issued_at: 1, // read-only: ignored
    };
    const r = await manage('PUT', reg.client_id, reg.registration_access_token, put);
    assert.equal(r.status, 200, r.text);
    assert.match(r.headers.get('cache-control') ?? '', /no-store/);
    assert.equal(r.body.client_name, 'managed v2');
    assert.equal(r.body.scope, 'read');
    assert.equal(r.body.contacts, undefined, 'an omitted field is removed (RFC 7592 §2.2)');
    assert.match(r.body.registration_access_token, /^clv_rat_/);
    assert.notEqual(r.body.registration_access_token, reg.registration_access_token);
    assertUnauthorized(await manage('GET', reg.client_id, reg.registration_access_token), 'the old token after PUT');
    const old = reg.registration_access_token;
    reg = { ...reg, registration_access_token: r.body.registration_access_token };
    assert.equal((await manage('GET', reg.client_id, reg.registration_access_token)).status, 200);
    assertUnauthorized(await manage('PUT', reg.client_id, old, put), 'PUT with the old token');

    const a = (await s.api('GET', `/admin/v1/clients/${reg.client_id}`)).body;
    assert.equal(a.name, 'managed v2');
    assert.deepEqual(a.scopes, ['read']);
    assert.deepEqual(a.contacts, []);
    assert.equal((await s.token(reg.client_id, reg.client_secret)).status, 200, 'the secret is unchanged');
    const update = (await auditOf(reg.client_id)).find((e) => e.action === 'client.update');
    assert.ok(update, 'the update is audited');
    assert.deepEqual(update.actor, { type: 'registration', id: reg.client_id });
    assert.deepEqual(update.changes.name, { from: 'managed', to: 'managed v2' });
  });

  test('PUT: client_id must match, a sent client_secret must be the current one, the type stays', async () => {
    const base = { client_id: reg.client_id, client_name: 'managed v2', grant_types: ['client_credentials'], scope: 'read' };
    const before = await s.api('GET', `/admin/v1/clients/${reg.client_id}`);
    const bad = [
      [{ ...base, client_id: 'someone-else' }, 'invalid_client_metadata'],
      [{ ...base, client_id: undefined }, 'invalid_client_metadata'],
      [{ ...base, client_secret: 'clv_chosen_by_the_client' }, 'invalid_client_metadata'],
      [{ ...base, grant_types: ['authorization_code'], redirect_uris: ['https://x.example.com/cb'] }, 'invalid_client_metadata'],
      [{ ...base, token_endpoint_auth_method: 'none' }, 'invalid_client_metadata'],
      [{ ...base, redirect_uris: ['https://x.example.com/cb'] }, 'invalid_redirect_uri'],
    ];
    for (const [body, error] of bad) {
      assertRegError(await manage('PUT', reg.client_id, reg.registration_access_token, body), error, JSON.stringify(body));
    }
    const after = await s.api('GET', `/admin/v1/clients/${reg.client_id}`);
    assert.equal(after.headers.get('etag'), before.headers.get('etag'), 'nothing changed');
    // a failed PUT does not rotate the token
    assert.equal((await manage('GET', reg.client_id, reg.registration_access_token)).status, 200);

    const r = await manage('PUT', reg.client_id, reg.registration_access_token, { ...base, client_secret: reg.client_secret });
    assert.equal(r.status, 200, `the current secret is accepted: ${r.text}`);
    reg = { ...reg, registration_access_token: r.body.registration_access_token };
  });

  test('a registered client is ordinary: the admin API edits and deactivates it', async () => {
    const p = await s.api('PATCH', `/admin/v1/clients/${reg.client_id}`, { description: 'edited by an admin' });
    assert.equal(p.status, 200, p.text);
    const d = await s.api('POST', `/admin/v1/clients/${reg.client_id}/deactivate`);
    assert.equal(d.status, 200, d.text);
    assert.equal((await s.token(reg.client_id, reg.client_secret)).status, 401);
    const g = await manage('GET', reg.client_id, reg.registration_access_token);
    assert.equal(g.status, 200, 'an inactive client can still read its registration');
    assert.equal((await s.api('POST', `/admin/v1/clients/${reg.client_id}/activate`)).status, 200);
    assert.equal((await s.token(reg.client_id, reg.client_secret)).status, 200);
  });

  test('DELETE is a soft delete (204), audited; the token then stops working', async () => {
    const r = await manage('DELETE', reg.client_id, reg.registration_access_token);
    assert.equal(r.status, 204, r.text);
    assert.equal(r.text, '');
    assertUnauthorized(await manage('GET', reg.client_id, reg.registration_access_token), 'GET after DELETE');
    assertUnauthorized(await manage('DELETE', reg.client_id, reg.registration_access_token), 'DELETE after DELETE');
    const a = (await s.api('GET', `/admin/v1/clients/${reg.client_id}`)).body;
    assert.equal(a.status, 'deleted');
    assert.ok(a.purge_at, 'restorable until purge_at');
    const t = await s.token(reg.client_id, reg.client_secret);
    assert.equal(t.status, 401);
    assert.equal(t.body.error, 'invalid_client');
    const del = (await auditOf(reg.client_id)).find((e) => e.action === 'client.delete');
    assert.deepEqual(del?.actor, { type: 'registration', id: reg.client_id });

    // an admin may restore it; the registration access token stays revoked
    assert.equal((await s.api('POST', `/admin/v1/clients/${reg.client_id}/restore`)).status, 200);
    assert.equal((await s.token(reg.client_id, reg.client_secret)).status, 200);
    assertUnauthorized(await manage('GET', reg.client_id, reg.registration_access_token), 'GET after restore');
  });

  test('a client deleted through the admin API cannot be managed by its token', async () => {
    const r = await register((await makeIat()).token, { grant_types: ['client_credentials'] });
    assert.equal(r.status, 201, r.text);
    assert.equal((await s.api('DELETE', `/admin/v1/clients/${r.body.client_id}`)).status, 200);
    assertUnauthorized(await manage('GET', r.body.client_id, r.body.registration_access_token), 'GET of a deleted client');
  });
});

describe('open registration (--open-registration-service)', () => {
  before(async () => {
    openSvc = await s.createService('open registrations');
    node2 = await startNode(['--open-registration-service', openSvc.id]);
  });

  test('without a token, a registration joins the operator\'s service, audited as "open"', async () => {
    const r = await register(null, { grant_types: ['client_credentials'], client_name: 'walk-in' }, { base: node2.url });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.body.registration_client_uri, `${node2.url}/register/${r.body.client_id}`);
    const a = (await s.api('GET', `/admin/v1/clients/${r.body.client_id}`)).body;
    assert.equal(a.service_id, openSvc.id);
    const created = (await auditOf(r.body.client_id)).find((e) => e.action === 'client.create');
    assert.deepEqual(created.actor, { type: 'registration', id: 'open' });
    assert.equal((await manage('GET', r.body.client_id, r.body.registration_access_token, undefined, { base: node2.url })).status, 200);
  });

  test('a presented token still counts: a wrong one is 401, a good one picks its service', async () => {
    const md = { grant_types: ['client_credentials'] };
    assertUnauthorized(await register('clv_iat_wrong', md, { base: node2.url }), 'wrong token in open mode');
    const iat = await makeIat();
    const r = await register(iat.token, md, { base: node2.url });
    assert.equal(r.status, 201, r.text);
    assert.equal((await s.api('GET', `/admin/v1/clients/${r.body.client_id}`)).body.service_id, svc.id);
  });

  test('the node without the flag still refuses registration without a token', async () => {
    assertUnauthorized(await register(null, { grant_types: ['client_credentials'] }), 'no token, open registration off');
  });
});

test('the servers shut down cleanly (exit 0, no sanitizer report)', async () => {
  await assertCleanShutdown(node2);
  await assertCleanShutdown(s);
});
