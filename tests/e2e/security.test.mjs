// The privilege escalation of a registered client, replayed step by step, and the rules
// that close it (docs/DESIGN.md D2, D3): admin is a reserved scope that registration
// refuses; a user's admin rights reach only first-party clients; a client that is not
// first-party gets a consent page, remembered per user and client, visible and revocable
// through the admin API; prompt=consent always asks and prompt=none without consent is
// consent_required. Also: loopback redirect URIs with any port (D8), Basic and post alike
// for secret clients (D9), initial access tokens of a switched-off service (D7).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as jose from 'jose';
import * as client from 'openid-client';
import { Browser, parseForm } from './browser.mjs';
import { assertCleanShutdown, protocolPost, request, runCli, start, stopUnstopped } from './harness.mjs';

const insecure = { execute: [client.allowInsecureRequests] };

let s;
let svc;

before(async () => {
  s = await start();
  svc = await s.createService('security');
});
after(() => stopUnstopped(s));

async function makeIat(service = svc) {
  const r = await s.api('POST', '/admin/v1/initial-access-tokens', { service_id: service.id });
  assert.equal(r.status, 201, r.text);
  return r.body.token;
}

/** Registers a public client through openid-client (RFC 7591) with redirect URI cb. */
async function registerPublic(cb, scope = 'openid profile') {
  const cfg = await client.dynamicClientRegistration(new URL(s.url), {
    client_name: 'Friendly Tool', redirect_uris: [cb], token_endpoint_auth_method: 'none',
    grant_types: ['authorization_code'], response_types: ['code'], scope,
  }, client.None(), { initialAccessToken: await makeIat(), ...insecure });
  return cfg;
}

/** An authorization request of cfg; resolves {url, verifier}. */
async function authzUrl(cfg, cb, scope, extra = {}) {
  const verifier = client.randomPKCECodeVerifier();
  const params = { redirect_uri: cb, state: 'st', code_challenge_method: 'S256',
    code_challenge: await client.calculatePKCECodeChallenge(verifier), ...extra };
  if (scope !== undefined) params.scope = scope;
  const url = client.buildAuthorizationUrl(cfg, params);
  return { url, verifier };
}

/** Signs b in as the init platform admin through the sign-in form shown for url. */
async function signIn(b, url) {
  const page = await b.get(url);
  assert.equal(page.status, 200, `${page.location} ${page.text.slice(0, 200)}`);
  const form = parseForm(page.text);
  assert.ok('password' in form.fields, 'the sign-in form');
  return b.post(form.action, { ...form.fields, username: s.init.admin_username,
    password: s.init.admin_password });
}

async function adminUserId() {
  const users = await s.listAll('/admin/v1/users');
  return users.find((u) => u.username === s.init.admin_username).id;
}

