// A signed-in user as administrator (docs/DESIGN.md I2: "a signed-in admin user in the console"):
// an access token issued to a user through the code flow carries admin rights from the
// user's roles as they are now — not from the client's — and is audited as the user.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as client from 'openid-client';
import { Browser, parseForm } from './browser.mjs';
import { assertCleanShutdown, start, stopUnstopped } from './harness.mjs';

const CB = 'http://127.0.0.1:9/cb';

describe('admin API with a user token', () => {
  let s;
  let console_;
  let cfg;

  before(async () => {
    s = await start();
    const svc = await s.createService('console');
    // a public client allowed the admin scope, like the web console
    console_ = await s.createClient({ service_id: svc.id, type: 'public', redirect_uris: [CB],
      scopes: ['openid', 'admin'] });
    cfg = await client.discovery(new URL(s.url), console_.client_id, undefined, client.None(),
      { execute: [client.allowInsecureRequests] });
    for (const [username, roles] of [['boss', ['tenant_admin']], ['plain', []]]) {
      const r = await s.api('POST', '/admin/v1/users', { username, password: 'a-long-password', roles });
      assert.equal(r.status, 201, r.text);
    }
  });
  after(() => stopUnstopped(s));

  async function signIn(username, scope) {
    const b = new Browser();
    const verifier = client.randomPKCECodeVerifier();
    const url = client.buildAuthorizationUrl(cfg, { redirect_uri: CB, scope, state: 'st',
      code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256' });
    const page = await b.get(url);
    assert.equal(page.status, 200, `${page.location} ${page.text.slice(0, 200)}`);
    const form = parseForm(page.text);
    const r = await b.post(form.action, { ...form.fields, username, password: 'a-long-password' });
    return { r, verifier };
  }

  test('a tenant_admin user gets admin; its actions are audited as the user', async () => {
    const { r, verifier } = await signIn('boss', 'openid admin');
    assert.equal(r.status, 302);
    const tokens = await client.authorizationCodeGrant(cfg, new URL(r.location),
      { pkceCodeVerifier: verifier, expectedState: 'st' });
    assert.match(tokens.scope, /\badmin\b/);
    const auth = { token: tokens.access_token };
    const list = await s.api('GET', '/admin/v1/services', undefined, auth);
    assert.equal(list.status, 200, list.text);
    const created = await s.api('POST', '/admin/v1/services', { name: 'made by boss' }, auth);
    assert.equal(created.status, 201, created.text);
    const users = await s.api('GET', '/admin/v1/users');
    const boss = users.body.items.find((u) => u.username === 'boss');
    const events = await s.api('GET', `/admin/v1/audit?target=${created.body.id}`);
    assert.deepEqual(events.body.items[0].actor, { type: 'user', id: boss.id });
    // a tenant admin, not a platform admin: platform-only actions are 403
    assert.equal((await s.api('POST', '/admin/v1/tenants', { name: 'x' }, auth)).status, 403);
    // roles are read at each call: without tenant_admin the same token is refused
    const patched = await s.api('PATCH', `/admin/v1/users/${boss.id}`, { roles: [] });
    assert.equal(patched.status, 200, patched.text);
    assert.equal((await s.api('GET', '/admin/v1/services', undefined, auth)).status, 403);
  });

  test('a user without an admin role is never given the admin scope', async () => {
    const { r } = await signIn('plain', 'openid admin');
    assert.equal(r.status, 302);
    assert.match(r.location, /error=access_denied/);
  });

  test('the server shuts down cleanly (exit 0, no sanitizer report)', async () => {
    await assertCleanShutdown(s);
  });
});
