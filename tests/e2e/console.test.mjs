// The web console (docs/API.md "The web console") in a real browser: Debian's chromium
// driven by playwright-core (no browser download), axe-core on every page, against the real
// binary. CLAVIS_SCREENSHOTS=1 also saves the main pages at 1280×800 into docs/console/.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import http from 'node:http';
import { gunzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { checkA11y } from './a11y.mjs';
import { start, stopUnstopped, assertCleanShutdown, request, startSecondNode, freePort, protocolPost, sql } from './harness.mjs';

const CHROMIUM = process.env.CLAVIS_CHROMIUM ?? '/usr/bin/chromium';
const SHOTS = process.env.CLAVIS_SCREENSHOTS === '1'
  ? path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../docs/console') : null;

let srv;
let browser;
after(async () => {
  await browser?.close();
  await stopUnstopped(srv);
});

test('chromium is installed (make test installs it: scripts/deps.sh test)', () => {
  assert.ok(existsSync(CHROMIUM), `no browser at ${CHROMIUM}: run scripts/deps.sh test`);
});

test('console: HTML and assets carry the headers of docs/DESIGN.md D13', async () => {
  srv = await start();
  for (const p of ['/console', '/console/', '/console/services/x/clients', '/console/callback?code=x']) {
    const r = await request(srv.url + p);
    assert.equal(r.status, 200, p);
    assert.match(r.headers.get('content-type'), /^text\/html/);
    const csp = r.headers.get('content-security-policy');
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /script-src 'self'(;|$)/);
    assert.match(csp, /style-src 'self'(;|$)/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.doesNotMatch(csp, /unsafe/);
    assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(r.headers.get('referrer-policy'), 'no-referrer');
    assert.equal(r.headers.get('cache-control'), 'no-cache');
    assert.doesNotMatch(r.text, /<script(?![^>]*\bsrc=)[^>]*>/, 'no inline script');
    assert.doesNotMatch(r.text, /<style|\bstyle=/, 'no inline style');
  }
  const index = (await request(`${srv.url}/console`)).text;
  const urls = [...index.matchAll(/(?:href|src)="(\/console\/assets\/[0-9a-f]{16}\/[^"]+)"/g)].map((m) => m[1]);
  assert.ok(urls.length >= 2, 'the index names its assets by version');
  for (const u of urls) {
    const r = await request(srv.url + u);
    assert.equal(r.status, 200, u);
    assert.equal(r.headers.get('cache-control'), 'public, max-age=31536000, immutable');
    assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
  }
  const wrong = urls[0].replace(/assets\/[0-9a-f]{16}/, 'assets/0000000000000000');
  assert.equal((await request(srv.url + wrong)).status, 404, 'another version is not served');
  assert.equal((await request(`${srv.url}/console`, { method: 'POST' })).status, 405);
});

async function shot(page, name) {
  if (!SHOTS) return;
  await mkdir(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`) });
}

test('console: sign in, manage a service and its clients end to end, sign out', async () => {
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: srv.url });
  const page = await context.newPage();
  page.setDefaultTimeout(10000);
  try {
    await journey(page);
  } catch (e) {
    // what the page showed, for the failure report
    const shown = await page.locator('body').innerText().catch(() => '(no page)');
    e.message += `\n--- at ${page.url()} the page showed:\n${shown.slice(0, 3000)}`;
    throw e;
  } finally {
    await context.close();
  }
});

async function journey(page) {
  const origin = new URL(srv.url).origin;
  const foreign = [];
  const errors = [];
  const expected = { 400: 0, 401: 0, 412: 0 }; // failed answers the test provokes
  page.on('request', (r) => { if (new URL(r.url()).origin !== origin) foreign.push(r.url()); });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    // a failure the test provokes is logged by the browser as a failed resource; nothing else may be
    const st = /status of (\d+)/.exec(m.text())?.[1];
    if (st in expected && expected[st]-- > 0) return;
    errors.push(m.text());
  });
  const main = page.locator('main');

  // sign in through /authorize with the init admin user
  await page.goto(`${srv.url}/console`);
  await page.waitForURL(/\/authorize\?/);
  const authUrl = new URL(page.url());
  assert.equal(authUrl.searchParams.get('client_id'), 'clavis-console');
  assert.equal(authUrl.searchParams.get('code_challenge_method'), 'S256');
  await page.fill('#username', srv.init.admin_username);
  await page.fill('#password', srv.init.admin_password);
  await page.click('button[type=submit]');
  await page.waitForURL(/\/console\/services$/);
  await main.getByRole('heading', { name: 'Services', level: 1 }).waitFor();
  await page.getByText('admin · platform admin').waitFor();
  await page.getByRole('cell', { name: 'Clavis administration' }).waitFor();
  await checkA11y(page, 'services');

  // a service
  await page.getByRole('button', { name: 'New service' }).click();
  const dlg = page.getByRole('dialog');
  await checkA11y(page, 'new service dialog');
  await dlg.getByLabel('Name').fill('Shop');
  await dlg.getByLabel('Description').fill('The online shop');
  await dlg.getByRole('button', { name: 'Create service' }).click();
  await page.waitForURL(/\/console\/services\/svc_[a-z0-9]+$/);
  const serviceId = page.url().split('/').pop();
  await main.getByRole('heading', { name: 'Shop', level: 1 }).waitFor();
  await main.getByText('sandbox').first().waitFor();
  if (SHOTS) {
    await page.goto(`${srv.url}/console/services`);
    await main.getByRole('link', { name: 'Shop', exact: true }).waitFor();
    await shot(page, 'services');
  }

  // one client of each type
  const made = {};
  for (const [type, label] of [['public', 'Public'], ['confidential', 'Confidential'], ['m2m', 'Machine to machine']]) {
    await page.goto(`${srv.url}/console/services/${serviceId}/clients`);
    await main.getByRole('link', { name: 'New client' }).click();
    await main.getByRole('heading', { name: 'New client' }).waitFor();
    await checkA11y(page, 'wizard step 1');
    if (type === 'public') await shot(page, 'new-client');
    await main.getByLabel(label).check();
    await main.getByRole('button', { name: 'Next', exact: true }).click();
    await main.getByLabel('Name (required)').fill(`${type} app`);
    if (type !== 'm2m') await main.getByLabel('Redirect URIs (required)').fill('https://app.example.com/cb');
    await checkA11y(page, `wizard step 2 (${type})`);
    await main.getByRole('button', { name: 'Create client' }).click();
    if (type === 'public') {
      await page.waitForURL(/\/console\/clients\/[^/]+$/);
      made[type] = { id: decodeURIComponent(page.url().split('/').pop()) };
      continue;
    }
    await main.getByText('You will not see this secret again').waitFor();
    const secret = await main.locator('input[data-secret="true"]').inputValue();
    assert.match(secret, /^clv_/);
    await main.getByRole('button', { name: 'Copy client secret' }).click();
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), secret, 'the copy button copies the secret');
    const clientId = await main.getByLabel('Client ID').inputValue();
    await checkA11y(page, 'secret shown once');
    if (type === 'm2m') await shot(page, 'secret-once');
    const cont = main.getByRole('button', { name: 'Continue', exact: true });
    assert.equal(await cont.isDisabled(), true, 'continue waits for "I have stored the secret"');
    await main.getByLabel('I have stored the secret somewhere safe').check();
    await cont.click();
    await page.waitForURL(/\/console\/clients\/[^/]+$/);
    made[type] = { id: clientId, secret };
  }
  const byApi = await srv.listAll(`/admin/v1/clients?service_id=${serviceId}`);
  assert.deepEqual(byApi.map((c) => c.type).sort(), ['confidential', 'm2m', 'public']);

  // the secret copied from the page works at /token
  let tok = await srv.token(made.m2m.id, made.m2m.secret);
  assert.equal(tok.status, 200, tok.text);

  // list filters and search
  await page.goto(`${srv.url}/console/services/${serviceId}/clients`);
  await main.getByRole('cell', { name: 'public app' }).waitFor();
  await main.getByLabel('Type').selectOption('m2m');
  await main.getByRole('cell', { name: 'public app' }).waitFor({ state: 'detached' });
  await main.getByRole('cell', { name: 'm2m app' }).waitFor();
  await main.getByLabel('Type').selectOption('');
  await main.getByLabel('Search').fill('confid');
  await main.getByRole('button', { name: 'Filter' }).click();
  await main.getByRole('cell', { name: 'confidential app' }).waitFor();
  assert.equal(await main.getByRole('cell', { name: 'm2m app' }).count(), 0);
  await checkA11y(page, 'clients');
  await main.getByLabel('Search').fill('');
  await main.getByRole('button', { name: 'Filter' }).click();
  await main.getByRole('cell', { name: 'm2m app' }).waitFor();
  await shot(page, 'clients');

  // rotate the m2m secret: add a new one, then remove the old one
  const m2mUrl = `${srv.url}/console/clients/${encodeURIComponent(made.m2m.id)}`;
  await page.goto(`${m2mUrl}/secrets`);
  await main.getByRole('heading', { name: 'Secrets' }).waitFor();
  await main.getByRole('button', { name: /^Remove secret/ }).first().waitFor();
  await checkA11y(page, 'secrets');
  await main.getByLabel('Description').fill('rotated');
  assert.equal(await main.getByLabel('Expires').inputValue(), '365', 'one year by default');
  await main.getByRole('button', { name: 'Add secret' }).click();
  await main.getByText('You will not see this secret again').waitFor();
  const newSecret = await main.locator('input[data-secret="true"]').inputValue();
  assert.notEqual(newSecret, made.m2m.secret);
  await main.getByLabel('I have stored the secret somewhere safe').check();
  await main.getByRole('button', { name: 'Continue', exact: true }).click();
  await main.getByRole('cell', { name: 'rotated', exact: true }).waitFor();
  await shot(page, 'secrets');
  tok = await srv.token(made.m2m.id, newSecret);
  assert.equal(tok.status, 200, 'the new secret works');
  const oldRow = main.getByRole('row').filter({ hasNot: page.getByRole('cell', { name: 'rotated', exact: true }) }).filter({ has: page.getByRole('button') });
  await oldRow.getByRole('button', { name: /^Remove secret/ }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Remove', exact: true }).click();
  await waitRows(main, 1);
  assert.equal((await srv.token(made.m2m.id, made.m2m.secret)).status, 401, 'the old secret is gone');
  assert.equal((await srv.token(made.m2m.id, newSecret)).status, 200);
  // a secret that expires within 30 days is flagged
  const soon = new Date(Date.now() + 10 * 86400e3).toISOString().replace(/\.\d+Z$/, 'Z');
  assert.equal((await srv.api('POST', `/admin/v1/clients/${made.m2m.id}/secrets`, { description: 'short-lived', expires_at: soon })).status, 201);
  await page.reload();
  await main.getByRole('row').filter({ has: page.getByRole('cell', { name: 'short-lived', exact: true }) }).getByText('expires soon').waitFor();
  assert.equal(await main.getByText('expires soon').count(), 1, 'only the short-lived one');

  // edit with a stale ETag: the API changes the client between load and save
  const confUrl = `${srv.url}/console/clients/${encodeURIComponent(made.confidential.id)}`;
  await page.goto(confUrl);
  await main.getByRole('group', { name: 'URIs' }).waitFor();
  await checkA11y(page, 'client settings');
  await shot(page, 'client');
  await main.getByLabel('Description').fill('edited in the console');
  const meanwhile = await srv.api('PATCH', `/admin/v1/clients/${made.confidential.id}`, { client_uri: 'https://shop.example.com' });
  assert.equal(meanwhile.status, 200);
  expected[412] = 1;
  await main.getByRole('button', { name: 'Save changes' }).click();
  await main.getByText('Someone else changed this client').waitFor();
  await checkA11y(page, '412 message');
  await main.getByRole('button', { name: 'Reload and reapply my changes' }).click();
  await main.getByText('applied your changes to: description').waitFor();
  assert.equal(await main.getByLabel('Home page').inputValue(), 'https://shop.example.com', 'the reload shows the other change');
  assert.equal(await main.getByLabel('Description').inputValue(), 'edited in the console', 'and keeps ours');
  await main.getByRole('button', { name: 'Save changes' }).click();
  await page.getByText('Client saved').waitFor();
  const now = (await srv.api('GET', `/admin/v1/clients/${made.confidential.id}`)).body;
  assert.equal(now.description, 'edited in the console');
  assert.equal(now.client_uri, 'https://shop.example.com');

  // a field error from problem+json shows next to its field
  expected[400] = 1;
  await main.getByLabel('Redirect URIs', { exact: true }).fill('https://ok.example.com/cb\nnot a uri');
  await main.getByRole('button', { name: 'Save changes' }).click();
  const fieldErr = main.locator('[data-field="redirect_uris"] .field-error');
  await fieldErr.waitFor();
  assert.match(await fieldErr.textContent(), /redirect_uris\[1\]/);
  await page.goto(confUrl);

  // deactivate and activate, delete and restore
  await main.getByRole('button', { name: 'Deactivate', exact: true }).click();
  await checkA11y(page, 'confirmation dialog');
  await page.getByRole('dialog').getByRole('button', { name: 'Deactivate', exact: true }).click();
  await main.getByRole('button', { name: 'Activate', exact: true }).waitFor();
  assert.equal((await srv.api('GET', `/admin/v1/clients/${made.confidential.id}`)).body.status, 'inactive');
  await main.getByRole('button', { name: 'Activate', exact: true }).click();
  await main.getByRole('button', { name: 'Deactivate', exact: true }).waitFor();
  await main.getByRole('button', { name: 'Delete', exact: true }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Delete', exact: true }).click();
  await main.getByText('This client is deleted').waitFor();
  assert.equal((await srv.api('GET', `/admin/v1/clients/${made.confidential.id}`)).body.status, 'deleted');
  await main.getByRole('button', { name: 'Restore', exact: true }).click();
  await main.getByRole('button', { name: 'Deactivate', exact: true }).waitFor();
  assert.equal((await srv.api('GET', `/admin/v1/clients/${made.confidential.id}`)).body.status, 'active');

  // revoke all tokens
  await main.getByRole('button', { name: 'Revoke all tokens' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Revoke all' }).click();
  await page.getByText(/token\(s\) revoked/).waitFor();

  // a test token, decoded
  await page.goto(`${m2mUrl}/test-token`);
  await main.getByLabel('User id (sub)').fill('usr_42');
  await main.getByLabel('Roles').fill('tester');
  await main.getByLabel('Custom claims (JSON object)').fill('{"plan":"gold"}');
  await main.getByRole('button', { name: 'Issue test token' }).click();
  const claims = JSON.parse(await main.locator('pre[data-part="claims"]').textContent());
  assert.equal(claims.sub, 'usr_42');
  assert.equal(claims.test, true);
  assert.equal(claims.plan, 'gold');
  assert.deepEqual(claims.roles, ['tester']);
  assert.equal(JSON.parse(await main.locator('pre[data-part="header"]').textContent()).typ, 'at+jwt');
  await checkA11y(page, 'test token');
  await shot(page, 'test-token');

  // audit entries of the client and of the service
  await page.goto(`${confUrl}/audit`);
  for (const action of ['client.create', 'client.update', 'client.deactivate', 'client.restore', 'client.revoke_tokens']) {
    await main.getByRole('cell', { name: action, exact: true }).first().waitFor();
  }
  await main.getByText('edited in the console').first().waitFor();
  await checkA11y(page, 'client audit');
  await shot(page, 'audit');
  await page.goto(`${srv.url}/console/services/${serviceId}/audit`);
  await main.getByRole('cell', { name: 'service.create', exact: true }).waitFor();

  // service lifecycle and approval (platform admin)
  await page.goto(`${srv.url}/console/services/${serviceId}/settings`);
  await main.getByRole('button', { name: 'Approve for live' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Approve', exact: true }).click();
  await main.getByText('live', { exact: true }).first().waitFor();
  await main.getByRole('button', { name: 'Delete', exact: true }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Delete', exact: true }).click();
  await main.getByText('This service is deleted').waitFor();
  await main.getByRole('button', { name: 'Restore', exact: true }).click();
  await main.getByRole('button', { name: 'Deactivate', exact: true }).waitFor();
  await checkA11y(page, 'service settings');

  // initial access tokens: shown once
  await page.goto(`${srv.url}/console/services/${serviceId}/tokens`);
  await main.getByRole('button', { name: 'Create registration token' }).click();
  const iat = await main.locator('input[data-secret="true"]').inputValue();
  assert.match(iat, /^clv_iat_/);
  await main.getByRole('cell', { name: 'initial_access_token.create' }).waitFor();
  await checkA11y(page, 'registration tokens');

  // users, tenants, audit
  await page.goto(`${srv.url}/console/users`);
  await main.getByRole('cell', { name: 'admin', exact: true }).waitFor();
  await main.getByLabel('Username (required)').fill('alice');
  await main.getByLabel('Password (required)').fill('correct horse battery');
  await main.getByLabel('Role').selectOption('tenant_admin');
  await main.getByRole('button', { name: 'Create user' }).click();
  await main.getByRole('cell', { name: 'alice', exact: true }).waitFor();
  await checkA11y(page, 'users');
  await shot(page, 'users');
  await page.goto(`${srv.url}/console/tenants`);
  await main.getByRole('cell', { name: 'default', exact: true }).waitFor();
  await checkA11y(page, 'tenants');
  await page.goto(`${srv.url}/console/audit`);
  await main.getByRole('cell', { name: 'user.create', exact: true }).first().waitFor();
  await checkA11y(page, 'audit');

  // a phone: nothing wider than the screen
  await page.setViewportSize({ width: 360, height: 740 });
  for (const p of ['/console/services', `/console/clients/${encodeURIComponent(made.confidential.id)}`]) {
    await page.goto(srv.url + p);
    await main.locator('h1').waitFor();
    await page.waitForLoadState('networkidle');
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 360, `${p} is ${width} px wide at 360`);
  }
  await shot(page, 'phone');
  await page.setViewportSize({ width: 1280, height: 800 });

  // silent renewal: an access token about to expire is renewed by the refresh token
  const setTokens = (change) => page.evaluate((ch) => {
    const t = JSON.parse(sessionStorage.getItem('clavis.tokens'));
    sessionStorage.setItem('clavis.tokens', JSON.stringify({ ...t, ...ch }));
  }, change);
  await setTokens({ expires: 0 });
  const renewal = page.waitForRequest((r) => r.url() === `${srv.url}/token` && /grant_type=refresh_token/.test(r.postData() ?? ''));
  await page.goto(`${srv.url}/console/users`);
  await renewal;
  await main.getByRole('cell', { name: 'alice', exact: true }).waitFor();

  // a token the server refuses, and no way to renew it: 401 → sign in again (the browser
  // session still holds, so no form this time)
  await setTokens({ access: 'not-a-token', refresh: 'not-a-refresh-token' });
  expected[401] = 2;
  expected[400] = 1;
  await page.goto(`${srv.url}/console/tenants`);
  await main.getByText('Your session has ended. Sign in again to continue.').waitFor();
  await checkA11y(page, 'session ended');
  await main.getByRole('button', { name: 'Sign in again' }).click();
  await page.waitForURL(/\/console\/tenants$/);
  await main.getByRole('cell', { name: 'default', exact: true }).waitFor();

  // sign out: RP-initiated logout ends the session
  await page.goto(`${srv.url}/console/services`);
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByText('You are signed out.').waitFor();
  assert.match(page.url(), /\/console\/\?state=signed-out$/);
  await checkA11y(page, 'signed out');
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.waitForURL(/\/authorize\?/);
  await page.locator('#password').waitFor(); // the session is gone: the form again

  assert.deepEqual(foreign, [], 'no request leaves the issuer\'s origin');
  assert.deepEqual(errors, [], 'no console error');
}

async function waitRows(main, n) {
  for (let i = 0; i < 100; i++) {
    if (await main.getByRole('button', { name: /^Remove secret/ }).count() === n) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.fail(`expected ${n} secret(s)`);
}

/** GET with the raw body as sent (no decoding): {status, headers, body: Buffer}. */
function rawGet(url, headers = {}) {
  return new Promise((resolve, reject) => {
    http.get(url, { headers }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
    }).on('error', reject);
  });
}

test('console: the first page is at most 150 KiB compressed, gzip when accepted', async () => {
  const index = await request(`${srv.url}/console/services`);
  const urls = [...index.text.matchAll(/(?:href|src)="(\/console\/assets\/[^"]+)"/g)].map((m) => m[1]);
  const all = new Set(urls);
  const queue = urls.filter((u) => u.endsWith('.js'));
  while (queue.length) { // the module graph, by its static imports
    const u = queue.shift();
    const text = (await request(srv.url + u)).text;
    for (const m of text.matchAll(/^import [^'"]*['"](\.[^'"]+)['"]/gm)) {
      const dep = new URL(m[1], `http://x${u}`).pathname;
      if (!all.has(dep)) { all.add(dep); queue.push(dep); }
    }
  }
  let plain = Buffer.byteLength(index.text);
  let sent = plain; // the page itself is small and made per request: not compressed
  for (const u of all) {
    const id = await rawGet(srv.url + u);
    assert.equal(id.headers['content-encoding'], undefined, `${u} without Accept-Encoding`);
    const gz = await rawGet(srv.url + u, { 'Accept-Encoding': 'gzip, deflate, br' });
    assert.equal(gz.headers['content-encoding'], 'gzip', u);
    assert.equal(gz.headers.vary, 'Accept-Encoding');
    assert.deepEqual(gunzipSync(gz.body), id.body, `${u} gunzips to the file`);
    const refused = await rawGet(srv.url + u, { 'Accept-Encoding': 'gzip;q=0, identity' });
    assert.equal(refused.headers['content-encoding'], undefined, `${u}: gzip;q=0 is a refusal`);
    plain += id.body.length;
    sent += gz.body.length;
  }
  console.log(`console first page: ${all.size + 1} files, ${plain} bytes, ${sent} bytes sent with gzip`);
  assert.ok(sent <= 150 * 1024, `the first page is ${sent} bytes with gzip`);
  assert.ok(plain <= 150 * 1024, `the first page is ${plain} bytes without (a client without gzip)`);
});