describe('the escalation through a registered client, replayed', () => {
  const CB = 'http://127.0.0.1:9/attacker-cb';
  let first; // a first-party client the admin signs in to "elsewhere"
  let firstCfg;
  let b; // the admin's browser, signed in

  before(async () => {
    first = await s.createClient({ service_id: svc.id, type: 'public', redirect_uris: ['http://127.0.0.1:9/app'],
      scopes: ['openid', 'admin'] });
    firstCfg = await client.discovery(new URL(s.url), first.client_id, undefined, client.None(), insecure);
    b = new Browser();
    const { url } = await authzUrl(firstCfg, 'http://127.0.0.1:9/app', 'openid');
    const r = await signIn(b, url);
    assert.equal(r.status, 302, 'the admin is signed in at a first-party app');
    assert.match(r.location, /[?&]code=/);
  });

  test('step 1: registration refuses the admin scope (openid-client, RFC 7591)', async () => {
    const iat = await makeIat();
    await assert.rejects(client.dynamicClientRegistration(new URL(s.url), {
      client_name: 'evil', redirect_uris: [CB], token_endpoint_auth_method: 'none', scope: 'openid admin',
    }, client.None(), { initialAccessToken: iat, ...insecure }), (e) => {
      assert.equal(e.error, 'invalid_client_metadata');
      assert.match(e.error_description, /^scope: .*reserved/);
      return true;
    });
    // nothing was stored, and the single-use token was not used up
    const again = await registerPublic(CB, 'openid');
    assert.ok(again.clientMetadata().client_id);
  });

  test('step 1b: RFC 7592 PUT cannot add admin, and first_party cannot be registered', async () => {
    const cfg = await registerPublic(CB, 'openid');
    const md = cfg.clientMetadata();
    const put = await request(md.registration_client_uri, {
      method: 'PUT', headers: { Authorization: `Bearer ${md.registration_access_token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ client_id: md.client_id, redirect_uris: [CB], token_endpoint_auth_method: 'none',
        scope: 'openid admin', first_party: true }),
    });
    assert.equal(put.status, 400, put.text);
    assert.equal(put.body.error, 'invalid_client_metadata');
    const a = await s.api('GET', `/admin/v1/clients/${md.client_id}`);
    assert.deepEqual(a.body.scopes, ['openid']);
    assert.equal(a.body.first_party, false, 'a registered client is never first-party');
    // first_party sent at registration is ignored metadata (RFC 7591 §2)
    const r = await request(`${s.url}/register`, { method: 'POST',
      headers: { Authorization: `Bearer ${await makeIat()}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ redirect_uris: [CB], token_endpoint_auth_method: 'none', first_party: true }) });
    assert.equal(r.status, 201, r.text);
    assert.equal((await s.api('GET', `/admin/v1/clients/${r.body.client_id}`)).body.first_party, false);
  });

  test('steps 2-4: the admin follows the link: consent page, never a code with admin', async () => {
    const cfg = await registerPublic(CB, 'openid');
    // asking for admin explicitly: refused at once, back to the client (it is not allowed)
    const asked = await authzUrl(cfg, CB, 'openid admin');
    const r1 = await b.get(asked.url);
    assert.equal(r1.status, 302);
    assert.match(r1.location, /error=invalid_scope/);
    // its own scopes: the consent page, not a redirect with a code
    const { url, verifier } = await authzUrl(cfg, CB, 'openid');
    const page = await b.get(url);
    assert.equal(page.status, 200, page.location ?? '');
    assert.match(page.text, /Allow access\?/);
    assert.match(page.text, /Friendly Tool/);
    assert.match(page.text, /127\.0\.0\.1:9/, 'the redirect host is shown');
    assert.match(page.text, /<li>openid<\/li>/);
    assert.match(page.headers.get('content-security-policy'), /frame-ancestors 'none'/);
    // the admin allows it: a code, whose token has no admin and no roles
    const form = parseForm(page.text);
    const allowed = await b.post(form.action, { ...form.fields, consent: 'allow' });
    assert.equal(allowed.status, 302, allowed.text.slice(0, 300));
    const tokens = await client.authorizationCodeGrant(cfg, new URL(allowed.location),
      { pkceCodeVerifier: verifier, expectedState: 'st' });
    assert.doesNotMatch(tokens.scope, /\badmin\b/);
    const claims = jose.decodeJwt(tokens.access_token);
    assert.equal(claims.roles, undefined, 'a user\'s roles do not reach a registered client');
    // step 5: the admin API refuses the token
    const tenants = await s.api('POST', '/admin/v1/tenants', { name: 'pwned' }, { token: tokens.access_token });
    assert.equal(tenants.status, 403, tenants.text);
  });

  test('an admin-scoped client an administrator marks not first-party never carries admin rights', async () => {
    const c = await s.createClient({ service_id: svc.id, type: 'public', redirect_uris: [CB],
      scopes: ['openid', 'admin'], first_party: false });
    const cfg = await client.discovery(new URL(s.url), c.client_id, undefined, client.None(), insecure);
    const explicit = await authzUrl(cfg, CB, 'openid admin');
    const r = await b.get(explicit.url);
    assert.equal(r.status, 302);
    assert.match(r.location, /error=access_denied/);
    assert.match(decodeURIComponent(r.location), /first-party/);
    // implicit scope: admin is dropped before the consent page lists the scopes
    const implicit = await b.get((await authzUrl(cfg, CB, undefined)).url);
    assert.equal(implicit.status, 200);
    assert.doesNotMatch(implicit.text, /<li>admin<\/li>/);
  });

  test('a user token of a client that stops being first-party loses the admin API', async () => {
    const app = 'http://127.0.0.1:9/app';
    const { url, verifier } = await authzUrl(firstCfg, app, 'openid admin');
    const r = await b.get(url);
    assert.equal(r.status, 302, 'first-party: no consent page');
    const tokens = await client.authorizationCodeGrant(firstCfg, new URL(r.location),
      { pkceCodeVerifier: verifier, expectedState: 'st' });
    assert.match(tokens.scope, /\badmin\b/);
    const auth = { token: tokens.access_token };
    assert.equal((await s.api('GET', '/admin/v1/services', undefined, auth)).status, 200);
    const p = await s.api('PATCH', `/admin/v1/clients/${first.client_id}`, { first_party: false });
    assert.equal(p.status, 200, p.text);
    const after_ = await s.api('GET', '/admin/v1/services', undefined, auth);
    assert.equal(after_.status, 403, after_.text);
    assert.match(after_.body.detail, /first-party/);
    await s.api('PATCH', `/admin/v1/clients/${first.client_id}`, { first_party: true });
  });
});

