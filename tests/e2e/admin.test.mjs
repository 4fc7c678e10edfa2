// The admin REST API (docs/DESIGN.md I2, docs/API.md, docs/DESIGN.md R): every row of the endpoint table in docs/API.md that the server has,
// problem+json errors, authorisation, tenant isolation, and the rule that a secret's
// plaintext is shown exactly once.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as jose from 'jose';
import { assertCleanShutdown, request, runCli, sleep, start, stopUnstopped } from './harness.mjs';

const RFC3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;
const SECRET_KEYS = ['client_id', 'created_at', 'description', 'expires_at', 'last_used_at', 'secret_id'];

/** Asserts r is an RFC 9457 problem with this status; returns the problem. */
function problem(r, status, field) {
  assert.equal(r.status, status, `expected ${status}, got ${r.status}: ${r.text}`);
  assert.match(r.headers.get('content-type') ?? '', /^application\/problem\+json/);
  const p = r.body;
  assert.ok(p && typeof p === 'object', `a problem body: ${JSON.stringify(r.text)}`);
  assert.equal(typeof p.type, 'string');
  assert.equal(typeof p.title, 'string');
  assert.ok(p.title.length > 0);
  assert.equal(p.status, status);
  assert.equal(typeof p.detail, 'string');
  assert.ok(p.detail.length > 0);
  if (field !== undefined) {
    assert.ok(Array.isArray(p.errors) && p.errors.length >= 1, `errors[] in ${r.text}`);
    for (const e of p.errors) {
      assert.equal(typeof e.field, 'string');
      assert.equal(typeof e.message, 'string');
    }
    assert.equal(p.errors[0].field, field, `errors[0].field in ${r.text}`);
    assert.ok(p.detail === p.errors[0].message || p.detail.includes(p.errors[0].field),
      'detail names the first error (docs/DESIGN.md R1)');
  }
  return p;
}

function assertTime(v, what) {
  assert.match(v, RFC3339, `${what} is RFC 3339 UTC with second precision`);
}