test('console client: made on a database that lacks it, and follows the issuer (docs/DESIGN.md D13)', async () => {
  const first = await start();
  const get = async (base, admin) => request(`${base}/admin/v1/clients/clavis-console`, { headers: { Authorization: `Bearer ${admin}` } });
  const c = (await first.api('GET', '/admin/v1/clients/clavis-console')).body;
  assert.equal(c.type, 'public');
  assert.equal(c.protected, true);
  assert.equal(c.first_party, true);
  assert.deepEqual(c.redirect_uris, [`${first.url}/console/callback`]);
  assert.deepEqual(c.post_logout_redirect_uris, [`${first.url}/console/`]);
  assert.ok(c.scopes.includes('admin'));
  // a database from before the console: no such client (the first node stays up, so
  // that its directory stays; the second node is the one starting on such a database)
  // (renamed rather than deleted: SQLite's search-index triggers need the server's functions)
  sql(first.db, "UPDATE clients SET client_id = 'old-console' WHERE client_id = 'clavis-console'");
  const issuer = `http://localhost:${await freePort()}/clavis`; // another host and a path
  const node = await startSecondNode(first.db, [], { issuer });
  try {
    const base = node.url;
    const tok = await protocolPost(base, '/token', { clientId: first.init.client_id, clientSecret: first.init.client_secret, params: { grant_type: 'client_credentials', scope: 'admin' } });
    const r = await get(base, tok.body.access_token);
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.body.redirect_uris, [`${issuer}/console/callback`]);
    assert.deepEqual(r.body.post_logout_redirect_uris, [`${issuer}/console/`]);
    assert.equal(r.body.protected, true);
    const del = await request(`${base}/admin/v1/clients/clavis-console`, { method: 'DELETE', headers: { Authorization: `Bearer ${tok.body.access_token}` } });
    assert.equal(del.status, 409, 'protected: never deleted');
    // the console under the issuer's path names its assets under it too
    const index = await request(`${base}/clavis/console/services`);
    assert.equal(index.status, 200);
    assert.match(index.text, /<meta name="clavis-root" content="\/clavis\/console">/);
    const css = /href="(\/clavis\/console\/assets\/[0-9a-f]{16}\/app\.css)"/.exec(index.text);
    assert.ok(css, 'the stylesheet under /clavis/console/assets/');
    assert.equal((await request(base + css[1])).status, 200);
  } finally {
    await node.stop();
    await first.stop();
  }
});