describe('a tenant admin cannot make a client that a platform admin\'s rights reach', () => {
  let ta; // a tenant_admin m2m client of the init tenant
  let tok;
  const CB = 'http://127.0.0.1:9/ta-cb';

  before(async () => {
    ta = await s.createClient({ service_id: svc.id, roles: ['tenant_admin'], scopes: ['admin'] });
    tok = (await s.token(ta.client_id, ta.client_secret, { scope: 'admin' })).body.access_token;
  });

  test('create, PATCH into, or change a first-party client with the admin scope: 403', async () => {
    const auth = { token: tok };
    const made = await s.api('POST', '/admin/v1/clients', { service_id: svc.id, name: 'evil console',
      type: 'public', redirect_uris: [CB], scopes: ['openid', 'admin'] }, auth);
    assert.equal(made.status, 403, made.text);
    assert.equal(made.body.errors[0].field, 'scopes');
    // the same client as a third party is fine: users' admin rights never reach it
    const third = await s.api('POST', '/admin/v1/clients', { service_id: svc.id, name: 'partner',
      type: 'public', redirect_uris: [CB], scopes: ['openid', 'admin'], first_party: false }, auth);
    assert.equal(third.status, 201, third.text);
    const flip = await s.api('PATCH', `/admin/v1/clients/${third.body.client_id}`, { first_party: true }, auth);
    assert.equal(flip.status, 403, flip.text);
    const plain = await s.api('POST', '/admin/v1/clients', { service_id: svc.id, name: 'app',
      type: 'public', redirect_uris: [CB], scopes: ['openid'] }, auth);
    assert.equal(plain.status, 201, plain.text);
    const add = await s.api('PATCH', `/admin/v1/clients/${plain.body.client_id}`, { scopes: ['openid', 'admin'] }, auth);
    assert.equal(add.status, 403, add.text);
    // one a platform admin made: the tenant admin may read it but not change its redirect URIs
    const consoleLike = await s.createClient({ service_id: svc.id, type: 'public', redirect_uris: ['https://console.example/cb'],
      scopes: ['openid', 'admin'] });
    assert.equal((await s.api('GET', `/admin/v1/clients/${consoleLike.client_id}`, undefined, auth)).status, 200);
    const redirect = await s.api('PATCH', `/admin/v1/clients/${consoleLike.client_id}`, { redirect_uris: [CB] }, auth);
    assert.equal(redirect.status, 403, redirect.text);
    const after_ = await s.api('GET', `/admin/v1/clients/${consoleLike.client_id}`);
    assert.deepEqual(after_.body.redirect_uris, ['https://console.example/cb']);
  });
});

