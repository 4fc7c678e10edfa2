// Resource indicators (RFC 8707; docs/DESIGN.md R38, docs/API.md "Resources of a
// service"): a service registers its APIs, `resource` at /authorize and /token names one,
// the token's aud is its identifier, anything else is invalid_target, a refresh keeps it
// and can never switch to another; introspection reports aud. Driven with openid-client
// against the real binary, and the CLI's `clavis service resource`.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as client from 'openid-client';
import * as jose from 'jose';
import { Browser, parseForm } from './browser.mjs';
import { protocolPost, runCli, start, startSecondNode } from './harness.mjs';

const CB = 'http://127.0.0.1:9/cb';
const MCP = 'https://mcp.example.com/mcp';
const OTHER = 'https://other.example.com/api';
const PASSWORD = 'rita-password-1';

describe('resource indicators (RFC 8707)', () => {
  let s;
  let svc;
  let svc2;
  let m2m;
  let pub;
  let mcp;

  const aud = (token) => jose.decodeJwt(token).aud;

  async function oauthError(promise) {
    try {
      await promise;
    } catch (e) {
      if (e instanceof client.ResponseBodyError) return e.error;
      if (e instanceof client.AuthorizationResponseError) return e.error;
      throw e;
    }
    assert.fail('the request succeeded but was expected to fail');
  }

  /** Signs in as rita at pub with extra authorization parameters; the redirect. */
  async function authorize(cfg, params) {
    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const url = client.buildAuthorizationUrl(cfg, {
      redirect_uri: CB, scope: 'openid read', state,
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256', ...params,
    });
    const b = new Browser();
    let r = await b.get(url);
    if (r.status === 200) {
      const form = parseForm(r.text);
      r = await b.post(form.action, { ...form.fields, username: 'rita', password: PASSWORD });
    }
    assert.equal(r.status, 302, r.text.slice(0, 300));
    return { location: new URL(r.location), checks: { pkceCodeVerifier: verifier, expectedState: state } };
  }

  before(async () => {
    s = await start();
    svc = await s.createService('APIs');
    svc2 = await s.createService('Other APIs');
    m2m = await s.createClient({ service_id: svc.id, name: 'worker', scopes: ['read', 'write', 'billing'] });
    pub = await s.createClient({
      service_id: svc.id, type: 'public', name: 'agent', redirect_uris: [CB],
      scopes: ['openid', 'read', 'write', 'billing'], allow_refresh_token: true,
    });
    const u = await s.api('POST', '/admin/v1/users', { username: 'rita', password: PASSWORD });
    assert.equal(u.status, 201, u.text);
  });
  after(async () => { await s?.stop(); });

  test('the admin API registers, lists and refuses bad resources', async () => {
    const p = `/admin/v1/services/${svc.id}/resources`;
    const r = await s.api('POST', p, { identifier: MCP, name: 'MCP server', scopes: ['read', 'write'] });
    assert.equal(r.status, 201, r.text);
    mcp = r.body;
    assert.equal(mcp.identifier, MCP);
    assert.equal(mcp.service_id, svc.id);
    assert.deepEqual(mcp.scopes, ['read', 'write']);
    assert.match(mcp.id, /^rs_/);
    const other = await s.api('POST', `/admin/v1/services/${svc2.id}/resources`, { identifier: OTHER });
    assert.equal(other.status, 201, other.text);
    assert.deepEqual(other.body.scopes, []);

    const dup = await s.api('POST', p, { identifier: MCP });
    assert.equal(dup.status, 409, dup.text);
    for (const [body, field] of [
      [{ identifier: 'https://mcp.example.com/mcp#frag' }, 'identifier'],
      [{ identifier: 'mcp.example.com' }, 'identifier'],
      [{}, 'identifier'],
      [{ identifier: 'https://x.example.com', scopes: ['admin'] }, 'scopes'],
      [{ identifier: 'https://x.example.com', scopes: ['a b'] }, 'scopes[0]'],
      [{ identifier: 'https://x.example.com', audience: 'x' }, 'audience'],
    ]) {
      const bad = await s.api('POST', p, body);
      assert.equal(bad.status, 400, `${JSON.stringify(body)}: ${bad.text}`);
      assert.equal(bad.body.errors[0].field, field, bad.text);
    }
    const missing = await s.api('POST', '/admin/v1/services/svc_nope/resources', { identifier: MCP });
    assert.equal(missing.status, 404);

    const list = await s.api('GET', p);
    assert.equal(list.status, 200);
    assert.deepEqual(list.body.items.map((i) => i.identifier), [MCP]);
    const audit = await s.api('GET', `/admin/v1/audit?target=${svc.id}`);
    assert.ok(audit.body.items.some((e) => e.action === 'service.resource.create' &&
      e.changes.resource.to === MCP), audit.text);
  });

  test('another tenant\'s admin: 404 for the resources of a service it cannot see; its own tenant works', async () => {
    const t2 = (await s.api('POST', '/admin/v1/tenants', { name: 'Tenant Two' })).body;
    const svcB = (await s.api('POST', '/admin/v1/services', { tenant_id: t2.id, name: 'B APIs' })).body;
    const ta = await s.createClient({ service_id: svcB.id, name: 'B admin', roles: ['tenant_admin'], scopes: ['admin'] });
    const tr = await s.token(ta.client_id, ta.client_secret, { scope: 'admin' });
    assert.equal(tr.status, 200, tr.text);
    const as2 = { token: tr.body.access_token };
    const foreign = `/admin/v1/services/${svc.id}/resources`;
    assert.equal((await s.api('GET', foreign, undefined, as2)).status, 404);
    assert.equal((await s.api('POST', foreign, { identifier: 'https://evil.example.com/' }, as2)).status, 404);
    assert.equal((await s.api('DELETE', `${foreign}/${mcp.id}`, undefined, as2)).status, 404);
    const still = await s.api('GET', foreign);
    assert.deepEqual(still.body.items.map((i) => i.identifier), [MCP], 'nothing changed');
    const own = await s.api('POST', `/admin/v1/services/${svcB.id}/resources`, { identifier: 'https://b.example.com/api' }, as2);
    assert.equal(own.status, 201, own.text);
    // nor can it claim tenant A's API for its own service: tokens of its clients would carry A's aud
    const claim = await s.api('POST', `/admin/v1/services/${svcB.id}/resources`, { identifier: MCP }, as2);
    assert.equal(claim.status, 409, claim.text);
    // a client of tenant A cannot name tenant B's resource
    const r = await s.token(m2m.client_id, m2m.client_secret, { params: { resource: 'https://b.example.com/api' } });
    assert.equal(r.body.error, 'invalid_target');
    // no token: 401
    assert.equal((await s.api('GET', foreign, undefined, { token: null })).status, 401);
  });

  test('client_credentials: aud is the resource, the scope narrows to its scopes', async () => {
    let r = await s.token(m2m.client_id, m2m.client_secret, { params: { resource: MCP } });
    assert.equal(r.status, 200, r.text);
    assert.equal(aud(r.body.access_token), MCP);
    assert.equal(r.body.scope, 'read write');
    const intro = await s.introspect(r.body.access_token);
    assert.equal(intro.body.active, true);
    assert.ok([intro.body.aud].flat().includes(MCP), intro.text);

    r = await s.token(m2m.client_id, m2m.client_secret, { scope: 'read', params: { resource: MCP } });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.scope, 'read');
    r = await s.token(m2m.client_id, m2m.client_secret, { scope: 'billing', params: { resource: MCP } });
    assert.equal(r.status, 400);
    assert.equal(r.body.error, 'invalid_scope');
    for (const resource of [OTHER, 'https://unknown.example.com/', 'not a uri', `${MCP}#x`]) {
      r = await s.token(m2m.client_id, m2m.client_secret, { params: { resource } });
      assert.equal(r.status, 400, resource);
      assert.equal(r.body.error, 'invalid_target', resource);
    }
    // without a resource nothing changes: the issuer as aud, every allowed scope
    r = await s.token(m2m.client_id, m2m.client_secret);
    assert.equal(aud(r.body.access_token), s.url);
    assert.equal(r.body.scope, 'read write billing');
  });

  test('authorization code: resource at /authorize binds code, token and refresh', async () => {
    const cfg = await client.discovery(new URL(s.url), pub.client_id, undefined, client.None(),
      { execute: [client.allowInsecureRequests] });
    const a = await authorize(cfg, { resource: MCP });
    // a token request naming another resource is refused and leaves the code unused
    const wrong = await oauthError(client.authorizationCodeGrant(cfg, a.location, a.checks, { resource: OTHER }));
    assert.equal(wrong, 'invalid_target');
    const t = await client.authorizationCodeGrant(cfg, a.location, a.checks, { resource: MCP });
    assert.equal(aud(t.access_token), MCP);
    assert.equal(t.scope, 'openid read');
    assert.ok(t.refresh_token);

    const r1 = await client.refreshTokenGrant(cfg, t.refresh_token);
    assert.equal(aud(r1.access_token), MCP, 'a refresh without resource keeps it');
    const r2 = await client.refreshTokenGrant(cfg, r1.refresh_token, { resource: MCP });
    assert.equal(aud(r2.access_token), MCP);
    assert.equal(await oauthError(client.refreshTokenGrant(cfg, r2.refresh_token, { resource: OTHER })),
      'invalid_target', 'a refresh never switches to another resource');

    // a scope outside the resource's is refused at /authorize, back at the redirect URI
    const bad = await authorize(cfg, { resource: MCP, scope: 'openid billing' });
    assert.equal(bad.location.searchParams.get('error'), 'invalid_scope');
    const unknown = await authorize(cfg, { resource: OTHER });
    assert.equal(unknown.location.searchParams.get('error'), 'invalid_target');

    // a grant without a resource cannot gain one at the token endpoint
    const plain = await authorize(cfg, {});
    assert.equal(await oauthError(client.authorizationCodeGrant(cfg, plain.location, plain.checks, { resource: MCP })),
      'invalid_target');

    // once the resource is removed, its grants stop: the refresh fails
    const del = await s.api('DELETE', `/admin/v1/services/${svc.id}/resources/${mcp.id}`);
    assert.equal(del.status, 204, del.text);
    assert.equal(await oauthError(client.refreshTokenGrant(cfg, r2.refresh_token)), 'invalid_target');
    const gone = await s.api('DELETE', `/admin/v1/services/${svc.id}/resources/${mcp.id}`);
    assert.equal(gone.status, 404);
  });

  // The resource a /token request names is cached with the client on each node
  // (src/core/client_cache.c): a removal on one node must stop it on another within the
  // bound of a client deactivation (docs/DESIGN.md M and D11: one second; told at once on
  // PostgreSQL, the cache's 500 ms on SQLite).
  test('a resource removed on one node stops working on another within one second', async (t) => {
    const b = await startSecondNode(s.db, [], { issuer: s.url });
    try {
      const API = 'https://nodes.example.com/api';
      const made = await s.api('POST', `/admin/v1/services/${svc.id}/resources`, { identifier: API });
      assert.equal(made.status, 201, made.text);
      const tokenAtB = () => protocolPost(b.url, '/token', { clientId: m2m.client_id,
        clientSecret: m2m.client_secret, params: { grant_type: 'client_credentials', resource: API } });
      for (let i = 0; i < 3; i++) { // now in node b's cache
        const r = await tokenAtB();
        assert.equal(r.status, 200, r.text);
        assert.equal(aud(r.body.access_token), API);
      }
      const t0 = Date.now();
      const del = await s.api('DELETE', `/admin/v1/services/${svc.id}/resources/${made.body.id}`);
      assert.equal(del.status, 204, del.text);
      for (;;) {
        const r = await tokenAtB();
        const ms = Date.now() - t0;
        if (r.status === 400) {
          assert.equal(r.body.error, 'invalid_target', r.text);
          assert.ok(ms <= 1000, `node b issued tokens for the removed resource for ${ms} ms`);
          t.diagnostic(`refused on node b ${ms} ms after the removal`);
          break;
        }
        assert.equal(r.status, 200, r.text);
        assert.ok(ms <= 1000, `node b still issues tokens for the removed resource after ${ms} ms`);
      }
      // and node a, where it was removed, refuses it at once
      const r = await s.token(m2m.client_id, m2m.client_secret, { params: { resource: API } });
      assert.equal(r.body.error, 'invalid_target', r.text);
    } finally {
      await b.stop();
    }
  });

  test('clavis service resource add | list | remove', async () => {
    const env = { CLAVIS_URL: s.url, CLAVIS_CLIENT_ID: s.init.client_id, CLAVIS_CLIENT_SECRET: s.init.client_secret };
    const add = await runCli(['service', 'resource', 'add', svc.id, '--identifier', 'https://cli.example.com/api',
      '--name', 'CLI API', '--scope', 'read', '--json'], { env });
    assert.equal(add.code, 0, add.stderr);
    const made = JSON.parse(add.stdout);
    assert.deepEqual(made.scopes, ['read']);
    const list = await runCli(['service', 'resource', 'list', svc.id], { env });
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /https:\/\/cli\.example\.com\/api/);
    const dup = await runCli(['service', 'resource', 'add', svc.id, '--identifier', 'https://cli.example.com/api'], { env });
    assert.equal(dup.code, 1);
    const usage = await runCli(['service', 'resource', 'add', svc.id], { env });
    assert.equal(usage.code, 2);
    const rm = await runCli(['service', 'resource', 'remove', svc.id, made.id], { env });
    assert.equal(rm.code, 0, rm.stderr);
    assert.match(rm.stdout, /Removed resource/);
  });
});