test('console: a tenant admin, a user without an admin role, and paging', async () => {
  const mk = async (username, roles) => {
    const r = await srv.api('POST', '/admin/v1/users', { username, password: 'a long enough password', roles });
    assert.equal(r.status, 201, r.text);
  };
  await mk('tess', ['tenant_admin']);
  await mk('norm', []);
  const svc = await srv.createService('Many');
  for (let i = 0; i < 23; i++) await srv.createClient({ service_id: svc.id, name: `bulk-${String(i).padStart(2, '0')}` });
  const signIn = async (username, start = `${srv.url}/console/services`) => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    page.setDefaultTimeout(10000);
    await page.goto(start);
    await page.waitForURL(`${srv.url}/authorize?**`); // the issuer's origin, whatever the start
    await page.fill('#username', username);
    await page.fill('#password', 'a long enough password');
    await page.click('button[type=submit]');
    return { context, page, main: page.locator('main') };
  };

  // reached as localhost while the issuer says 127.0.0.1: the console moves to the issuer
  const t = await signIn('tess', `http://localhost:${srv.port}/console/services`);
  try {
    await t.page.getByText('tess · tenant admin').waitFor();
    assert.equal(await t.page.getByRole('link', { name: 'Tenants' }).count(), 0, 'no Tenants for a tenant admin');
    // paging: 20 a page, then "Load more"
    await t.page.goto(`${srv.url}/console/services/${svc.id}/clients`);
    await t.main.getByRole('cell', { name: 'bulk-22', exact: true }).waitFor();
    assert.equal(await t.main.getByRole('cell', { name: /^bulk-/ }).count(), 20);
    await t.main.getByRole('button', { name: 'Load more' }).click();
    await t.main.getByRole('cell', { name: 'bulk-00', exact: true }).waitFor();
    assert.equal(await t.main.getByRole('cell', { name: /^bulk-/ }).count(), 23);
    assert.equal(await t.main.getByRole('button', { name: 'Load more' }).count(), 0, 'no more pages');
    await t.page.goto(`${srv.url}/console/services/${svc.id}/settings`);
    await t.main.getByRole('button', { name: 'Delete', exact: true }).waitFor();
    assert.equal(await t.main.getByRole('button', { name: 'Approve for live' }).count(), 0);
    // a page of a platform admin: the 403 names the role
    await t.page.goto(`${srv.url}/console/tenants`);
    await t.main.getByText(/Not allowed: .*platform_admin/).first().waitFor();
    await checkA11y(t.page, '403');
    // the network down: the page says so, and offers to try again
    await t.page.route('**/admin/v1/**', (route) => route.abort('internetdisconnected'));
    await t.page.goto(`${srv.url}/console/services/${svc.id}/settings`);
    await t.main.getByText('Cannot reach the server').waitFor();
    await t.page.unroute('**/admin/v1/**');
    await t.main.getByRole('button', { name: 'Try again' }).click();
    await t.main.getByRole('button', { name: 'Delete', exact: true }).waitFor();
  } finally {
    await t.context.close();
  }

  const n = await signIn('norm');
  try {
    await n.main.getByText('your account has no administrator role').waitFor();
    await n.main.getByRole('button', { name: 'Sign in', exact: true }).waitFor();
  } finally {
    await n.context.close();
  }
});

test('console: the server stops cleanly', async () => {
  await assertCleanShutdown(srv);
});