describe('another tenant\'s admin, at initial access tokens and the server policy', () => {
  let tok;
  before(async () => {
    const t = await s.api('POST', '/admin/v1/tenants', { name: 'iat-other' });
    const osvc = await s.createService('iat-o', { tenant_id: t.body.id });
    const ta = await s.createClient({ service_id: osvc.id, roles: ['tenant_admin'], scopes: ['admin'] });
    tok = (await s.token(ta.client_id, ta.client_secret, { scope: 'admin' })).body.access_token;
  });

  test('cannot make an initial access token for this tenant\'s service, nor see ours', async () => {
    const before_ = (await s.listAll('/admin/v1/initial-access-tokens')).length;
    const r = await s.api('POST', '/admin/v1/initial-access-tokens', { service_id: svc.id }, { token: tok });
    assert.equal(r.status, 404, r.text);
    assert.equal(r.body.token, undefined);
    assert.equal((await s.listAll('/admin/v1/initial-access-tokens')).length, before_, 'nothing made');
    const seen = await s.api('GET', '/admin/v1/initial-access-tokens?limit=100', undefined, { token: tok });
    assert.equal(seen.status, 200, seen.text);
    assert.ok(seen.body.items.every((i) => i.service_id !== svc.id), 'none of ours listed');
  });

  test('reads the same server policy as a platform admin (GET /admin/v1/settings)', async () => {
    const mine = await s.api('GET', '/admin/v1/settings', undefined, { token: tok });
    assert.equal(mine.status, 200, mine.text);
    assert.deepEqual(mine.body, (await s.api('GET', '/admin/v1/settings')).body);
    assert.equal((await s.api('GET', '/admin/v1/settings', undefined, { token: null })).status, 401);
  });
});

describe('admin is checked again at every token of a user', () => {
  test('a refresh after the client stops being first-party carries no admin', async () => {
    const app = 'http://127.0.0.1:9/refresh-app';
    const c = await s.createClient({ service_id: svc.id, type: 'public', redirect_uris: [app],
      scopes: ['openid', 'admin'], allow_refresh_token: true });
    const cfg = await client.discovery(new URL(s.url), c.client_id, undefined, client.None(), insecure);
    const b = new Browser();
    const { url, verifier } = await authzUrl(cfg, app, 'openid admin');
    const r = await signIn(b, url);
    assert.equal(r.status, 302);
    const tokens = await client.authorizationCodeGrant(cfg, new URL(r.location),
      { pkceCodeVerifier: verifier, expectedState: 'st' });
    assert.match(tokens.scope, /\badmin\b/);
    const again = await client.refreshTokenGrant(cfg, tokens.refresh_token);
    assert.match(again.scope, /\badmin\b/, 'first-party: admin stays');
    assert.equal((await s.api('PATCH', `/admin/v1/clients/${c.client_id}`, { first_party: false })).status, 200);
    const later = await client.refreshTokenGrant(cfg, again.refresh_token);
    assert.doesNotMatch(later.scope, /\badmin\b/);
    assert.equal(jose.decodeJwt(later.access_token).roles, undefined);
    const last = await client.refreshTokenGrant(cfg, later.refresh_token);
    assert.doesNotMatch(last.scope, /\badmin\b/, 'the narrowed family stays narrowed');
  });
});

