// Test tokens (docs/DESIGN.md I2, docs/API.md: POST /admin/v1/clients/{client_id}/test-token): a chosen
// lifetime, a subset of the client's scopes, optional user_id, roles and custom claims,
// marked test: true, signed like any token (verified here against /jwks), audited; and
// what it refuses: reserved claims, scopes the client lacks, foreign or inactive clients.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as jose from 'jose';
import { assertCleanShutdown, start, stopUnstopped } from './harness.mjs';

const RESERVED = ['iss', 'sub', 'aud', 'exp', 'iat', 'nbf', 'jti', 'client_id', 'scope', 'roles',
  'tenant', 'test', 'cnf', 'act', 'azp', 'auth_time', 'nonce', 'at_hash'];

let s;
let svc;
let c; // an m2m client with scopes read write and role reader
let jwks;

function testToken(clientId, body, opts) {
  return s.api('POST', `/admin/v1/clients/${clientId}/test-token`, body, opts);
}

/** Asserts a problem+json with this status (and first field); returns the body. */
function problem(r, status, field) {
  assert.equal(r.status, status, `expected ${status}, got ${r.status}: ${r.text}`);
  assert.match(r.headers.get('content-type') ?? '', /^application\/problem\+json/);
  if (field !== undefined) assert.equal(r.body.errors?.[0]?.field, field, r.text);
  return r.body;
}

async function verify(token) {
  const { payload, protectedHeader } = await jose.jwtVerify(token, jwks, { issuer: s.url, typ: 'at+jwt' });
  return { payload, header: protectedHeader };
}

before(async () => {
  s = await start();
  jwks = jose.createRemoteJWKSet(new URL(`${s.url}/jwks`));
  svc = await s.createService('test tokens');
  c = await s.createClient({ service_id: svc.id, scopes: ['read', 'write'], roles: ['reader'] });
});

after(() => stopUnstopped(s));

