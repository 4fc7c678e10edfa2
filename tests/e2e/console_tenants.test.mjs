// The console of every tenant (docs/DESIGN.md D13): each tenant's own protected console
// client, made with the tenant and at start-up for tenants from before; a second tenant's
// admin signs in through it and gets exactly a tenant admin's powers; and the console pages
// for resources (RFC 8707), the tenant's hygiene, signing keys and editing a user. Debian's
// chromium through playwright-core, axe-core on every new page, against the real binary.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { checkA11y } from './a11y.mjs';
import { start, stopUnstopped, assertCleanShutdown, request, startSecondNode, freePort, protocolPost, runCli, sql } from './harness.mjs';

const CHROMIUM = process.env.CLAVIS_CHROMIUM ?? '/usr/bin/chromium';
const PASSWORD = 'a long enough password';

let srv;
let browser;
let acme; // the second tenant
let shop; // a service of it
after(async () => {
  await browser?.close();
  await stopUnstopped(srv);
});

/** At most 360 px wide: nothing wider than a phone's screen. */
async function fitsPhone(page, what) {
  await page.setViewportSize({ width: 360, height: 740 });
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  await page.setViewportSize({ width: 1280, height: 800 });
  assert.ok(width <= 360, `${what} is ${width} px wide at 360`);
}

/** What the page showed, for a failure's report. */
async function shown(page) {
  const text = await page.locator('body').innerText().catch(() => '(no page)');
  return `\n--- at ${page.url()} the page showed:\n${text.slice(0, 3000)}`;
}

const consoleId = (tenant) => `clavis-console-${tenant}`;

test('chromium is installed (make test installs it: scripts/deps.sh test)', () => {
  assert.ok(existsSync(CHROMIUM), `no browser at ${CHROMIUM}: run scripts/deps.sh test`);
});

test('a new tenant gets its own protected console client, which its tenant admins cannot change', async () => {
  srv = await start();
  const t = await srv.api('POST', '/admin/v1/tenants', { name: 'Acme' });
  assert.equal(t.status, 201, t.text);
  acme = t.body.id;
  const c = (await srv.api('GET', `/admin/v1/clients/${consoleId(acme)}`)).body;
  assert.equal(c.tenant_id, acme);
  assert.equal(c.type, 'public');
  assert.equal(c.protected, true);
  assert.equal(c.first_party, true);
  assert.deepEqual(c.redirect_uris, [`${srv.url}/console/callback`]);
  assert.deepEqual(c.post_logout_redirect_uris, [`${srv.url}/console/`]);
  assert.ok(c.scopes.includes('admin'));
  const holder = (await srv.api('GET', `/admin/v1/services/${c.service_id}`)).body;
  assert.equal(holder.tenant_id, acme);
  assert.equal(holder.name, 'Clavis console');
  const events = (await srv.api('GET', `/admin/v1/audit?tenant_id=${acme}`)).body.items.map((e) => e.action);
  assert.deepEqual(events.sort(), ['client.create', 'service.create', 'tenant.create']);

  // a tenant admin of Acme (an admin client of its own tenant)
  shop = (await srv.api('POST', '/admin/v1/services', { tenant_id: acme, name: 'Shop' })).body;
  const m2m = (await srv.api('POST', '/admin/v1/clients', { service_id: shop.id, name: 'ops', type: 'm2m', scopes: ['admin'], roles: ['tenant_admin'] })).body;
  const tok = (await srv.token(m2m.client_id, m2m.client_secret)).body.access_token;
  const as = (method, p, body) => srv.api(method, p, body, { token: tok });
  assert.equal((await as('GET', `/admin/v1/clients/${consoleId(acme)}`)).status, 200, 'it sees it');
  for (const [method, p, body] of [
    ['PATCH', `/admin/v1/clients/${consoleId(acme)}`, { redirect_uris: ['https://evil.example/cb'] }],
    ['DELETE', `/admin/v1/clients/${consoleId(acme)}`],
    ['POST', `/admin/v1/clients/${consoleId(acme)}/deactivate`],
    ['POST', `/admin/v1/clients/${consoleId(acme)}/revoke-tokens`],
  ]) {
    const r = await as(method, p, body);
    assert.equal(r.status, 403, `${method} ${p}: ${r.text}`);
  }
  for (const action of ['deactivate', 'delete']) {
    const r = action === 'delete' ? await as('DELETE', `/admin/v1/services/${c.service_id}`) : await as('POST', `/admin/v1/services/${c.service_id}/deactivate`);
    assert.equal(r.status, 409, `${action} the service holding the console: ${r.text}`);
    const p = action === 'delete' ? await srv.api('DELETE', `/admin/v1/services/${c.service_id}`) : await srv.api('POST', `/admin/v1/services/${c.service_id}/deactivate`);
    assert.equal(p.status, 409, `not even a platform admin: ${p.text}`);
  }
  assert.equal((await srv.api('DELETE', `/admin/v1/clients/${consoleId(acme)}`)).status, 409, 'protected');
  assert.equal((await as('GET', '/admin/v1/clients/clavis-console')).status, 404, 'another tenant\'s console is not there');
  const other = (await srv.api('POST', '/admin/v1/services', { tenant_id: acme, name: 'Scratch' })).body;
  assert.equal((await as('DELETE', `/admin/v1/services/${other.id}`)).status, 204, 'another service of the tenant can go');
  // made by an admin, never through registration: a tenant admin cannot make a second one
  const copy = await as('POST', '/admin/v1/clients', { service_id: shop.id, name: 'my console', type: 'public', scopes: ['openid', 'admin'], redirect_uris: [`${srv.url}/console/callback`] });
  assert.equal(copy.status, 403, copy.text);
});

