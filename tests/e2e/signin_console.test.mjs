// The sign-in page names the console's tenant (docs/DESIGN.md D13): /authorize for a
// tenant's console client (clavis-console-TENANT, or clavis-console in the init tenant)
// says "to the console of “NAME”", the name escaped, so that an operator sent a link into
// another tenant's console sees whose it is before typing a password; an ordinary client's
// page names the client, as before. Same security headers (no script, inline style by its
// hash) either way.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { assertCleanShutdown, request, start, stopUnstopped } from './harness.mjs';

const NAME = 'Acme <b>"Ops"</b> & \'Co\'';
const ESCAPED = 'Acme &lt;b&gt;&quot;Ops&quot;&lt;/b&gt; &amp; &#39;Co&#39;';
const CHALLENGE = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM';

let srv;
after(async () => {
  await stopUnstopped(srv);
});

/** The sign-in page of /authorize for clientId with redirectUri. */
async function signInPage(clientId, redirectUri) {
  const q = new URLSearchParams({ response_type: 'code', client_id: clientId, redirect_uri: redirectUri,
    scope: 'openid', state: 'st', code_challenge_method: 'S256', code_challenge: CHALLENGE });
  const r = await request(`${srv.url}/authorize?${q}`);
  assert.equal(r.status, 200, r.text.slice(0, 300));
  assert.match(r.text, /<form method="post"/, 'the sign-in form');
  const csp = r.headers.get('content-security-policy');
  assert.match(csp, /default-src 'none'/);
  assert.match(csp, /style-src 'sha256-[A-Za-z0-9+/]+='/);
  assert.doesNotMatch(csp, /unsafe-inline|script-src/);
  assert.doesNotMatch(r.text, /<script/i);
  return r.text;
}

/** The page's text after "Sign in": what the sign-in is for. */
const purpose = (html) => /<\/h1><p>(.*?)<\/p>/.exec(html)?.[1];

test('a tenant console\'s sign-in page names the tenant, escaped; an ordinary client\'s does not', async () => {
  srv = await start();
  const t = await srv.api('POST', '/admin/v1/tenants', { name: NAME });
  assert.equal(t.status, 201, t.text);
  const cb = `${srv.url}/console/callback`;

  const page = await signInPage(`clavis-console-${t.body.id}`, cb);
  assert.equal(purpose(page), `to the console of <strong>&#8220;${ESCAPED}&#8221;</strong>`);
  assert.ok(!page.includes('<b>'), 'the name is never markup');

  // the init tenant's console (clavis-console) names the init tenant
  const tenants = await srv.listAll('/admin/v1/tenants');
  const init = tenants.find((x) => x.id !== t.body.id);
  const initPage = await signInPage('clavis-console', cb);
  assert.match(purpose(initPage), /^to the console of <strong>&#8220;.+&#8221;<\/strong>$/);
  assert.ok(purpose(initPage).includes(init.name.replace(/&/g, '&amp;').replace(/</g, '&lt;')), purpose(initPage));

  // an ordinary client of that tenant: its own name, no console
  const svc = await srv.createService('shop', { tenant_id: t.body.id });
  const app = await srv.createClient({ service_id: svc.id, type: 'public', name: 'Shop <i>App</i>',
    redirect_uris: ['http://127.0.0.1:9/cb'], scopes: ['openid'] });
  const other = await signInPage(app.client_id, 'http://127.0.0.1:9/cb');
  assert.equal(purpose(other), 'to continue to <strong>Shop &lt;i&gt;App&lt;/i&gt;</strong>');
  assert.doesNotMatch(other, /console of/);
});

test('the server shuts down cleanly (exit 0, no sanitizer report)', async () => {
  await assertCleanShutdown(srv);
});
