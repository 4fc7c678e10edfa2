// A review of what a tenant admin can reach since the console per tenant, key publication
// and q on PostgreSQL (docs/DESIGN.md D10, D13, R9, R15): another tenant's console client
// and its service, another tenant's clients through q (the walk and the index of the
// PostgreSQL backend, q_index on SQLite), its own tenant's status, and the platform's keys
// (publication: a bad body changes nothing, a next key publishes no private part).
// Against the real binary; on PostgreSQL when CLAVIS_TEST_STORE_URL is set.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as jose from 'jose';
import { assertCleanShutdown, request, start, stopUnstopped } from './harness.mjs';

/** How many clients the dense tenant gets: more than the PostgreSQL planner's least
 * sample (store/postgres/q.c Q_SAMPLE_MIN, 200), so that it walks for that tenant's q. */
const DENSE = 230;

describe('a tenant admin stays inside its tenant', () => {
  let s;
  let acme; // the dense tenant: most clients, q walks on PostgreSQL
  let zeta; // the sparse tenant: q asks the index on PostgreSQL
  let acmeSvc;
  let zetaSvc;
  let acmeTok;
  let zetaTok;

  /** A tenant admin (an m2m client with tenant_admin) of service svc; its admin token. */
  async function tenantAdmin(svc) {
    const c = await s.createClient({ service_id: svc.id, roles: ['tenant_admin'], scopes: ['admin'] });
    const r = await s.token(c.client_id, c.client_secret, { scope: 'admin' });
    assert.equal(r.status, 200, r.text);
    return r.body.access_token;
  }

  before(async () => {
    s = await start();
    acme = (await s.api('POST', '/admin/v1/tenants', { name: 'Acme' })).body.id;
    zeta = (await s.api('POST', '/admin/v1/tenants', { name: 'Zeta' })).body.id;
    acmeSvc = await s.createService('acme-svc', { tenant_id: acme });
    zetaSvc = await s.createService('zeta-svc', { tenant_id: zeta });
    acmeTok = await tenantAdmin(acmeSvc);
    zetaTok = await tenantAdmin(zetaSvc);
  });
  after(() => stopUnstopped(s));

  test('another tenant\'s console client and its service: 404, and nothing changes', async () => {
    const zc = `clavis-console-${zeta}`;
    const before_ = (await s.api('GET', `/admin/v1/clients/${zc}`)).body;
    const holder = before_.service_id;
    const as = (method, p, body) => s.api(method, p, body, { token: acmeTok });
    for (const [method, p, body] of [
      ['GET', `/admin/v1/clients/${zc}`],
      ['PATCH', `/admin/v1/clients/${zc}`, { redirect_uris: ['https://evil.example/cb'] }],
      ['DELETE', `/admin/v1/clients/${zc}`],
      ['POST', `/admin/v1/clients/${zc}/deactivate`],
      ['POST', `/admin/v1/clients/${zc}/revoke-tokens`],
      ['POST', `/admin/v1/clients/${zc}/test-token`, {}],
      ['GET', `/admin/v1/services/${holder}`],
      ['PATCH', `/admin/v1/services/${holder}`, { name: 'mine' }],
      ['POST', `/admin/v1/services/${holder}/deactivate`],
      ['DELETE', `/admin/v1/services/${holder}`],
      ['GET', `/admin/v1/services/${holder}/resources`],
      ['POST', `/admin/v1/services/${holder}/resources`, { identifier: 'https://api.zeta.example/' }],
      ['POST', '/admin/v1/clients', { service_id: holder, type: 'm2m', name: 'planted' }],
      ['GET', `/admin/v1/tenants/${zeta}`],
      ['PATCH', `/admin/v1/tenants/${zeta}`, { deactivate_unused_after_days: 1 }],
    ]) {
      const r = await as(method, p, body);
      assert.equal(r.status, 404, `${method} ${p}: ${r.text}`);
    }
    // its own tenant's console client: seen, but no token minted for it (it carries admin)
    const own = `clavis-console-${acme}`;
    assert.equal((await as('GET', `/admin/v1/clients/${own}`)).status, 200);
    const minted = await as('POST', `/admin/v1/clients/${own}/test-token`, {});
    assert.equal(minted.status, 403, minted.text);
    const after_ = (await s.api('GET', `/admin/v1/clients/${zc}`)).body;
    assert.deepEqual(after_, before_, 'Zeta\'s console client is as it was');
    assert.equal((await s.api('GET', `/admin/v1/services/${holder}`)).body.name, 'Clavis console');
    assert.deepEqual((await s.api('GET', `/admin/v1/services/${holder}/resources`)).body.items, []);
    assert.equal((await s.api('GET', `/admin/v1/tenants/${zeta}`)).body.deactivate_unused_after_days, null);
  });

  test('q never crosses tenants: by name, by exact client_id, with filters, page by page', async () => {
    const made = [];
    for (let i = 0; i < DENSE; i += 10) {
      const batch = [];
      for (let k = i; k < Math.min(i + 10, DENSE); k++) {
        batch.push(s.createClient({ service_id: acmeSvc.id, name: `shared name a${k}` }));
      }
      made.push(...await Promise.all(batch));
    }
    const zetas = [];
    for (let k = 0; k < 4; k++) zetas.push(await s.createClient({ service_id: zetaSvc.id, name: `shared name z${k}` }));

    /** Every client a list with query qs shows to token, page by page (limit). */
    async function seen(token, qs, limit = 100) {
      const items = [];
      let cursor = null;
      for (let page = 0; page < 100; page++) {
        const r = await s.api('GET', `/admin/v1/clients?${qs}&limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, undefined, { token });
        if (r.status !== 200) return { status: r.status, items };
        items.push(...r.body.items);
        cursor = r.body.next_cursor;
        if (!cursor) return { status: 200, items };
      }
      throw new Error('too many pages');
    }
    const tenants = (items) => [...new Set(items.map((c) => c.tenant_id))];

    for (const limit of [100, 7]) {
      const a = await seen(acmeTok, 'q=shared', limit);
      assert.equal(a.status, 200);
      assert.deepEqual(tenants(a.items), [acme], `Acme's admin, limit ${limit}`);
      assert.equal(a.items.length, DENSE, `Acme's admin sees all of its own, limit ${limit}`);
      const z = await seen(zetaTok, 'q=shared', limit);
      assert.deepEqual(tenants(z.items), [zeta], `Zeta's admin, limit ${limit}`);
      assert.equal(z.items.length, zetas.length);
    }
    for (const qs of ['q=name%20z', 'q=SHARED%20NAME%20Z1', 'q=z2', 'q=shared&status=active&type=m2m', 'q=2&type=m2m']) {
      const a = await seen(acmeTok, qs);
      assert.ok(a.items.every((c) => c.tenant_id === acme), `Acme's admin, ${qs}: ${tenants(a.items)}`);
    }
    for (const qs of ['q=name%20a', 'q=a1', 'q=shared&status=active', 'q=1&type=m2m']) {
      const z = await seen(zetaTok, qs);
      assert.ok(z.items.every((c) => c.tenant_id === zeta), `Zeta's admin, ${qs}: ${tenants(z.items)}`);
    }
    // the exact client_id of another tenant's client, and its console client
    for (const id of [zetas[0].client_id, `clavis-console-${zeta}`]) {
      const a = await seen(acmeTok, `q=${encodeURIComponent(id)}`);
      assert.deepEqual(a.items, [], `Acme's admin, q=${id}`);
    }
    assert.deepEqual((await seen(zetaTok, `q=${encodeURIComponent(made[0].client_id)}`)).items, []);
    // the other tenant named outright: refused or empty, never its clients
    for (const qs of [`q=shared&tenant_id=${zeta}`, `q=shared&service_id=${zetaSvc.id}`]) {
      const a = await seen(acmeTok, qs);
      assert.ok(a.status !== 200 || a.items.every((c) => c.tenant_id === acme), `${qs}: ${a.status} ${tenants(a.items)}`);
      assert.ok(!a.items.some((c) => c.tenant_id === zeta), qs);
    }
    // the platform admin sees both (the data is there to leak)
    const all = await seen(await s.adminToken(), 'q=shared');
    assert.deepEqual(tenants(all.items).sort(), [acme, zeta].sort());
  });

  test('the resources page\'s API: another tenant\'s resource is not removed through an own service', async () => {
    const API = 'https://api.zeta.example/orders';
    const made = await s.api('POST', `/admin/v1/services/${zetaSvc.id}/resources`, { identifier: API });
    assert.equal(made.status, 201, made.text);
    const as = (method, p, body) => s.api(method, p, body, { token: acmeTok });
    assert.equal((await as('DELETE', `/admin/v1/services/${acmeSvc.id}/resources/${made.body.id}`)).status, 404);
    assert.equal((await as('DELETE', `/admin/v1/services/${zetaSvc.id}/resources/${made.body.id}`)).status, 404);
    assert.equal((await as('GET', `/admin/v1/services/${zetaSvc.id}/resources`)).status, 404);
    const dup = await as('POST', `/admin/v1/services/${acmeSvc.id}/resources`, { identifier: API });
    assert.equal(dup.status, 409, 'an API belongs to one service of the server');
    const left = (await s.api('GET', `/admin/v1/services/${zetaSvc.id}/resources`)).body.items;
    assert.deepEqual(left.map((r) => r.id), [made.body.id]);
    // Zeta's clients still get tokens for it; Acme's do not
    const zc = await s.createClient({ service_id: zetaSvc.id });
    const ok = await s.token(zc.client_id, zc.client_secret, { params: { resource: API } });
    assert.equal(ok.status, 200, ok.text);
    const ac = await s.createClient({ service_id: acmeSvc.id });
    const no = await s.token(ac.client_id, ac.client_secret, { params: { resource: API } });
    assert.equal(no.body.error, 'invalid_target', no.text);
  });

  test('a q longer than any name or client_id (255 characters) is a 400 that reads nothing', async () => {
    // PostgreSQL's clavis_q_grams built q's trigrams in O(n²): a 20,000-character q cost
    // about 0.8 s of database time per request, from any tenant admin
    const long = Array.from({ length: 20000 }, (_, i) => String.fromCharCode(97 + ((i * 7) % 26))).join('');
    for (const q of [long, 'x'.repeat(256), 'é'.repeat(256)]) {
      const r = await s.api('GET', `/admin/v1/clients?q=${encodeURIComponent(q)}`, undefined, { token: acmeTok });
      assert.equal(r.status, 400, `q of ${q.length} characters: ${r.text.slice(0, 200)}`);
      assert.equal(r.body.errors?.[0]?.field, 'q', r.text.slice(0, 200));
    }
    // 255 characters still answer (a client_id may be that long), multi-byte ones too
    for (const q of ['x'.repeat(255), 'é'.repeat(255)]) {
      const r = await s.api('GET', `/admin/v1/clients?q=${encodeURIComponent(q)}`, undefined, { token: acmeTok });
      assert.equal(r.status, 200, r.text.slice(0, 200));
      assert.deepEqual(r.body.items, []);
    }
  });

  test('a tenant admin cannot change its own tenant\'s status (R15), only its hygiene (D10)', async () => {
    const as = (method, p, body) => s.api(method, p, body, { token: acmeTok });
    for (const body of [{ status: 'inactive' }, { status: 'inactive', deactivate_unused_after_days: 5 }, { status: 'active' }]) {
      const r = await as('PATCH', `/admin/v1/tenants/${acme}`, body);
      assert.equal(r.status, 403, `${JSON.stringify(body)}: ${r.text}`);
    }
    const t = (await s.api('GET', `/admin/v1/tenants/${acme}`)).body;
    assert.equal(t.status, 'active');
    assert.equal(t.deactivate_unused_after_days, null);
    assert.equal((await as('PATCH', `/admin/v1/tenants/${acme}`, { deactivate_unused_after_days: 5 })).status, 200);
    assert.equal((await as('GET', '/admin/v1/audit?limit=1')).status, 200);
  });

  test('the user page\'s API: a tenant admin gives no platform_admin, and reaches no other tenant\'s users', async () => {
    const mk = async (tenant, username) => {
      const r = await s.api('POST', '/admin/v1/users', { tenant_id: tenant, username, password: 'a long enough password' });
      assert.equal(r.status, 201, r.text);
      return r.body;
    };
    const carol = await mk(acme, 'carol');
    const zed = await mk(zeta, 'zed');
    const as = (method, p, body) => s.api(method, p, body, { token: acmeTok });
    for (const roles of [['platform_admin'], ['tenant_admin', 'platform_admin']]) {
      const r = await as('PATCH', `/admin/v1/users/${carol.id}`, { roles });
      assert.equal(r.status, 403, `${JSON.stringify(roles)}: ${r.text}`);
    }
    assert.equal((await as('PATCH', `/admin/v1/users/${carol.id}`, { tenant_id: zeta })).status, 400, 'a user never moves');
    for (const [method, body] of [['GET'], ['PATCH', { roles: ['tenant_admin'] }], ['PATCH', { password: 'another long password' }], ['DELETE']]) {
      const r = await as(method, `/admin/v1/users/${zed.id}`, body);
      assert.equal(r.status, 404, `${method} Zeta's user: ${r.text}`);
    }
    const users = await s.listAll('/admin/v1/users');
    assert.deepEqual(users.find((u) => u.id === carol.id).roles, []);
    assert.equal(users.find((u) => u.id === carol.id).tenant_id, acme);
    const z = users.find((u) => u.id === zed.id);
    assert.deepEqual([z.roles, z.status, z.updated_at], [[], 'active', zed.updated_at]);
    // the role it may give, it gives
    const ok = await as('PATCH', `/admin/v1/users/${carol.id}`, { roles: ['tenant_admin'] });
    assert.equal(ok.status, 200, ok.text);
  });

  test('key publication: a bad body is a 400 that publishes nothing; a next key is public only', async () => {
    const keys = async () => (await s.api('GET', '/admin/v1/keys')).body.items;
    const before_ = await keys();
    assert.ok(!before_.some((k) => k.state === 'next'));
    for (const bad of [{ alg: 'HS256' }, { alg: 'none' }, { algorithm: 'RS256' }, { alg: 5 }, { alg: 'RS256', extra: 1 }]) {
      const r = await s.api('POST', '/admin/v1/keys/publish', bad);
      assert.equal(r.status, 400, `${JSON.stringify(bad)}: ${r.text}`);
    }
    const notJson = await s.api('POST', '/admin/v1/keys/publish', '{"alg":', { raw: true, headers: { 'Content-Type': 'application/json' } });
    assert.equal(notJson.status, 400, notJson.text);
    assert.deepEqual(await keys(), before_, 'nothing published');
    assert.equal((await s.api('POST', '/admin/v1/keys/publish', {}, { token: acmeTok })).status, 403);
    assert.deepEqual(await keys(), before_, 'nothing published by a tenant admin');

    const pub = await s.api('POST', '/admin/v1/keys/publish', {});
    assert.equal(pub.status, 201, pub.text);
    const next = pub.body.items.map((k) => k.kid);
    assert.equal(next.length, 3, 'one next key per alg');
    const jwks = (await request(`${s.url}/jwks`)).body.keys;
    for (const kid of next) {
      const k = jwks.find((j) => j.kid === kid);
      assert.ok(k, `next key ${kid} is in /jwks`);
      for (const priv of ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k']) {
        assert.equal(k[priv], undefined, `next key ${kid} publishes its private member ${priv}`);
      }
      await jose.importJWK(k, k.alg);
    }
    // the platform's key events are not a tenant's: its admin's audit shows none of them
    const mine = await s.listAll('/admin/v1/audit', { token: acmeTok });
    assert.ok(mine.length > 0 && mine.every((e) => e.tenant_id === acme), 'its own tenant\'s events only');
    assert.ok(!mine.some((e) => e.action.startsWith('key.')), 'no key event');
    const byKid = await s.api('GET', `/admin/v1/audit?target=${encodeURIComponent(next[0])}`, undefined, { token: acmeTok });
    assert.deepEqual(byKid.body.items, [], byKid.text);
    assert.equal((await s.api('GET', `/admin/v1/audit?target=${encodeURIComponent(next[0])}`)).body.items.length, 1, 'the event is there');
    assert.equal((await s.api('POST', '/admin/v1/keys/rotate', {}, { token: acmeTok })).status, 403);
    assert.ok((await keys()).filter((k) => k.state === 'next').length === 3, 'a tenant admin promotes none');
  });

  test('/console?tenant= with odd ids names nothing and reflects nothing', async () => {
    for (const id of ['x'.repeat(5000), '"><svg onload=alert(1)>', `${acme}"`, `${acme} `, '../../admin']) {
      const r = await request(`${s.url}/console?tenant=${encodeURIComponent(id)}`);
      assert.equal(r.status, 200);
      const named = /<meta name="clavis-tenant-name" content="([^"]*)">/.exec(r.text)?.[1];
      assert.equal(named, '', `tenant=${id.slice(0, 40)}`);
      assert.ok(!r.text.includes('<svg'), 'nothing of the query in the page');
    }
    const named = /<meta name="clavis-tenant-name" content="([^"]*)">/.exec((await request(`${s.url}/console?tenant=${acme}`)).text)?.[1];
    assert.equal(named, 'Acme');
  });

  test('the server stops cleanly', async () => { await assertCleanShutdown(s); });
});