/** Signs in through a console link (url, /console?tenant=…): its page first names the
 * tenant, tenantName, and signs in only when asked. */
async function signIn(context, url, tenantName, username, password = PASSWORD) {
  const page = await context.newPage();
  page.setDefaultTimeout(10000);
  await page.goto(url);
  await page.getByRole('heading', { name: `Sign in to the console of “${tenantName}”`, level: 1 }).waitFor();
  await checkA11y(page, 'a console link\'s page');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${srv.url}/authorize?**`);
  const client = new URL(page.url()).searchParams.get('client_id');
  await page.fill('#username', username);
  await page.fill('#password', password);
  await page.click('button[type=submit]');
  return { page, main: page.locator('main'), client };
}

test('a second tenant\'s admin signs in through its console: only its tenant, and the new pages', async () => {
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  for (const [username, roles] of [['bob', ['tenant_admin']], ['carol', []]]) {
    const r = await srv.api('POST', '/admin/v1/users', { tenant_id: acme, username, password: PASSWORD, roles });
    assert.equal(r.status, 201, r.text);
  }
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const { page, main, client } = await signIn(context, `${srv.url}/console?tenant=${acme}`, 'Acme', 'bob');
  try {
    assert.equal(client, consoleId(acme), 'the tenant\'s own console client');
    await page.waitForURL(/\/console\/services$/);
    await page.getByText('bob · tenant admin').waitFor();
    await page.getByText('Tenant Acme').waitFor();
    await main.getByRole('cell', { name: 'Shop', exact: true }).waitFor();
    await main.getByRole('cell', { name: 'Clavis console', exact: true }).waitFor();
    assert.equal(await main.getByRole('cell', { name: 'Clavis administration' }).count(), 0, 'not the init tenant\'s');
    assert.equal(await page.getByRole('link', { name: 'Signing keys' }).count(), 0);
    assert.equal(await page.getByRole('link', { name: 'Tenants', exact: true }).count(), 0);

    // exactly a tenant admin's powers through the API
    const token = await page.evaluate(() => JSON.parse(sessionStorage.getItem('clavis.tokens')).access);
    const as = (method, p, body) => srv.api(method, p, body, { token });
    const initTenant = (await srv.api('GET', '/admin/v1/clients/clavis-console')).body.tenant_id;
    const initService = (await srv.api('GET', '/admin/v1/clients/clavis-console')).body.service_id;
    assert.equal((await as('GET', `/admin/v1/tenants/${acme}`)).status, 200);
    assert.equal((await as('GET', `/admin/v1/tenants/${initTenant}`)).status, 404);
    assert.equal((await as('PATCH', `/admin/v1/tenants/${initTenant}`, { deactivate_unused_after_days: 1 })).status, 404);
    assert.equal((await as('PATCH', `/admin/v1/tenants/${acme}`, { name: 'Mine' })).status, 403);
    assert.equal((await as('GET', `/admin/v1/services/${initService}`)).status, 404);
    assert.equal((await as('GET', '/admin/v1/clients/clavis-console')).status, 404);
    assert.equal((await as('GET', '/admin/v1/tenants')).status, 403);
    assert.equal((await as('GET', '/admin/v1/keys')).status, 403);
    assert.equal((await as('POST', '/admin/v1/keys/rotate', {})).status, 403);
    assert.equal((await as('PATCH', `/admin/v1/clients/${consoleId(acme)}`, { redirect_uris: ['https://evil.example/cb'] })).status, 403);
    assert.equal((await as('POST', '/admin/v1/users', { username: 'boss', password: PASSWORD, roles: ['platform_admin'] })).status, 403);
    const services = (await as('GET', '/admin/v1/services')).body.items;
    assert.ok(services.length > 0 && services.every((s) => s.tenant_id === acme), 'its tenant\'s services only');
    // and the console says so for another tenant's objects
    await page.goto(`${srv.url}/console/services/${initService}`);
    await main.getByText(`no service '${initService}'`).waitFor();
    await page.goto(`${srv.url}/console/clients/clavis-console`);
    await main.getByText("no client 'clavis-console'").waitFor();
    await page.goto(`${srv.url}/console/keys`);
    await main.getByText(/Not allowed: .*platform_admin/).first().waitFor();

    // a service's resources: add, see, remove
    await page.goto(`${srv.url}/console/services/${shop.id}/resources`);
    await main.getByRole('heading', { name: 'Resources (APIs)' }).waitFor();
    await main.getByText('No resources').waitFor();
    await main.getByLabel('Identifier (required)').fill('https://api.acme.example/');
    await main.getByLabel('Name', { exact: true }).fill('Acme API');
    await main.getByLabel('Scopes').fill('orders.read orders.write');
    await main.getByRole('button', { name: 'Add resource' }).click();
    await main.getByRole('cell', { name: 'Acme API' }).waitFor();
    await main.getByRole('cell', { name: 'orders.read orders.write' }).waitFor();
    await checkA11y(page, 'resources');
    await fitsPhone(page, 'resources');
    let rs = (await srv.api('GET', `/admin/v1/services/${shop.id}/resources`)).body.items;
    assert.deepEqual(rs.map((r) => [r.identifier, r.name, r.scopes]), [['https://api.acme.example/', 'Acme API', ['orders.read', 'orders.write']]]);
    await main.getByRole('button', { name: 'Remove resource https://api.acme.example/' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Remove', exact: true }).click();
    await main.getByText('No resources').waitFor();
    rs = (await srv.api('GET', `/admin/v1/services/${shop.id}/resources`)).body.items;
    assert.deepEqual(rs, []);

    // the tenant's hygiene, set by its own tenant admin
    await page.getByRole('link', { name: 'Tenant settings' }).click();
    await main.getByRole('heading', { name: 'Acme', level: 1 }).waitFor();
    assert.equal(await main.getByLabel('Name (required)').count(), 0, 'no name field for a tenant admin');
    assert.equal(await main.getByLabel('Console link').inputValue(), `${srv.url}/console/?tenant=${acme}`);
    await main.getByLabel('Deactivate clients unused for (days)').fill('90');
    await main.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Tenant saved').waitFor();
    await checkA11y(page, 'tenant settings');
    await fitsPhone(page, 'tenant settings');
    let ten = (await srv.api('GET', `/admin/v1/tenants/${acme}`)).body;
    assert.equal(ten.deactivate_unused_after_days, 90);
    assert.equal(ten.registered_client_lifetime_days, null);
    assert.equal(ten.name, 'Acme');
    await main.getByLabel('Deactivate clients unused for (days)').fill('');
    await main.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Tenant saved').waitFor();
    await waitForValue(async () => (await srv.api('GET', `/admin/v1/tenants/${acme}`)).body.deactivate_unused_after_days, null);

    // editing a user
    await page.goto(`${srv.url}/console/users`);
    assert.equal(await main.getByRole('cell', { name: 'admin', exact: true }).count(), 0, 'not the init tenant\'s users');
    await main.getByRole('link', { name: 'carol', exact: true }).click();
    await main.getByRole('heading', { name: 'carol', level: 1 }).waitFor();
    await main.getByLabel('E-mail').fill('carol@acme.example');
    await main.getByLabel('Role').selectOption('tenant_admin');
    await main.getByRole('button', { name: 'Save user' }).click();
    await page.getByText('User saved').waitFor();
    await checkA11y(page, 'user');
    await fitsPhone(page, 'user');
    const carol = (await srv.listAll('/admin/v1/users')).find((u) => u.username === 'carol');
    assert.equal(carol.email, 'carol@acme.example');
    assert.deepEqual(carol.roles, ['tenant_admin']);
    assert.equal(await main.locator('option[value="platform_admin"]').count(), 0, 'a tenant admin cannot give platform_admin');

    // sign out: the tenant is remembered for the next sign-in
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByText('You are signed out.').waitFor();
    assert.equal(await main.getByLabel('Tenant').inputValue(), acme);
    await checkA11y(page, 'signed out with a tenant');
    await page.goto(`${srv.url}/console`);
    await page.waitForURL(`${srv.url}/authorize?**`);
    assert.equal(new URL(page.url()).searchParams.get('client_id'), consoleId(acme), 'remembered');
  } catch (e) {
    e.message += await shown(page);
    throw e;
  } finally {
    await context.close();
  }
});

async function waitForValue(read, want) {
  let got;
  for (let i = 0; i < 100; i++) {
    got = await read();
    if (got === want) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.equal(got, want);
}

test('a platform admin: signing keys, a tenant\'s page; its session does not open another tenant\'s console', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const { page, main, client } = await signIn(context, `${srv.url}/console?tenant=`, 'default', srv.init.admin_username, srv.init.admin_password);
  try {
    assert.equal(client, 'clavis-console', 'an empty tenant is the init tenant');
    await page.getByText('admin · platform admin').waitFor();
    await page.getByRole('link', { name: 'Signing keys' }).click();
    await main.getByRole('heading', { name: 'Signing keys', level: 1 }).waitFor();
    const before = (await srv.api('GET', '/admin/v1/keys')).body.items;
    const rsOld = before.find((k) => k.alg === 'RS256' && k.state === 'active');
    await main.getByRole('cell', { name: rsOld.kid }).waitFor();
    await checkA11y(page, 'signing keys');
    await fitsPhone(page, 'signing keys');
    await main.getByLabel('Algorithm').selectOption('RS256');
    await main.getByRole('button', { name: 'Rotate' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Rotate', exact: true }).click();
    await main.getByText(/^Rotated: RS256 /).waitFor();
    const after = (await srv.api('GET', '/admin/v1/keys')).body.items;
    const rsNew = after.find((k) => k.alg === 'RS256' && k.state === 'active');
    assert.notEqual(rsNew.kid, rsOld.kid);
    assert.equal(after.find((k) => k.kid === rsOld.kid).state, 'retired');
    assert.equal(after.filter((k) => k.state === 'active').length, before.filter((k) => k.state === 'active').length, 'only RS256 rotated');
    await main.getByRole('cell', { name: rsNew.kid }).waitFor();
    // a next key published ahead of its rotation
    await main.getByLabel('Algorithm').selectOption('ES256');
    await main.getByRole('button', { name: 'Publish next key' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Publish', exact: true }).click();
    await main.getByText(/^Published: ES256 /).waitFor();
    const next = (await srv.api('GET', '/admin/v1/keys')).body.items.filter((k) => k.state === 'next');
    assert.deepEqual(next.map((k) => k.alg), ['ES256']);
    await main.getByRole('row').filter({ has: page.getByRole('cell', { name: next[0].kid }) }).getByText('next', { exact: true }).waitFor();
    await checkA11y(page, 'signing keys with a next key');

    // a tenant's page: its name (platform admins only) and console link
    await page.getByRole('link', { name: 'Tenants', exact: true }).click();
    await main.getByRole('link', { name: 'Acme' }).click();
    await main.getByRole('heading', { name: 'Acme', level: 1 }).waitFor();
    assert.equal(await main.getByLabel('Console link').inputValue(), `${srv.url}/console/?tenant=${acme}`);
    await main.getByLabel('Name (required)').fill('Acme Corp');
    await main.getByLabel('Lifetime of registered clients (days)').fill('30');
    await main.getByRole('button', { name: 'Save' }).click();
    await main.getByRole('heading', { name: 'Acme Corp', level: 1 }).waitFor();
    await checkA11y(page, 'a tenant (platform admin)');
    const ten = (await srv.api('GET', `/admin/v1/tenants/${acme}`)).body;
    assert.equal(ten.name, 'Acme Corp');
    assert.equal(ten.registered_client_lifetime_days, 30);

    // signed in to the init tenant, the platform admin is no user of Acme (R22): Acme's
    // link names Acme (by its new name) and leaves this session; Acme's console asks for
    // Acme's credentials
    await page.goto(`${srv.url}/console?tenant=${acme}`);
    await main.getByRole('heading', { name: 'Sign in to the console of “Acme Corp”', level: 1 }).waitFor();
    assert.equal(await page.getByText('admin · platform admin').count(), 0, 'the session of the init tenant is gone');
    await main.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${srv.url}/authorize?**`);
    assert.equal(new URL(page.url()).searchParams.get('client_id'), consoleId(acme));
    await page.locator('#password').waitFor();
    await page.fill('#username', srv.init.admin_username);
    await page.fill('#password', srv.init.admin_password);
    await page.click('button[type=submit]');
    await page.locator('#password').waitFor(); // refused: the form again
    assert.match(page.url(), /\/authorize/);
  } catch (e) {
    e.message += await shown(page);
    throw e;
  } finally {
    await context.close();
  }
});