describe('admin API', () => {
  let s;
  let svc; // the main service of these tests
  // Every secret plaintext seen so far → the request that issued it. No admin response
  // other than the one that creates a secret may contain it.
  const plaintexts = new Map();
  let checkedResponses = 0;

  /** s.api, and checks that the answer shows no plaintext issued earlier. */
  async function adm(method, path, body, opts) {
    const r = await s.api(method, path, body, opts);
    for (const [p, where] of plaintexts) {
      assert.ok(!r.text.includes(p), `${method} ${path} shows the plaintext issued by ${where}`);
    }
    checkedResponses++;
    const found = [r.body?.client_secret, r.body?.secret?.client_secret].filter((x) => typeof x === 'string');
    for (const f of found) plaintexts.set(f, `${method} ${path}`);
    return r;
  }

  /** s.listAll, with the same check over the whole list. */
  async function listAll(path, opts) {
    const items = await s.listAll(path, opts);
    const text = JSON.stringify(items);
    for (const [p, where] of plaintexts) {
      assert.ok(!text.includes(p), `GET ${path} shows the plaintext issued by ${where}`);
    }
    checkedResponses++;
    return items;
  }

  async function newClient(body, opts) {
    const r = await adm('POST', '/admin/v1/clients', { type: 'm2m', name: `c-${Math.random().toString(36).slice(2, 8)}`, ...body }, opts);
    assert.equal(r.status, 201, r.text);
    return r.body;
  }

  before(async () => {
    s = await start();
    plaintexts.set(s.init.client_secret, 'clavis init');
    plaintexts.set(s.init.admin_password, 'clavis init (admin password)');
    const r = await adm('POST', '/admin/v1/services', { name: 'Admin tests', description: 'the main service' });
    assert.equal(r.status, 201, r.text);
    svc = r.body;
  });
  after(async () => { await stopUnstopped(s); });

  test('tenants: create, list (newest first), get; bad bodies are 400', async () => {
    const r = await adm('POST', '/admin/v1/tenants', { name: 'Acme Corp' });
    assert.equal(r.status, 201, r.text);
    const t = r.body;
    assert.equal(t.name, 'Acme Corp');
    assert.equal(t.status, 'active');
    assert.equal(typeof t.id, 'string');
    assertTime(t.created_at, 'created_at');

    const list = await adm('GET', '/admin/v1/tenants');
    assert.equal(list.status, 200);
    assert.ok(Array.isArray(list.body.items));
    assert.ok('next_cursor' in list.body);
    assert.equal(list.body.next_cursor, null);
    const ids = list.body.items.map((x) => x.id);
    assert.ok(ids.includes(t.id) && ids.includes(s.init.tenant_id));
    assert.ok(ids.indexOf(t.id) < ids.indexOf(s.init.tenant_id), 'newest first');

    const got = await adm('GET', `/admin/v1/tenants/${t.id}`);
    assert.equal(got.status, 200);
    assert.deepEqual(got.body, t);

    problem(await adm('POST', '/admin/v1/tenants', {}), 400, 'name');
    problem(await adm('POST', '/admin/v1/tenants', { name: 'x', color: 'red' }), 400, 'color');
    problem(await adm('POST', '/admin/v1/tenants', { name: 42 }), 400, 'name');
    problem(await adm('GET', '/admin/v1/tenants/ten_nope'), 404);
  });

  test('services: create, list, get, PATCH, deactivate/activate, DELETE (204), restore, approve', async () => {
    const r = await adm('POST', '/admin/v1/services', { name: 'Billing', description: 'invoices' });
    assert.equal(r.status, 201, r.text);
    const sv = r.body;
    assert.equal(sv.status, 'active');
    assert.equal(sv.approval, 'sandbox');
    assert.equal(sv.tenant_id, s.init.tenant_id, 'tenant_id defaults to the caller\'s tenant');
    assert.equal(sv.name, 'Billing');
    assert.equal(sv.description, 'invoices');
    assertTime(sv.created_at, 'created_at');

    const list = await adm('GET', `/admin/v1/services?tenant_id=${s.init.tenant_id}`);
    assert.equal(list.status, 200);
    assert.equal(list.body.items[0].id, sv.id, 'newest first');
    assert.equal(list.body.next_cursor, null);

    const got = await adm('GET', `/admin/v1/services/${sv.id}`);
    assert.equal(got.status, 200);
    assert.deepEqual(got.body, sv);

    const p = await adm('PATCH', `/admin/v1/services/${sv.id}`, { name: 'Billing v2', description: null });
    assert.equal(p.status, 200, p.text);
    assert.equal(p.body.name, 'Billing v2');
    assert.equal(p.body.description, null);
    problem(await adm('PATCH', `/admin/v1/services/${sv.id}`, { status: 'inactive' }), 400, 'status');
    problem(await adm('PATCH', `/admin/v1/services/${sv.id}`, { name: '' }), 400, 'name');

    const d = await adm('POST', `/admin/v1/services/${sv.id}/deactivate`);
    assert.equal(d.status, 200);
    assert.equal(d.body.status, 'inactive');
    const a = await adm('POST', `/admin/v1/services/${sv.id}/activate`);
    assert.equal(a.status, 200);
    assert.equal(a.body.status, 'active');

    const del = await adm('DELETE', `/admin/v1/services/${sv.id}`);
    assert.equal(del.status, 204);
    assert.equal(del.text, '');
    const gone = await adm('GET', `/admin/v1/services/${sv.id}`);
    assert.equal(gone.status, 200);
    assert.equal(gone.body.status, 'deleted');
    assertTime(gone.body.deleted_at, 'deleted_at');
    assertTime(gone.body.purge_at, 'purge_at');
    const listed = (await adm('GET', '/admin/v1/services')).body.items.map((x) => x.id);
    assert.ok(!listed.includes(sv.id), 'deleted services are left out of lists');
    const deleted = (await adm('GET', '/admin/v1/services?status=deleted')).body.items.map((x) => x.id);
    assert.ok(deleted.includes(sv.id));

    const rs = await adm('POST', `/admin/v1/services/${sv.id}/restore`);
    assert.equal(rs.status, 200);
    assert.equal(rs.body.status, 'active');
    assert.equal(rs.body.deleted_at, null);
    assert.equal(rs.body.purge_at, null);

    const ap = await adm('POST', `/admin/v1/services/${sv.id}/approve`);
    assert.equal(ap.status, 200);
    assert.equal(ap.body.approval, 'live');

    problem(await adm('GET', '/admin/v1/services/svc_nope'), 404);
    problem(await adm('POST', '/admin/v1/services', { description: 'no name' }), 400, 'name');
    problem(await adm('POST', '/admin/v1/services', { name: 'x', approval: 'live' }), 400, 'approval');
  });

  test('clients: create each type; confidential and m2m carry a clv_ secret once, public none', async () => {
    const now = Date.now();
    const conf = await adm('POST', '/admin/v1/clients', {
      service_id: svc.id, name: 'Web portal', type: 'confidential', redirect_uris: ['https://portal.example.com/cb'], scopes: ['openid', 'profile'],
    });
    assert.equal(conf.status, 201, conf.text);
    assert.match(conf.headers.get('cache-control') ?? '', /no-store/, 'a response showing a secret is not cacheable');
    const m2m = await adm('POST', '/admin/v1/clients', { service_id: svc.id, name: 'Batch job', type: 'm2m', scopes: ['read'] });
    assert.equal(m2m.status, 201, m2m.text);
    const pub = await adm('POST', '/admin/v1/clients', {
      service_id: svc.id, name: 'Mobile app', type: 'public', redirect_uris: ['com.example.app:/oauth2redirect', 'http://127.0.0.1/cb'],
    });
    assert.equal(pub.status, 201, pub.text);

    for (const [r, type] of [[conf, 'confidential'], [m2m, 'm2m']]) {
      const c = r.body;
      assert.equal(c.type, type);
      assert.match(c.client_secret, /^clv_[A-Za-z0-9_-]{43,}$/, 'a clv_ secret of ≥ 256 bits');
      assert.equal(typeof c.secret, 'object');
      assert.equal(typeof c.secret.secret_id, 'string');
      assertTime(c.secret.expires_at, 'secret.expires_at');
      const years = (Date.parse(c.secret.expires_at) - now) / (365 * 86400e3);
      assert.ok(years > 0.99 && years < 1.01, 'a secret expires in one year by default');
      assert.equal(c.secret.client_secret, undefined, 'the plaintext is shown once, not twice');
      assert.equal(c.token_endpoint_auth_method, 'client_secret_basic');
    }
    assert.notEqual(conf.body.client_secret, m2m.body.client_secret);
    assert.deepEqual(m2m.body.grant_types, ['client_credentials']);
    assert.deepEqual(m2m.body.redirect_uris, []);
    assert.ok(conf.body.grant_types.includes('authorization_code'));
    assert.ok(!conf.body.grant_types.includes('client_credentials'));
    assert.equal(conf.body.require_pkce, true, 'PKCE defaults to on for confidential clients too');
    assert.equal(conf.body.allow_client_credentials, false);

    const p = pub.body;
    assert.equal(p.type, 'public');
    assert.equal(p.client_secret, undefined);
    assert.equal(p.secret, undefined);
    assert.equal(p.token_endpoint_auth_method, 'none');
    assert.equal(p.require_pkce, true);
    assert.ok(p.grant_types.includes('authorization_code'));

    for (const r of [conf, m2m, pub]) {
      const c = r.body;
      assert.match(c.client_id, /^[A-Za-z0-9_-]{16,}$/, 'client_id is random and URL-safe');
      assert.equal(c.status, 'active');
      assert.equal(c.service_id, svc.id);
      assert.equal(c.tenant_id, s.init.tenant_id);
      assert.equal(c.environment, 'sandbox');
      assert.equal(c.protected, false);
      assert.equal(c.access_token_lifetime, 3600);
      assert.equal(c.access_token_signing_alg, null, 'null: the server\'s --token-alg at issue time');
      assert.equal(c.first_party, true, 'made by an administrator');
      assert.equal(c.deleted_at, null);
      assert.equal(c.purge_at, null);
      assertTime(c.created_at, 'created_at');
      assertTime(c.updated_at, 'updated_at');
    }
    assert.equal(new Set([conf, m2m, pub].map((r) => r.body.client_id)).size, 3);

    // the secret works right away
    const t = await s.token(m2m.body.client_id, m2m.body.client_secret);
    assert.equal(t.status, 200);
    const used = await adm('GET', `/admin/v1/clients/${m2m.body.client_id}`);
    assertTime(used.body.last_used_at, 'last_used_at after a token');
    assert.equal(conf.body.last_used_at, null);
    // introspecting as a caller is not "a token issued" (docs/DESIGN.md M hygiene reads last_used_at)
    const caller = await newClient({ service_id: svc.id });
    const i = await s.introspect(t.body.access_token, { clientId: caller.client_id, clientSecret: caller.client_secret });
    assert.equal(i.status, 200);
    assert.equal(i.body.active, true);
    assert.equal((await adm('GET', `/admin/v1/clients/${caller.client_id}`)).body.last_used_at, null);

    problem(await adm('POST', '/admin/v1/clients', { service_id: svc.id, name: 'x' }), 400, 'type');
    problem(await adm('POST', '/admin/v1/clients', { service_id: svc.id, name: 'x', type: 'robot' }), 400, 'type');
    problem(await adm('POST', '/admin/v1/clients', { name: 'x', type: 'm2m' }), 400, 'service_id');
    problem(await adm('POST', '/admin/v1/clients', { service_id: 'svc_nope', name: 'x', type: 'm2m' }), 404, 'service_id');
    problem(await adm('POST', '/admin/v1/clients', { service_id: svc.id, name: 'x', type: 'public' }), 400, 'redirect_uris');
    problem(await adm('POST', '/admin/v1/clients', { service_id: svc.id, name: 'x', type: 'm2m', redirect_uris: ['https://a.example/cb'] }), 400, 'redirect_uris');
    problem(await adm('POST', '/admin/v1/clients', { service_id: svc.id, name: 'x', type: 'm2m', client_secret: 'clv_mine' }), 400, 'client_secret');
    problem(await adm('POST', '/admin/v1/clients', { service_id: svc.id, name: 'x', type: 'm2m', client_id: 'mine' }), 400, 'client_id');
    problem(await adm('POST', '/admin/v1/clients', { service_id: svc.id, name: 'x', type: 'm2m', favourite_colour: 'red' }), 400, 'favourite_colour');
  });

  test('clients list: filters service_id, status, type and q; cursor pagination newest first', async () => {
    const own = (await adm('POST', '/admin/v1/services', { name: 'List tests' })).body;
    const specs = [
      { name: 'Alpha Reporting', type: 'm2m' },
      { name: 'alpha web', type: 'confidential', redirect_uris: ['https://alpha.example.com/cb'] },
      { name: 'Beta_Mobile', type: 'public', redirect_uris: ['https://beta.example.com/cb'] },
      { name: '100% Gamma', type: 'm2m' },
      { name: 'Delta', type: 'm2m' },
    ];
    const created = [];
    for (const spec of specs) {
      created.push(await newClient({ service_id: own.id, ...spec }));
      await sleep(3); // distinct creation instants
    }
    const names = (r) => r.body.items.map((c) => c.name);
    const q = async (query) => {
      const r = await adm('GET', `/admin/v1/clients?service_id=${own.id}&${query}`);
      assert.equal(r.status, 200, r.text);
      return r;
    };

    // service_id: exactly these five, newest first
    const all = await q('limit=100');
    assert.deepEqual(all.body.items.map((c) => c.client_id), created.map((c) => c.client_id).reverse());
    assert.equal(all.body.next_cursor, null);
    for (const c of all.body.items) {
      assert.equal(c.client_secret, undefined);
      assert.equal(c.secret, undefined);
    }

    // cursor pagination: limit=2 visits each exactly once, newest first, null at the end
    const seen = [];
    let cursor = null;
    let pages = 0;
    do {
      const r = await q(`limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      assert.ok(r.body.items.length <= 2);
      seen.push(...r.body.items.map((c) => c.client_id));
      cursor = r.body.next_cursor;
      pages++;
      if (pages < 3) assert.equal(typeof cursor, 'string', `page ${pages} has a next_cursor`);
    } while (cursor !== null && pages < 10);
    assert.equal(pages, 3);
    assert.equal(cursor, null);
    assert.deepEqual(seen, created.map((c) => c.client_id).reverse());

    // type
    assert.deepEqual(names(await q('type=public')), ['Beta_Mobile']);
    assert.deepEqual(names(await q('type=confidential')), ['alpha web']);
    assert.deepEqual(names(await q('type=m2m')), ['Delta', '100% Gamma', 'Alpha Reporting']);

    // q: case-insensitive substring of name, exact client_id, literal % and _
    assert.deepEqual(names(await q('q=ALPHA')), ['alpha web', 'Alpha Reporting']);
    assert.deepEqual(names(await q('q=ha%20rep')), ['Alpha Reporting']);
    assert.deepEqual(names(await q(`q=${encodeURIComponent(created[4].client_id)}`)), ['Delta']);
    assert.deepEqual(names(await q(`q=${encodeURIComponent(created[4].client_id.slice(0, 8))}`)), [],
      'a client_id matches exactly, not by prefix');
    assert.deepEqual(names(await q('q=%25')), ['100% Gamma'], '% is literal');
    assert.deepEqual(names(await q('q=_')), ['Beta_Mobile'], '_ is literal');
    assert.deepEqual(names(await q('q=a_m')), ['Beta_Mobile']);
    assert.deepEqual(names(await q('q=*')), [], '* is literal');
    assert.deepEqual(names(await q('q=zzz')), []);

    // status
    const d = await adm('POST', `/admin/v1/clients/${created[1].client_id}/deactivate`);
    assert.equal(d.status, 200);
    assert.deepEqual(names(await q('status=inactive')), ['alpha web']);
    assert.deepEqual(names(await q('status=active&type=m2m&q=a')), ['Delta', '100% Gamma', 'Alpha Reporting']);
    const del = await adm('DELETE', `/admin/v1/clients/${created[0].client_id}`);
    assert.equal(del.status, 200);
    assert.ok(!names(await q('limit=100')).includes('Alpha Reporting'), 'deleted clients are left out');
    assert.deepEqual(names(await q('status=deleted')), ['Alpha Reporting']);

    problem(await adm('GET', '/admin/v1/clients?type=robot'), 400, 'type');
    problem(await adm('GET', '/admin/v1/clients?status=gone'), 400, 'status');
  });

  test('q folds case beyond ASCII (docs/DESIGN.md R9: case-insensitive substring)',
    async () => {
      const own = (await adm('POST', '/admin/v1/services', { name: 'Unicode names' })).body;
      await newClient({ service_id: own.id, name: 'Ölkanne Straße' });
      const q = async (x) => (await adm('GET', `/admin/v1/clients?service_id=${own.id}&q=${encodeURIComponent(x)}`)).body.items.map((c) => c.name);
      assert.deepEqual(await q('Ölk'), ['Ölkanne Straße'], 'same case');
      assert.deepEqual(await q('ölk'), ['Ölkanne Straße'], 'lower-case query');
      assert.deepEqual(await q('ÖLKANNE'), ['Ölkanne Straße'], 'upper-case query');
    });

  test('get has an ETag; PATCH with a stale If-Match is 412, a matching one 200 with a new ETag', async () => {
    const c = await newClient({ service_id: svc.id, scopes: ['read'] });
    const g = await adm('GET', `/admin/v1/clients/${c.client_id}`);
    assert.equal(g.status, 200);
    const etag = g.headers.get('etag');
    assert.ok(etag, 'ETag header');
    assert.equal(g.body.client_secret, undefined);

    const ok = await adm('PATCH', `/admin/v1/clients/${c.client_id}`, { name: 'Renamed', scopes: ['read', 'write'], access_token_lifetime: 300 }, { headers: { 'If-Match': etag } });
    assert.equal(ok.status, 200, ok.text);
    assert.equal(ok.body.name, 'Renamed');
    assert.deepEqual(ok.body.scopes, ['read', 'write']);
    assert.equal(ok.body.access_token_lifetime, 300);
    const etag2 = ok.headers.get('etag');
    assert.ok(etag2);
    assert.notEqual(etag2, etag);

    const stale = await adm('PATCH', `/admin/v1/clients/${c.client_id}`, { name: 'Lost update' }, { headers: { 'If-Match': etag } });
    problem(stale, 412);
    const now = await adm('GET', `/admin/v1/clients/${c.client_id}`);
    assert.equal(now.body.name, 'Renamed', 'a 412 changes nothing');
    assert.equal(now.headers.get('etag'), etag2);

    // without If-Match the update applies
    const free = await adm('PATCH', `/admin/v1/clients/${c.client_id}`, { description: 'free' });
    assert.equal(free.status, 200);
    assert.notEqual(free.headers.get('etag'), etag2);

    // the change is live at the token endpoint
    const t = await s.token(c.client_id, c.client_secret, { scope: 'write' });
    assert.equal(t.status, 200);
    assert.equal(t.body.expires_in, 300);
  });

  test('concurrent PATCHes with the same If-Match: exactly one wins; concurrent creates all succeed', async () => {
    const c = await newClient({ service_id: svc.id });
    const etag = (await adm('GET', `/admin/v1/clients/${c.client_id}`)).headers.get('etag');
    const rs = await Promise.all(Array.from({ length: 10 }, (_, i) => adm('PATCH', `/admin/v1/clients/${c.client_id}`, { name: `racer ${i}` }, { headers: { 'If-Match': etag } })));
    const statuses = rs.map((r) => r.status).sort();
    assert.deepEqual(statuses, [200, ...Array(9).fill(412)], `statuses: ${statuses}`);
    const winner = rs.find((r) => r.status === 200).body.name;
    assert.equal((await adm('GET', `/admin/v1/clients/${c.client_id}`)).body.name, winner);

    const own = (await adm('POST', '/admin/v1/services', { name: 'Concurrent creates' })).body;
    const created = await Promise.all(Array.from({ length: 12 }, (_, i) => adm('POST', '/admin/v1/clients', { service_id: own.id, type: 'm2m', name: `parallel ${i}` })));
    assert.deepEqual(created.map((r) => r.status), Array(12).fill(201));
    assert.equal(new Set(created.map((r) => r.body.client_id)).size, 12);
    assert.equal(new Set(created.map((r) => r.body.client_secret)).size, 12);
    assert.equal((await listAll(`/admin/v1/clients?service_id=${own.id}`)).length, 12);
  });

  test('PATCH of client_id, type, client_secret or an unknown field is 400 naming it, and changes nothing', async () => {
    const c = await newClient({ service_id: svc.id });
    const before = await adm('GET', `/admin/v1/clients/${c.client_id}`);
    for (const [field, value] of [['client_id', 'mine'], ['type', 'public'], ['client_secret', 'clv_x'], ['secret', { secret_id: 'x' }],
      ['tenant_id', s.init.tenant_id], ['grant_types', ['password']], ['protected', true], ['created_at', '2020-01-01T00:00:00Z'], ['bogus', 1]]) {
      problem(await adm('PATCH', `/admin/v1/clients/${c.client_id}`, { name: 'never', [field]: value }), 400, field);
    }
    const after = await adm('GET', `/admin/v1/clients/${c.client_id}`);
    assert.deepEqual(after.body, before.body);
    assert.equal(after.headers.get('etag'), before.headers.get('etag'));
    assert.equal((await s.token(c.client_id, c.client_secret)).status, 200, 'the secret still works');
    problem(await adm('PATCH', '/admin/v1/clients/no-such-client', { name: 'x' }), 404);
  });

  test('client activate, deactivate, delete, restore', async () => {
    const c = await newClient({ service_id: svc.id });
    const path = `/admin/v1/clients/${c.client_id}`;
    const d = await adm('POST', `${path}/deactivate`);
    assert.equal(d.status, 200);
    assert.equal(d.body.status, 'inactive');
    assert.equal(d.body.client_id, c.client_id);
    const a = await adm('POST', `${path}/activate`);
    assert.equal(a.status, 200);
    assert.equal(a.body.status, 'active');
    const del = await adm('DELETE', path);
    assert.equal(del.status, 200);
    assert.equal(del.body.status, 'deleted');
    assertTime(del.body.deleted_at, 'deleted_at');
    assert.equal(Date.parse(del.body.purge_at) - Date.parse(del.body.deleted_at), 14 * 86400e3, 'default retention 14 days');
    assert.equal((await adm('GET', path)).body.status, 'deleted');
    const r = await adm('POST', `${path}/restore`);
    assert.equal(r.status, 200);
    assert.equal(r.body.status, 'active');
    assert.equal(r.body.deleted_at, null);
    assert.equal(r.body.purge_at, null);
    problem(await adm('POST', `${path}/restore`), 409);
    for (const action of ['activate', 'deactivate', 'restore']) {
      problem(await adm('POST', `/admin/v1/clients/no-such-client/${action}`), 404);
    }
    problem(await adm('DELETE', '/admin/v1/clients/no-such-client'), 404);
  });

  test('revoke-tokens answers {revoked: N}; earlier access tokens introspect inactive', async () => {
    const c = await newClient({ service_id: svc.id });
    const tok = (await s.token(c.client_id, c.client_secret)).body.access_token;
    assert.equal((await s.introspect(tok)).body.active, true);
    const r = await adm('POST', `/admin/v1/clients/${c.client_id}/revoke-tokens`);
    assert.equal(r.status, 200, r.text);
    assert.ok(Number.isInteger(r.body.revoked) && r.body.revoked >= 0, r.text);
    assert.deepEqual((await s.introspect(tok)).body, { active: false });
    problem(await adm('POST', '/admin/v1/clients/no-such-client/revoke-tokens'), 404);
  });

  test('a token issued right after revoke-tokens is active', async () => {
    const c = await newClient({ service_id: svc.id });
    const r = await adm('POST', `/admin/v1/clients/${c.client_id}/revoke-tokens`);
    assert.equal(r.status, 200);
    const fresh = await s.token(c.client_id, c.client_secret);
    assert.equal(fresh.status, 200);
    assert.equal((await s.introspect(fresh.body.access_token)).body.active, true,
      'a token issued after revoke-tokens must be active');
  });

  test('secrets: list metadata, add (plaintext once), remove; never a secret or hash in GET', async () => {
    const c = await newClient({ service_id: svc.id });
    const base = `/admin/v1/clients/${c.client_id}/secrets`;
    const l1 = await adm('GET', base);
    assert.equal(l1.status, 200);
    assert.equal(l1.body.items.length, 1);
    assert.deepEqual(Object.keys(l1.body.items[0]).sort(), SECRET_KEYS);
    assert.equal(l1.body.items[0].secret_id, c.secret.secret_id);

    const add = await adm('POST', base, { description: 'rotation 2', expires_at: null });
    assert.equal(add.status, 201, add.text);
    assert.match(add.body.client_secret, /^clv_[A-Za-z0-9_-]{43,}$/);
    assert.equal(typeof add.body.secret_id, 'string');
    assert.equal(add.body.description, 'rotation 2');
    assert.equal(add.body.expires_at, null, 'null = never expires');
    assert.match(add.headers.get('cache-control') ?? '', /no-store/);
    const exp = new Date(Date.now() + 30 * 86400e3).toISOString().replace(/\.\d+Z$/, 'Z');
    const add2 = await adm('POST', base, { expires_at: exp });
    assert.equal(add2.status, 201, add2.text);
    assert.equal(add2.body.expires_at, exp);
    const add3 = await adm('POST', base); // no body at all
    assert.equal(add3.status, 201, add3.text);

    const l2 = await adm('GET', base);
    assert.equal(l2.body.items.length, 4);
    for (const it of l2.body.items) {
      assert.deepEqual(Object.keys(it).sort(), SECRET_KEYS);
      assertTime(it.created_at, 'created_at');
    }
    assert.ok(!/clv_/.test(l2.text), 'no plaintext in the list');
    const g = await adm('GET', `/admin/v1/clients/${c.client_id}`);
    assert.ok(!/clv_|hash/i.test(JSON.stringify(Object.keys(g.body))), 'no secret field on the client');
    assert.ok(!/clv_/.test(g.text));

    const rm = await adm('DELETE', `${base}/${c.secret.secret_id}`);
    assert.equal(rm.status, 204);
    assert.equal(rm.text, '');
    const l3 = await adm('GET', base);
    assert.deepEqual(l3.body.items.map((x) => x.secret_id).sort(), [add.body.secret_id, add2.body.secret_id, add3.body.secret_id].sort());
    problem(await adm('DELETE', `${base}/${c.secret.secret_id}`), 404);
    problem(await adm('DELETE', `/admin/v1/clients/no-such-client/secrets/${add.body.secret_id}`), 404);

    problem(await adm('POST', base, { expires_at: '2001-01-01T00:00:00Z' }), 400, 'expires_at');
    problem(await adm('POST', base, { expires_at: 'next tuesday' }), 400, 'expires_at');
    problem(await adm('POST', base, { client_secret: 'clv_mine' }), 400, 'client_secret');

    const pub = await newClient({ service_id: svc.id, type: 'public', redirect_uris: ['https://spa.example.com/cb'] });
    const none = await adm('GET', `/admin/v1/clients/${pub.client_id}/secrets`);
    assert.equal(none.status, 200);
    assert.deepEqual(none.body.items, []);
    const refused = await adm('POST', `/admin/v1/clients/${pub.client_id}/secrets`, {});
    assert.ok(refused.status >= 400 && refused.status < 500, 'a public client gets no secret');
    assert.equal(refused.body?.client_secret, undefined);
  });

  test('users: create, list, get, PATCH, DELETE; the password is never returned', async () => {
    const password = 'correct horse battery staple';
    const r = await adm('POST', '/admin/v1/users', { username: 'alice', password, email: 'alice@example.com', roles: ['tenant_admin'] });
    assert.equal(r.status, 201, r.text);
    const u = r.body;
    assert.equal(u.username, 'alice');
    assert.equal(u.email, 'alice@example.com');
    assert.deepEqual(u.roles, ['tenant_admin']);
    assert.equal(u.tenant_id, s.init.tenant_id);
    const noPassword = (res) => {
      assert.ok(!res.text.includes(password), 'the password is not echoed');
      assert.ok(!/password|argon2/i.test(res.text), `no password field or hash: ${res.text}`);
    };
    noPassword(r);

    const list = await adm('GET', '/admin/v1/users');
    assert.equal(list.status, 200);
    assert.ok(list.body.items.some((x) => x.id === u.id));
    assert.ok(list.body.items.some((x) => x.username === s.init.admin_username));
    noPassword(list);

    const g = await adm('GET', `/admin/v1/users/${u.id}`);
    assert.equal(g.status, 200);
    assert.deepEqual(g.body, u);
    noPassword(g);

    const newPassword = 'another long passphrase';
    const p = await adm('PATCH', `/admin/v1/users/${u.id}`, { email: 'a@example.org', password: newPassword });
    assert.equal(p.status, 200, p.text);
    assert.equal(p.body.email, 'a@example.org');
    assert.ok(!p.text.includes(newPassword));
    noPassword(p);

    problem(await adm('POST', '/admin/v1/users', { username: 'alice', password: 'yet another one' }), 409, 'username');
    problem(await adm('POST', '/admin/v1/users', { username: 'bob', password: 'short' }), 400, 'password');
    problem(await adm('POST', '/admin/v1/users', { username: 'bob' }), 400, 'password');
    problem(await adm('POST', '/admin/v1/users', { username: 'bob', password: 'long enough pw', password_hash: 'x' }), 400, 'password_hash');

    const events = await listAll(`/admin/v1/audit?target=${u.id}`);
    assert.ok(events.length >= 2);
    for (const e of events) {
      assert.ok(!JSON.stringify(e).includes(password) && !JSON.stringify(e).includes(newPassword), 'no password in the audit');
      assert.ok(!/argon2/.test(JSON.stringify(e)));
    }

    const d = await adm('DELETE', `/admin/v1/users/${u.id}`);
    assert.equal(d.status, 204);
    assert.equal(d.text, '');
    problem(await adm('GET', `/admin/v1/users/${u.id}`), 404);
    problem(await adm('DELETE', `/admin/v1/users/${u.id}`), 404);
  });

  test('audit events have the shape of docs/DESIGN.md R10 and filter by target and actor', async () => {
    const c = await newClient({ service_id: svc.id });
    await adm('PATCH', `/admin/v1/clients/${c.client_id}`, { name: 'Audited' });
    await adm('POST', `/admin/v1/clients/${c.client_id}/deactivate`);

    const r = await adm('GET', `/admin/v1/audit?target=${c.client_id}`);
    assert.equal(r.status, 200);
    const ev = r.body.items;
    assert.ok(ev.length >= 3);
    const actions = ev.map((e) => e.action);
    for (const a of ['client.create', 'client.update', 'client.deactivate']) assert.ok(actions.includes(a), a);
    for (let i = 1; i < ev.length; i++) assert.ok(ev[i - 1].at >= ev[i].at, 'newest first');
    for (const e of ev) {
      assert.equal(e.target.id, c.client_id);
      assert.equal(e.target.type, 'client');
    }
    const update = ev.find((e) => e.action === 'client.update');
    assert.deepEqual(update.changes.name, { from: c.name, to: 'Audited' });
    const deact = ev.find((e) => e.action === 'client.deactivate');
    assert.deepEqual(deact.changes.status, { from: 'active', to: 'inactive' });

    const all = await listAll('/admin/v1/audit');
    assert.ok(all.length >= ev.length);
    for (const e of all) {
      assert.equal(typeof e.id, 'string');
      assertTime(e.at, 'at');
      assert.ok(['client', 'user', 'registration', 'system'].includes(e.actor.type), e.actor.type);
      assert.equal(typeof e.actor.id, 'string');
      assert.equal(typeof e.tenant_id, 'string');
      assert.equal(typeof e.action, 'string');
      assert.ok(['client', 'service', 'secret', 'user', 'tenant'].includes(e.target.type), e.target.type);
      assert.equal(typeof e.target.id, 'string');
      assert.equal(typeof e.changes, 'object');
      for (const [k, v] of Object.entries(e.changes ?? {})) {
        assert.ok(v && 'from' in v && 'to' in v, `changes.${k} is {from, to}`);
      }
    }
    assert.equal(new Set(all.map((e) => e.id)).size, all.length, 'pagination visits each event once');

    const byActor = await listAll(`/admin/v1/audit?actor=${s.init.client_id}`);
    assert.ok(byActor.length >= 3);
    for (const e of byActor) {
      assert.equal(e.actor.id, s.init.client_id);
      assert.equal(e.actor.type, 'client');
    }
    assert.ok(byActor.some((e) => e.target.id === c.client_id && e.action === 'client.update'));
    const nobody = await adm('GET', '/admin/v1/audit?actor=nobody');
    assert.deepEqual(nobody.body.items, []);
    const future = await adm('GET', '/admin/v1/audit?since=2999-01-01T00:00:00Z');
    assert.deepEqual(future.body.items, []);
    problem(await adm('GET', '/admin/v1/audit?since=yesterday'), 400, 'since');
  });

  test('no token, a bad token or a revoked token → 401 with WWW-Authenticate: Bearer; no admin scope → 403', async () => {
    const fakeSigned = await new jose.SignJWT({ scope: 'admin', client_id: s.init.client_id })
      .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt' }).setIssuer(s.url).setSubject(s.init.client_id)
      .setIssuedAt().setExpirationTime('1h').setJti('x'.repeat(22)).sign(new TextEncoder().encode('k'.repeat(32)));
    const cases = [
      [undefined, null],
      ['no bearer scheme', `Basic ${Buffer.from(`${s.init.client_id}:${s.init.client_secret}`).toString('base64')}`],
      ['garbage', 'Bearer garbage'],
      ['empty', 'Bearer '],
      ['forged HS256', `Bearer ${fakeSigned}`],
    ];
    for (const [label, authz] of cases) {
      const r = await request(`${s.url}/admin/v1/clients`, { headers: authz ? { Authorization: authz } : {} });
      problem(r, 401);
      assert.match(r.headers.get('www-authenticate') ?? '', /^Bearer/, `${label ?? 'no token'}: WWW-Authenticate`);
    }
    // a token that has been revoked (RFC 7009) no longer opens the admin API
    const t = (await s.token(s.init.client_id, s.init.client_secret, { scope: 'admin' })).body.access_token;
    assert.equal((await adm('GET', '/admin/v1/clients', undefined, { token: t })).status, 200);
    assert.equal((await s.revoke(t)).status, 200);
    const revoked = await adm('GET', '/admin/v1/clients', undefined, { token: t });
    problem(revoked, 401);
    assert.match(revoked.headers.get('www-authenticate') ?? '', /^Bearer/);

    // a valid token without the admin scope
    const c = await newClient({ service_id: svc.id, scopes: ['read'] });
    const plain = (await s.token(c.client_id, c.client_secret)).body.access_token;
    problem(await adm('GET', '/admin/v1/clients', undefined, { token: plain }), 403);
  });

  test('tenant isolation: a tenant admin sees only its tenant (404), and platform actions are 403', async () => {
    const t2 = (await adm('POST', '/admin/v1/tenants', { name: 'Tenant Two' })).body;
    const svc2 = (await adm('POST', '/admin/v1/services', { tenant_id: t2.id, name: 'Two main' })).body;
    assert.equal(svc2.tenant_id, t2.id);
    const ta = await newClient({ service_id: svc2.id, name: 'Two admin', roles: ['tenant_admin'], scopes: ['admin'] });
    assert.equal(ta.tenant_id, t2.id);
    const tr = await s.token(ta.client_id, ta.client_secret, { scope: 'admin' });
    assert.equal(tr.status, 200, tr.text);
    const token = tr.body.access_token;
    assert.equal(jose.decodeJwt(token).tenant, t2.id);
    const as2 = { token };

    const mine = await newClient({ service_id: svc.id, name: 'Tenant one client' });
    // first tenant's objects: 404, as if they did not exist
    const cpath = `/admin/v1/clients/${mine.client_id}`;
    problem(await adm('GET', cpath, undefined, as2), 404);
    problem(await adm('PATCH', cpath, { name: 'stolen' }, as2), 404);
    problem(await adm('DELETE', cpath, undefined, as2), 404);
    for (const a of ['deactivate', 'activate', 'restore', 'revoke-tokens']) problem(await adm('POST', `${cpath}/${a}`, undefined, as2), 404);
    problem(await adm('GET', `${cpath}/secrets`, undefined, as2), 404);
    problem(await adm('POST', `${cpath}/secrets`, {}, as2), 404);
    problem(await adm('DELETE', `${cpath}/secrets/${mine.secret.secret_id}`, undefined, as2), 404);
    const spath = `/admin/v1/services/${svc.id}`;
    problem(await adm('GET', spath, undefined, as2), 404);
    problem(await adm('PATCH', spath, { name: 'stolen' }, as2), 404);
    problem(await adm('DELETE', spath, undefined, as2), 404);
    for (const a of ['deactivate', 'activate', 'restore', 'approve']) problem(await adm('POST', `${spath}/${a}`, undefined, as2), 404);
    problem(await adm('GET', `/admin/v1/tenants/${s.init.tenant_id}`, undefined, as2), 404);
    const initUser = (await listAll('/admin/v1/users')).find((u) => u.username === s.init.admin_username);
    assert.ok(initUser, 'the init admin user is listed for the platform admin');
    const upath = `/admin/v1/users/${initUser.id}`;
    problem(await adm('GET', upath, undefined, as2), 404);
    problem(await adm('PATCH', upath, { email: 'stolen@example.com' }, as2), 404);
    problem(await adm('DELETE', upath, undefined, as2), 404);
    const userIn1 = await adm('POST', '/admin/v1/users', { tenant_id: s.init.tenant_id, username: 'sneaky', password: 'long enough pw' }, as2);
    assert.ok([400, 404].includes(userIn1.status), `a user in another tenant: ${userIn1.status}`);
    assert.equal((await adm('GET', upath)).body.email, initUser.email, 'nothing changed');
    const svcIn1 = await adm('POST', '/admin/v1/services', { tenant_id: s.init.tenant_id, name: 'sneaky' }, as2);
    assert.ok([400, 404].includes(svcIn1.status), `a service in another tenant: ${svcIn1.status}`);
    const cliIn1 = await adm('POST', '/admin/v1/clients', { service_id: svc.id, name: 'sneaky', type: 'm2m' }, as2);
    assert.ok([400, 404].includes(cliIn1.status), `a client in another tenant's service: ${cliIn1.status}`);
    assert.equal((await adm('GET', cpath)).body.name, 'Tenant one client', 'nothing changed');
    assert.equal((await s.token(mine.client_id, mine.client_secret)).status, 200);

    // lists show only the own tenant
    const clients = await listAll('/admin/v1/clients', as2);
    assert.ok(clients.length >= 1);
    for (const c of clients) assert.equal(c.tenant_id, t2.id);
    const foreignFilter = await adm('GET', `/admin/v1/clients?service_id=${svc.id}`, undefined, as2);
    assert.deepEqual(foreignFilter.body.items, []);
    for (const sv of await listAll('/admin/v1/services', as2)) assert.equal(sv.tenant_id, t2.id);
    for (const sv of await listAll(`/admin/v1/services?tenant_id=${s.init.tenant_id}`, as2)) assert.equal(sv.tenant_id, t2.id);
    for (const u of await listAll('/admin/v1/users', as2)) assert.equal(u.tenant_id, t2.id);
    const ev = await listAll('/admin/v1/audit', as2);
    for (const e of ev) assert.equal(e.tenant_id, t2.id);
    assert.deepEqual(await listAll(`/admin/v1/audit?target=${mine.client_id}`, as2), []);

    // platform-only actions: 403
    problem(await adm('POST', '/admin/v1/tenants', { name: 'Tenant Three' }, as2), 403);
    problem(await adm('POST', `/admin/v1/services/${svc2.id}/approve`, undefined, as2), 403);
    assert.equal((await adm('GET', `/admin/v1/services/${svc2.id}`)).body.approval, 'sandbox');

    // and the own tenant is managed normally
    const own = await adm('POST', '/admin/v1/clients', { service_id: svc2.id, name: 'Two worker', type: 'm2m' }, as2);
    assert.equal(own.status, 201, own.text);
    assert.equal((await adm('GET', `/admin/v1/clients/${own.body.client_id}`, undefined, as2)).status, 200);
    assert.equal((await adm('GET', `/admin/v1/tenants/${t2.id}`, undefined, as2)).status, 200);
    const ownSvc = await adm('POST', '/admin/v1/services', { name: 'Two extra' }, as2);
    assert.equal(ownSvc.status, 201);
    assert.equal(ownSvc.body.tenant_id, t2.id);
  });

  test('a tenant admin cannot create or make a client with the platform_admin role', async () => {
      const t3 = (await adm('POST', '/admin/v1/tenants', { name: 'Tenant Esc' })).body;
      const svc3 = (await adm('POST', '/admin/v1/services', { tenant_id: t3.id, name: 'Esc main' })).body;
      const ta = await newClient({ service_id: svc3.id, roles: ['tenant_admin'], scopes: ['admin'] });
      const as3 = { token: (await s.token(ta.client_id, ta.client_secret, { scope: 'admin' })).body.access_token };
      // users: refused (this part holds)
      problem(await adm('POST', '/admin/v1/users', { username: 'mallory', password: 'long enough pw', roles: ['platform_admin'] }, as3), 403);
      // clients: must be refused the same way
      const esc = await adm('POST', '/admin/v1/clients', { service_id: svc3.id, name: 'escalator', type: 'm2m', roles: ['platform_admin'], scopes: ['admin'] }, as3);
      if (esc.status === 201) {
        // show the consequence: a platform admin token for another tenant's administrator
        const tok = (await s.token(esc.body.client_id, esc.body.client_secret, { scope: 'admin' })).body.access_token;
        const peek = await adm('GET', `/admin/v1/clients/${s.init.client_id}`, undefined, { token: tok });
        assert.notEqual(peek.status, 200, 'a tenant admin reached the init client of another tenant');
      }
      problem(esc, 403);
      const own = await newClient({ service_id: svc3.id }, as3);
      problem(await adm('PATCH', `/admin/v1/clients/${own.client_id}`, { roles: ['platform_admin'] }, as3), 403);
    });

  test('a tenant admin of the init tenant may read the platform admin client but not touch it', async () => {
    const svcs = await listAll('/admin/v1/services');
    const initSvc = svcs.find((v) => v.tenant_id === s.init.tenant_id);
    const ta = await newClient({ service_id: initSvc.id, roles: ['tenant_admin'], scopes: ['admin'] });
    const as = { token: (await s.token(ta.client_id, ta.client_secret, { scope: 'admin' })).body.access_token };
    const path = `/admin/v1/clients/${s.init.client_id}`;
    assert.equal((await adm('GET', path, undefined, as)).status, 200);
    const before = (await listAll(`/admin/v1/audit?target=${s.init.client_id}`)).length;
    problem(await adm('POST', `${path}/secrets`, {}, as), 403);
    problem(await adm('POST', `${path}/revoke-tokens`, undefined, as), 403);
    problem(await adm('POST', `${path}/test-token`, {}, as), 403);
    problem(await adm('PATCH', path, { description: 'mine now' }, as), 403);
    const secrets = (await adm('GET', `${path}/secrets`)).body.items;
    problem(await adm('DELETE', `${path}/secrets/${secrets[0].secret_id}`, undefined, as), 403);
    assert.equal((await listAll(`/admin/v1/audit?target=${s.init.client_id}`)).length, before, 'nothing changed');
  });

  test('clavis init printed the JSON of docs/CLI.md; running it again changes nothing and exits non-zero', async () => {
    assert.deepEqual(Object.keys(s.init).sort(), ['admin_password', 'admin_username', 'client_id', 'client_secret', 'tenant_id']);
    assert.match(s.init.client_secret, /^clv_/);
    const before = await listAll('/admin/v1/tenants');
    const auditBefore = (await listAll('/admin/v1/audit')).length;
    const again = await runCli(['init', '--db', s.db, '--json']);
    assert.notEqual(again.code, 0);
    assert.ok(again.stderr.trim().length > 0, 'it says why');
    assert.ok(!again.stdout.includes('clv_'), 'no new credentials are printed');
    assert.deepEqual(await listAll('/admin/v1/tenants'), before);
    assert.equal((await listAll('/admin/v1/audit')).length, auditBefore);
    assert.equal((await s.adminToken({ fresh: true })).length > 0, true, 'the first credentials still work');
  });

  test('the protected init client cannot be deactivated or deleted (409), only edited', async () => {
    const path = `/admin/v1/clients/${s.init.client_id}`;
    const g = await adm('GET', path);
    assert.equal(g.status, 200);
    assert.equal(g.body.protected, true);
    assert.equal(g.body.type, 'm2m');
    assert.deepEqual(g.body.roles, ['platform_admin']);
    assert.ok(g.body.scopes.includes('admin'));
    problem(await adm('POST', `${path}/deactivate`), 409);
    problem(await adm('DELETE', path), 409);
    assert.equal((await adm('GET', path)).body.status, 'active');
    const p = await adm('PATCH', path, { description: 'edited by the e2e tests' });
    assert.equal(p.status, 200, p.text);
    assert.equal(p.body.protected, true);
    problem(await adm('PATCH', path, { protected: false }), 400, 'protected');
    assert.equal((await s.adminToken({ fresh: true })).length > 0, true, 'it still gets admin tokens');
  });

  test('approval keeps the client\'s secret working and turns its environment live', async () => {
    const sv = (await adm('POST', '/admin/v1/services', { name: 'Going live' })).body;
    const c = await newClient({ service_id: sv.id, scopes: ['read'] });
    assert.equal(c.environment, 'sandbox');
    assert.equal((await s.token(c.client_id, c.client_secret)).status, 200);
    const secretsBefore = (await adm('GET', `/admin/v1/clients/${c.client_id}/secrets`)).body.items.map((x) => x.secret_id);
    const ap = await adm('POST', `/admin/v1/services/${sv.id}/approve`);
    assert.equal(ap.status, 200);
    assert.equal(ap.body.approval, 'live');
    const g = await adm('GET', `/admin/v1/clients/${c.client_id}`);
    assert.equal(g.body.environment, 'live');
    assert.equal(g.body.client_secret, undefined);
    const t = await s.token(c.client_id, c.client_secret);
    assert.equal(t.status, 200, 'the same secret still works after approval');
    assert.deepEqual((await adm('GET', `/admin/v1/clients/${c.client_id}/secrets`)).body.items.map((x) => x.secret_id), secretsBefore,
      'approval changes no credential');
  });

  test('no admin response or audit event ever showed a secret\'s plaintext again', async () => {
    assert.ok(plaintexts.size >= 10, `secrets issued during the run: ${plaintexts.size}`);
    const events = await listAll('/admin/v1/audit');
    const text = JSON.stringify(events);
    for (const [p, where] of plaintexts) assert.ok(!text.includes(p), `the audit log holds the plaintext issued by ${where}`);
    assert.ok(events.some((e) => e.action === 'secret.add'), 'secret additions are audited');
    assert.ok(events.some((e) => e.action === 'secret.remove'), 'secret removals are audited');
    for (const e of events.filter((x) => x.action.startsWith('secret.'))) {
      assert.equal(e.target.type, 'secret');
      assert.ok(!/clv_/.test(JSON.stringify(e)));
    }
    // and the clients, fetched one by one, hold none either
    for (const c of await listAll('/admin/v1/clients')) {
      const g = await adm('GET', `/admin/v1/clients/${c.client_id}`);
      assert.ok(!/clv_/.test(g.text));
    }
    assert.ok(checkedResponses > 100, `admin responses checked: ${checkedResponses}`);
  });

  // docs/DESIGN.md R1: detail is "<field>: <message>" for the first error, the message says the
  // field no second time, and no library's words reach the caller.
  test('a field error\'s detail starts with its field: name, redirect_uris[1], expires_at, users, services', async () => {
    const long = await adm('POST', '/admin/v1/clients', { service_id: svc.id, type: 'm2m', name: 'n'.repeat(201) });
    const p = problem(long, 400, 'name');
    assert.equal(p.detail, 'name: must be at most 200 characters');
    assert.equal(p.errors[0].message, 'must be at most 200 characters');

    const uri = problem(await adm('POST', '/admin/v1/clients', {
      service_id: svc.id, type: 'public', name: 'two uris',
      redirect_uris: ['https://ok.example.com/cb', 'http://example.com/cb'],
    }), 400, 'redirect_uris[1]');
    assert.match(uri.detail, /^redirect_uris\[1\]: must use https/);

    const c = await newClient({ service_id: svc.id });
    const cases = [
      ['PATCH', `/admin/v1/clients/${c.client_id}`, { name: 'x'.repeat(201) }, 'name'],
      ['PATCH', `/admin/v1/clients/${c.client_id}`, { access_token_lifetime: 5 }, 'access_token_lifetime'],
      ['POST', `/admin/v1/clients/${c.client_id}/secrets`, { expires_at: 'soon' }, 'expires_at'],
      ['POST', `/admin/v1/clients/${c.client_id}/secrets`, { expires_at: '2001-01-01T00:00:00Z' }, 'expires_at'],
      ['POST', '/admin/v1/services', { name: '' }, 'name'],
      ['POST', '/admin/v1/services', { name: 'x', colour: 'red' }, 'colour'],
      ['POST', '/admin/v1/users', { username: 'short-pw', password: 'abc' }, 'password'],
      ['POST', '/admin/v1/users', { username: 'no-at', password: 'long enough', email: 'nope' }, 'email'],
      ['POST', '/admin/v1/initial-access-tokens', { service_id: svc.id, uses: 0 }, 'uses'],
      ['GET', '/admin/v1/clients?limit=0', undefined, 'limit'],
      ['GET', '/admin/v1/clients?status=gone', undefined, 'status'],
      ['GET', '/admin/v1/clients?type=robot', undefined, 'type'],
    ];
    for (const [method, path, body, field] of cases) {
      const e = problem(await adm(method, path, body), 400, field);
      assert.ok(e.detail.startsWith(`${field}: `), `${method} ${path}: detail names ${field}: ${e.detail}`);
      assert.ok(!e.errors[0].message.startsWith(field), `${method} ${path}: the message repeats ${field}: ${e.errors[0].message}`);
      assert.equal(e.detail, `${field}: ${e.errors[0].message}`);
    }
    // the access token lifetime names the server's own bounds (the CLI leaves them to it)
    const lt = problem(await adm('PATCH', `/admin/v1/clients/${c.client_id}`, { access_token_lifetime: 5 }), 400, 'access_token_lifetime');
    assert.match(lt.detail, /between 60 and 3600 seconds/);
  });

  test('registration errors name the field in error_description (RFC 7591 §3.2.2)', async () => {
    const iat = await adm('POST', '/admin/v1/initial-access-tokens', { service_id: svc.id, uses: null });
    assert.equal(iat.status, 201, iat.text);
    const reg = (md) => request(`${s.url}/register`, {
      method: 'POST', body: JSON.stringify(md),
      headers: { Authorization: `Bearer ${iat.body.token}`, 'Content-Type': 'application/json' },
    });
    const cases = [
      [{ client_name: 'n'.repeat(201), redirect_uris: ['https://a.example.com/cb'] }, 'invalid_client_metadata', 'client_name'],
      [{ client_name: 'ok', redirect_uris: ['https://a.example.com/cb', 'http://b.example.com/cb'] }, 'invalid_redirect_uri', 'redirect_uris[1]'],
      [{ client_name: 'ok', redirect_uris: ['https://a.example.com/cb'], response_types: ['token'] }, 'invalid_client_metadata', 'response_types[0]'],
    ];
    for (const [md, error, field] of cases) {
      const r = await reg(md);
      assert.equal(r.status, 400, r.text);
      assert.equal(r.body.error, error);
      assert.ok(r.body.error_description.startsWith(`${field}: `), `names ${field}: ${r.body.error_description}`);
      assert.ok(!r.body.error_description.slice(field.length + 2).startsWith(field), `says ${field} once: ${r.body.error_description}`);
    }
  });

  test('bad JSON is 400 in plain words: no jansson flag (JSON_ALLOW_NUL) or library text', async () => {
    const bodies = [
      ['{"name":"a\\u0000b","type":"m2m"}', /NUL/],
      ['{"name":"a","name":"b"}', /same key twice/],
      ['{"name":', /ends before/],
      ['{"name":"a"} x', /more text after/],
      ['{"name":1e999999}', /too large|JSON/],
      ['[1,2', /ends before/],
      ['{nope}', /not valid JSON/],
    ];
    for (const [body, words] of bodies) {
      const r = await adm('POST', '/admin/v1/clients', body, { raw: true, headers: { 'Content-Type': 'application/json' } });
      const p = problem(r, 400);
      assert.match(p.detail, /^invalid JSON at line \d+ column \d+: /, body);
      assert.match(p.detail, words, body);
      assert.ok(!/JSON_[A-Z_]+|jansson|\\u0000 is not allowed|near '/.test(p.detail), `${body}: ${p.detail}`);
    }
  });

  test('clients list by effective_status (the weakest of client, service, tenant): with q and cursors', async () => {
    const off = (await adm('POST', '/admin/v1/services', { name: 'eff-off' })).body;
    const gone = (await adm('POST', '/admin/v1/services', { name: 'eff-gone' })).body;
    const on = (await adm('POST', '/admin/v1/services', { name: 'eff-on' })).body;
    const mk = async (service, name) => (await newClient({ service_id: service.id, name })).client_id;
    const offA = await mk(off, 'effx one');
    const offB = await mk(off, 'effx two');
    const goneA = await mk(gone, 'effx three');
    const onA = await mk(on, 'effx four');
    const onB = await mk(on, 'effx five');
    assert.equal((await adm('POST', `/admin/v1/clients/${onB}/deactivate`)).status, 200);
    const selfDeleted = await mk(on, 'effx six');
    assert.equal((await adm('DELETE', `/admin/v1/clients/${selfDeleted}`)).status, 200);
    assert.equal((await adm('POST', `/admin/v1/services/${off.id}/deactivate`)).status, 200);
    assert.equal((await adm('DELETE', `/admin/v1/services/${gone.id}`)).status, 204);

    const ids = (items) => items.filter((c) => c.name.startsWith('effx')).map((c) => c.client_id);
    const want = {
      active: [onA],
      inactive: [onB, offB, offA],
      deleted: [selfDeleted, goneA],
    };
    /** Every page of path at limit, following next_cursor. */
    async function pages(path, limit) {
      const items = [];
      let cursor = null;
      do {
        const r = await adm('GET', `${path}&limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
        assert.equal(r.status, 200, r.text);
        assert.ok(r.body.items.length <= limit);
        items.push(...r.body.items);
        cursor = r.body.next_cursor;
      } while (cursor);
      return items;
    }
    for (const [eff, expected] of Object.entries(want)) {
      // no q (a scan), q of 3+ characters (the trigram index), of 2 (the pairs), an exact id
      const queries = [['', expected], ['&q=effx', expected], ['&q=fX', expected], [`&q=${expected[0]}`, [expected[0]]]];
      for (const [q, exp] of queries) {
        for (const limit of [1, 2, 100]) {
          const items = await pages(`/admin/v1/clients?effective_status=${eff}${q}`, limit);
          assert.deepEqual(ids(items), exp, `effective_status=${eff}${q} limit ${limit}`);
          for (const c of items) assert.equal(c.effective_status, eff, `${c.client_id} carries its effective_status`);
        }
      }
    }
    // the client JSON says why: its own status stays active
    const g = (await adm('GET', `/admin/v1/clients/${offA}`)).body;
    assert.equal(g.status, 'active');
    assert.equal(g.effective_status, 'inactive');
    // with status: own status and effective status both
    assert.deepEqual(ids((await adm('GET', `/admin/v1/clients?status=active&effective_status=deleted&service_id=${gone.id}`)).body.items), [goneA]);
    assert.deepEqual(ids((await adm('GET', `/admin/v1/clients?status=inactive&effective_status=active`)).body.items), []);
    // without effective_status nothing changes: deleted clients only when status=deleted asks
    assert.ok(!ids(await listAll('/admin/v1/clients')).includes(selfDeleted));
    const bad = problem(await adm('GET', '/admin/v1/clients?effective_status=gone'), 400, 'effective_status');
    assert.equal(bad.detail, 'effective_status: must be active, inactive or deleted');
  });

  test('the server shuts down cleanly (exit 0, no sanitizer report)', () => assertCleanShutdown(s));
});