describe('test tokens', () => {
  test('chosen lifetime, scope subset, user, roles and claims; test: true; verified against /jwks', async () => {
    const claims = { department: 'qa', level: 3, flags: { beta: true }, tags: ['a', 'b'] };
    const r = await testToken(c.client_id, {
      lifetime: 120, scope: 'read', user_id: 'user-42', roles: ['tester', 'auditor'], claims,
    });
    assert.equal(r.status, 201, r.text);
    assert.match(r.headers.get('cache-control') ?? '', /no-store/);
    assert.equal(r.body.token_type, 'Bearer');
    assert.equal(r.body.expires_in, 120);
    const { payload } = await verify(r.body.access_token);
    assert.equal(payload.test, true);
    assert.equal(payload.exp - payload.iat, 120);
    assert.equal(payload.scope, 'read');
    assert.equal(payload.sub, 'user-42');
    assert.deepEqual(payload.roles, ['tester', 'auditor']);
    assert.equal(payload.client_id, c.client_id);
    assert.equal(payload.tenant, s.init.tenant_id);
    assert.equal(payload.aud, s.url);
    for (const [k, v] of Object.entries(claims)) assert.deepEqual(payload[k], v, `claim ${k}`);
    const i = await s.introspect(r.body.access_token);
    assert.equal(i.status, 200, i.text);
    assert.equal(i.body.active, true, 'issued like any other token');
  });

  test('defaults: the client\'s lifetime, all its scopes, its client_id as sub, its roles', async () => {
    const r = await testToken(c.client_id, {});
    assert.equal(r.status, 201, r.text);
    assert.equal(r.body.expires_in, 3600);
    const { payload } = await verify(r.body.access_token);
    assert.equal(payload.exp - payload.iat, 3600);
    assert.equal(payload.scope, 'read write');
    assert.equal(payload.sub, c.client_id);
    assert.deepEqual(payload.roles, ['reader']);
    assert.equal(payload.test, true);
    // an empty body is as good as {}
    const r2 = await s.api('POST', `/admin/v1/clients/${c.client_id}/test-token`, '', {
      raw: true, headers: { 'Content-Type': 'application/json' },
    });
    assert.equal(r2.status, 201, r2.text);
  });

  test('audited as client.test_token, without the token', async () => {
    const r = await testToken(c.client_id, { lifetime: 300, scope: 'write', user_id: 'u-7', claims: { k: 'v' } });
    assert.equal(r.status, 201, r.text);
    const a = await s.api('GET', `/admin/v1/audit?target=${c.client_id}&limit=100`);
    const events = a.body.items.filter((e) => e.action === 'client.test_token');
    assert.ok(events.length >= 1, 'audited');
    const ev = events[0]; // newest first
    assert.deepEqual(ev.target, { type: 'client', id: c.client_id });
    assert.deepEqual(ev.actor, { type: 'client', id: s.init.client_id });
    assert.equal(ev.changes.lifetime.to, 300);
    assert.equal(ev.changes.scope.to, 'write');
    assert.equal(ev.changes.user_id.to, 'u-7');
    assert.ok(!a.text.includes(r.body.access_token), 'the token itself is never in the audit');
  });

  test('reserved claims are refused, naming claims.<name>', async () => {
    for (const name of RESERVED) {
      problem(await testToken(c.client_id, { claims: { ok: 1, [name]: 'x' } }), 400, `claims.${name}`);
    }
  });

  test('a scope the client lacks, or admin, is 400; nothing is issued', async () => {
    problem(await testToken(c.client_id, { scope: 'read delete' }), 400, 'scope');
    problem(await testToken(c.client_id, { scope: 'admin' }), 400, 'scope');
    // even for an admin client: a test token is never an admin token
    const r = await testToken(s.init.client_id, {});
    assert.equal(r.status, 201, r.text);
    const { payload } = await verify(r.body.access_token);
    assert.ok(!(payload.scope ?? '').split(' ').includes('admin'), 'no admin scope by default');
    problem(await s.api('GET', '/admin/v1/clients', undefined, { token: r.body.access_token }), 403);
    problem(await testToken(s.init.client_id, { scope: 'admin' }), 400, 'scope');
  });

  test('bad bodies are 400 naming the field', async () => {
    const cases = [
      [{ lifetime: 59 }, 'lifetime'],
      [{ lifetime: 3601 }, 'lifetime'],
      [{ lifetime: '120' }, 'lifetime'],
      [{ scope: '' }, 'scope'],
      [{ scope: ['read'] }, 'scope'],
      [{ user_id: '' }, 'user_id'],
      [{ user_id: 42 }, 'user_id'],
      [{ roles: 'tester' }, 'roles'],
      [{ roles: Array.from({ length: 51 }, (_, i) => `r${i}`) }, 'roles'],
      [{ roles: ['has space'] }, 'roles[0]'],
      [{ claims: [] }, 'claims'],
      [{ claims: { blob: 'x'.repeat(4100) } }, 'claims'],
      [{ color: 'red' }, 'color'],
    ];
    for (const [body, field] of cases) problem(await testToken(c.client_id, body), 400, field);
    // 4 KiB of claims is still fine
    const fits = await testToken(c.client_id, { claims: { blob: 'x'.repeat(4096 - '{"blob":""}'.length) } });
    assert.equal(fits.status, 201, fits.text);
  });

  test('a missing or foreign client is 404; an inactive one 409; no admin token 401', async () => {
    problem(await testToken('no-such-client', {}), 404);
    const t2 = (await s.api('POST', '/admin/v1/tenants', { name: 'Other tenant' })).body;
    const svc2 = await s.createService('other', { tenant_id: t2.id });
    const ta = await s.createClient({ service_id: svc2.id, roles: ['tenant_admin'], scopes: ['admin'] });
    const tr = await s.token(ta.client_id, ta.client_secret, { scope: 'admin' });
    assert.equal(tr.status, 200, tr.text);
    const as2 = { token: tr.body.access_token };
    problem(await testToken(c.client_id, {}, as2), 404);
    const own = await s.createClient({ service_id: svc2.id });
    assert.equal((await testToken(own.client_id, {}, as2)).status, 201, 'its own client is fine');

    const d = await s.createClient({ service_id: svc.id });
    assert.equal((await s.api('POST', `/admin/v1/clients/${d.client_id}/deactivate`)).status, 200);
    problem(await testToken(d.client_id, {}), 409);
    const svc3 = await s.createService('to deactivate');
    const e = await s.createClient({ service_id: svc3.id });
    assert.equal((await s.api('POST', `/admin/v1/services/${svc3.id}/deactivate`)).status, 200);
    problem(await testToken(e.client_id, {}), 409);
    assert.equal((await s.api('DELETE', `/admin/v1/clients/${d.client_id}`)).status, 200);
    problem(await testToken(d.client_id, {}), 409);

    problem(await testToken(c.client_id, {}, { token: null }), 401);
  });
});

test('the server shuts down cleanly (exit 0, no sanitizer report)', () => assertCleanShutdown(s));