describe('consent (OIDC Core §3.1.2.4)', () => {
  const CB = 'http://127.0.0.1:9/consent-cb';
  let cfg;
  let b;

  before(async () => {
    cfg = await registerPublic(CB, 'openid profile email');
    b = new Browser();
  });

  test('prompt=none before any consent is consent_required (after sign-in)', async () => {
    const { url } = await authzUrl(cfg, CB, 'openid');
    const page = await signIn(b, url); // signs in, then asks
    assert.equal(page.status, 200);
    assert.match(page.text, /Allow access\?/);
    const none = await b.get((await authzUrl(cfg, CB, 'openid', { prompt: 'none' })).url);
    assert.equal(none.status, 302);
    assert.match(none.location, /error=consent_required/);
    assert.match(none.location, /state=st/);
  });

  test('deny goes back with access_denied and remembers nothing', async () => {
    const page = await b.get((await authzUrl(cfg, CB, 'openid')).url);
    const form = parseForm(page.text);
    const denied = await b.post(form.action, { ...form.fields, consent: 'deny' });
    assert.equal(denied.status, 302);
    assert.match(denied.location, /error=access_denied/);
    const id = await adminUserId();
    const grants = await s.api('GET', `/admin/v1/users/${id}/grants`);
    assert.equal(grants.status, 200, grants.text);
    assert.equal(grants.body.items.filter((g) => g.client_id === cfg.clientMetadata().client_id).length, 0);
  });

  test('a consent form without its CSRF token changes nothing', async () => {
    const page = await b.get((await authzUrl(cfg, CB, 'openid')).url);
    const form = parseForm(page.text);
    const forged = await b.post(form.action, { ...form.fields, csrf: 'x', consent: 'allow' });
    assert.equal(forged.status, 400);
    const other = new Browser(); // another browser: no session, no CSRF cookie
    const cross = await other.post(form.action, { ...form.fields, consent: 'allow' });
    assert.equal(cross.status, 400);
  });

  test('allow is remembered; more scopes or prompt=consent ask again; revocation forgets', async () => {
    const clientId = cfg.clientMetadata().client_id;
    const page = await b.get((await authzUrl(cfg, CB, 'openid profile')).url);
    const form = parseForm(page.text);
    const ok = await b.post(form.action, { ...form.fields, consent: 'allow' });
    assert.equal(ok.status, 302);
    assert.match(ok.location, /[?&]code=/);
    // remembered: the same (or fewer) scopes go straight back, also with prompt=none
    for (const extra of [{}, { prompt: 'none' }]) {
      const again = await b.get((await authzUrl(cfg, CB, 'openid', extra)).url);
      assert.equal(again.status, 302, JSON.stringify(extra));
      assert.match(again.location, /[?&]code=/);
    }
    // a scope beyond what was allowed: asked again, listing it
    const more = await b.get((await authzUrl(cfg, CB, 'openid email')).url);
    assert.equal(more.status, 200);
    assert.match(more.text, /<li>email<\/li>/);
    // prompt=consent always asks
    const forced = await b.get((await authzUrl(cfg, CB, 'openid', { prompt: 'consent' })).url);
    assert.equal(forced.status, 200);
    assert.match(forced.text, /Allow access\?/);
    // visible through the admin API
    const id = await adminUserId();
    const grants = await s.api('GET', `/admin/v1/users/${id}/grants`);
    const g = grants.body.items.find((x) => x.client_id === clientId);
    assert.equal(g.scope, 'openid profile');
    assert.match(g.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const events = await s.api('GET', `/admin/v1/audit?target=${clientId}`);
    assert.ok(events.body.items.some((e) => e.action === 'consent.grant' && e.actor.type === 'user'));
    // revoked: the next silent request is consent_required again
    const del = await s.api('DELETE', `/admin/v1/users/${id}/grants/${clientId}`);
    assert.equal(del.status, 204, del.text);
    assert.equal((await s.api('DELETE', `/admin/v1/users/${id}/grants/${clientId}`)).status, 404);
    const after_ = await b.get((await authzUrl(cfg, CB, 'openid', { prompt: 'none' })).url);
    assert.match(after_.location, /error=consent_required/);
    const revoked = await s.api('GET', `/admin/v1/audit?target=${clientId}`);
    assert.ok(revoked.body.items.some((e) => e.action === 'consent.revoke'));
  });

  test('a consent page shown to one user allows nothing once another signs in', async () => {
    const r = await s.api('POST', '/admin/v1/users', { username: 'bob', password: 'a-long-password' });
    assert.equal(r.status, 201, r.text);
    const b2 = new Browser();
    const first = await signIn(b2, (await authzUrl(cfg, CB, 'openid', { prompt: 'consent' })).url);
    assert.equal(first.status, 200);
    const form = parseForm(first.text); // shown to the admin
    // bob signs in in another tab of the same browser
    const page = await b2.get((await authzUrl(cfg, CB, 'openid', { prompt: 'login' })).url);
    const login = parseForm(page.text);
    const bob = await b2.post(login.action, { ...login.fields, username: 'bob', password: 'a-long-password' });
    assert.equal(bob.status, 200, 'bob is asked himself');
    const stale = await b2.post(form.action, { ...form.fields, consent: 'allow' });
    assert.equal(stale.status, 400, 'the admin\'s form allows nothing for bob');
    // and a form for one scope does not allow another
    const fresh = parseForm(bob.text);
    const wider = await b2.post(fresh.action, { ...fresh.fields, scope: 'openid profile email', consent: 'allow' });
    assert.equal(wider.status, 400);
    const users = await s.listAll('/admin/v1/users');
    const bobId = users.find((u) => u.username === 'bob').id;
    assert.equal((await s.api('GET', `/admin/v1/users/${bobId}/grants`)).body.items.length, 0);
  });

  test('prompt=consent asks even after the sign-in form', async () => {
    const fresh = new Browser();
    const page = await signIn(fresh, (await authzUrl(cfg, CB, 'openid', { prompt: 'consent' })).url);
    assert.equal(page.status, 200);
    assert.match(page.text, /Allow access\?/);
  });

  test('another tenant\'s admin cannot see or revoke a user\'s grants', async () => {
    const t = await s.api('POST', '/admin/v1/tenants', { name: 'other' });
    const osvc = await s.createService('o', { tenant_id: t.body.id });
    const ta = await s.createClient({ service_id: osvc.id, roles: ['tenant_admin'], scopes: ['admin'] });
    const tok = (await s.token(ta.client_id, ta.client_secret, { scope: 'admin' })).body.access_token;
    const id = await adminUserId();
    assert.equal((await s.api('GET', `/admin/v1/users/${id}/grants`, undefined, { token: tok })).status, 404);
    assert.equal((await s.api('DELETE', `/admin/v1/users/${id}/grants/x`, undefined, { token: tok })).status, 404);
    assert.equal((await s.api('GET', `/admin/v1/users/${id}/grants`, undefined, { token: null })).status, 401);
  });

  test('discovery advertises only the prompt values that work', async () => {
    const d = await request(`${s.url}/.well-known/openid-configuration`);
    assert.deepEqual(d.body.prompt_values_supported, ['none', 'login', 'consent']);
  });
});

describe('loopback redirect URIs match with any port (RFC 8252 §7.3)', () => {
  test('a native app picks its port at run time; the path still matches exactly', async () => {
    const c = await s.createClient({ service_id: svc.id, type: 'public', redirect_uris: ['http://127.0.0.1/native-cb'],
      scopes: ['openid'] });
    const cfg = await client.discovery(new URL(s.url), c.client_id, undefined, client.None(), insecure);
    const b = new Browser();
    const cb = 'http://127.0.0.1:53117/native-cb';
    const { url, verifier } = await authzUrl(cfg, cb, 'openid');
    const r = await signIn(b, url);
    assert.equal(r.status, 302, r.text.slice(0, 300));
    assert.ok(r.location.startsWith(`${cb}?`), r.location);
    const tokens = await client.authorizationCodeGrant(cfg, new URL(r.location),
      { pkceCodeVerifier: verifier, expectedState: 'st' });
    assert.ok(tokens.access_token);
    for (const bad of ['http://127.0.0.1:53117/native-cb/x', 'http://localhost:53117/native-cb',
      'http://127.0.0.1:53117/native-cb?y=1']) {
      const page = await b.get((await authzUrl(cfg, bad, 'openid')).url);
      assert.equal(page.status, 400, bad);
      assert.equal(page.location, null, `${bad}: never redirected`);
    }
  });
});

describe('Basic or post alike for secret clients (openid-client defaults)', () => {
  test('dynamicClientRegistration() then clientCredentialsGrant() works', async () => {
    const cfg = await client.dynamicClientRegistration(new URL(s.url), {
      grant_types: ['client_credentials'], scope: 'read',
    }, undefined, { initialAccessToken: await makeIat(), ...insecure });
    const md = cfg.clientMetadata();
    assert.equal(md.token_endpoint_auth_method, 'client_secret_basic');
    const tokens = await client.clientCredentialsGrant(cfg, { scope: 'read' }); // sends it by post
    assert.ok(tokens.access_token);
    const basic = await s.token(md.client_id, md.client_secret, { auth: 'basic' });
    assert.equal(basic.status, 200, basic.text);
    // both at once is still invalid_request
    const both = await protocolPost(s.url, '/token', { clientId: md.client_id, clientSecret: md.client_secret,
      auth: 'basic', params: { grant_type: 'client_credentials', client_id: md.client_id, client_secret: md.client_secret } });
    assert.equal(both.status, 400, both.text);
    assert.equal(both.body.error, 'invalid_request');
  });
});

describe('registration needs a live service and tenant', () => {
  test('an initial access token of an inactive service registers nothing and is not used up', async () => {
    const off = await s.createService('switched-off');
    const iat = await makeIat(off);
    assert.equal((await s.api('POST', `/admin/v1/services/${off.id}/deactivate`)).status, 200);
    const reg = () => request(`${s.url}/register`, { method: 'POST',
      headers: { Authorization: `Bearer ${iat}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ grant_types: ['client_credentials'] }) });
    const r = await reg();
    assert.equal(r.status, 401, r.text);
    assert.equal(r.body.error, 'invalid_token');
    assert.match(r.body.error_description, /service .*not active/);
    const clients = await s.listAll(`/admin/v1/clients?service_id=${off.id}`);
    assert.equal(clients.length, 0);
    assert.equal((await s.api('POST', `/admin/v1/services/${off.id}/activate`)).status, 200);
    assert.equal((await reg()).status, 201, 'the single-use token was not used up');
  });
});

describe('first_party from the command line', () => {
  test('clavis client create --first-party false; update --first-party true', async () => {
    const env = { CLAVIS_URL: s.url, CLAVIS_CLIENT_ID: s.init.client_id, CLAVIS_CLIENT_SECRET: s.init.client_secret };
    const made = await runCli(['client', 'create', '--service-id', svc.id, '--name', 'partner', '--type', 'public',
      '--redirect-uri', 'https://partner.example/cb', '--first-party', 'false', '--json'], { env });
    assert.equal(made.code, 0, made.stderr);
    const c = JSON.parse(made.stdout);
    assert.equal(c.first_party, false);
    const up = await runCli(['client', 'update', c.client_id, '--first-party', 'true', '--json'], { env });
    assert.equal(up.code, 0, up.stderr);
    assert.equal(JSON.parse(up.stdout).first_party, true);
    const bad = await runCli(['client', 'update', c.client_id, '--first-party', 'maybe'], { env });
    assert.equal(bad.code, 2);
  });
});

test('the server shuts down cleanly (exit 0, no sanitizer report)', () => assertCleanShutdown(s));