test('start-up gives a tenant from before its console client, and every console follows the issuer', async () => {
  // a tenant made before consoles per tenant: no console client (renamed rather than
  // deleted: SQLite's search-index triggers need the server's functions)
  const old = (await srv.api('POST', '/admin/v1/tenants', { name: 'Old' })).body.id;
  sql(srv.db, `UPDATE clients SET client_id = 'old-console' WHERE client_id = '${consoleId(old)}'`);
  const issuer = `http://localhost:${await freePort()}/clavis`;
  const node = await startSecondNode(srv.db, [], { issuer });
  try {
    const tok = await protocolPost(node.url, '/token', { clientId: srv.init.client_id, clientSecret: srv.init.client_secret, params: { grant_type: 'client_credentials', scope: 'admin' } });
    const get = (id) => request(`${node.url}/admin/v1/clients/${id}`, { headers: { Authorization: `Bearer ${tok.body.access_token}` } });
    for (const id of [consoleId(old), consoleId(acme), 'clavis-console']) {
      const r = await get(id);
      assert.equal(r.status, 200, `${id}: ${r.text}`);
      assert.equal(r.body.protected, true);
      assert.deepEqual(r.body.redirect_uris, [`${issuer}/console/callback`], id);
      assert.deepEqual(r.body.post_logout_redirect_uris, [`${issuer}/console/`], id);
    }
    assert.equal((await get(consoleId(old))).body.tenant_id, old);
    // the page names the init tenant, whose console is clavis-console
    const index = await request(`${node.url}/clavis/console/`);
    const initTenant = (await get('clavis-console')).body.tenant_id;
    assert.match(index.text, new RegExp(`<meta name="clavis-init-tenant" content="${initTenant}">`));
    // … from memory after the first view, not from the database on every view: it never
    // changes (DESIGN.md D13)
    sql(srv.db, "UPDATE meta SET value = 'ten_elsewhere' WHERE name = 'init_tenant_id'");
    try {
      const again = await request(`${node.url}/clavis/console/`);
      assert.match(again.text, new RegExp(`<meta name="clavis-init-tenant" content="${initTenant}">`));
    } finally {
      sql(srv.db, `UPDATE meta SET value = '${initTenant}' WHERE name = 'init_tenant_id'`);
    }

    // clavis tenant create prints the new tenant's console link, on the server's issuer
    // (not the address the command talks to), for people and in --json
    const env = { CLAVIS_URL: `${node.url}/clavis`, CLAVIS_CLIENT_ID: srv.init.client_id, CLAVIS_CLIENT_SECRET: srv.init.client_secret, CLAVIS_PROFILE: '/nonexistent' };
    const made = await runCli(['tenant', 'create', '--name', 'Zeta <b> & "Q"'], { env });
    assert.equal(made.code, 0, made.stderr);
    const zeta = /^id:\s+(\S+)$/m.exec(made.stdout)[1];
    assert.match(made.stdout, new RegExp(`^console_link:\\s+${issuer}/console/\\?tenant=${zeta}$`, 'm'));
    const made2 = await runCli(['tenant', 'create', '--name', 'Eta', '--json'], { env });
    assert.equal(made2.code, 0, made2.stderr);
    const eta = JSON.parse(made2.stdout);
    assert.equal(eta.console_link, `${issuer}/console/?tenant=${eta.id}`);
    assert.equal(eta.name, 'Eta');

    // a console link's page names its tenant before sign-in, escaped — on this node and on
    // the other, which did not make it (DESIGN.md D13); no tenant, no name
    const named = async (base, id) => /<meta name="clavis-tenant-name" content="([^"]*)">/.exec((await request(`${base}/console?tenant=${encodeURIComponent(id)}`)).text)?.[1];
    assert.equal(await named(`${node.url}/clavis`, zeta), 'Zeta &lt;b&gt; &amp; &quot;Q&quot;');
    assert.equal(await named(srv.url, zeta), 'Zeta &lt;b&gt; &amp; &quot;Q&quot;', 'a tenant another node made');
    assert.equal(await named(srv.url, eta.id), 'Eta');
    assert.equal(await named(srv.url, 'ten_nothere'), '');
    assert.equal(await named(srv.url, '<script>'), '');
    assert.equal(await named(srv.url, ''), 'default', 'an empty ?tenant= is the init tenant');
    assert.equal((await request(`${srv.url}/console?tenant=${eta.id}`)).headers.get('content-security-policy'),
      (await request(`${srv.url}/console`)).headers.get('content-security-policy'), 'the same CSP');
    const tags = [...(await request(`${srv.url}/console?tenant=${eta.id}`)).text.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]);
    assert.ok(tags.length > 0 && tags.every((t) => /\ssrc="/.test(t)), `no inline script: ${tags}`);
    // renamed on the other node: this one names it anew within a second (DESIGN.md M)
    const tok2 = (await protocolPost(node.url, '/token', { clientId: srv.init.client_id, clientSecret: srv.init.client_secret, params: { grant_type: 'client_credentials', scope: 'admin' } })).body.access_token;
    const renamed = await request(`${node.url}/admin/v1/tenants/${eta.id}`, { method: 'PATCH', headers: { Authorization: `Bearer ${tok2}`, 'Content-Type': 'application/json' }, body: JSON.stringify({ name: 'Eta Two' }) });
    assert.equal(renamed.status, 200, renamed.text);
    const until = Date.now() + 1500;
    while (await named(srv.url, eta.id) !== 'Eta Two' && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    assert.equal(await named(srv.url, eta.id), 'Eta Two');
  } finally {
    await node.stop();
  }
});

test('console tenants: the server stops cleanly', async () => {
  await assertCleanShutdown(srv);
});
