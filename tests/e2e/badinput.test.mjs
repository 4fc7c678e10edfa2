// Bad input (docs/DESIGN.md I6, R1, R12, R13, R20): every malformed, oversized or hostile
// request gets a clear 4xx with a reason — never a crash, a hang or a 500 — and changes
// nothing.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { assertCleanShutdown, basicAuth, request, start, stopUnstopped } from './harness.mjs';

const KiB = 1024;

/** Asserts an admin problem+json answer; returns the body. */
function problem(r, status, field) {
  assert.equal(r.status, status, `expected ${status}, got ${r.status}: ${r.text.slice(0, 300)}`);
  assert.match(r.headers.get('content-type') ?? '', /^application\/problem\+json/);
  assert.ok(r.body && typeof r.body === 'object', `a problem document, got ${JSON.stringify(r.text.slice(0, 200))}`);
  assert.equal(r.body.status, status);
  assert.equal(typeof r.body.title, 'string');
  assert.equal(typeof r.body.detail, 'string');
  assert.ok(r.body.detail.length > 0, 'detail gives a reason');
  if (field !== undefined) {
    assert.ok(Array.isArray(r.body.errors), `errors[] in ${r.text}`);
    assert.equal(r.body.errors[0].field, field);
    assert.equal(typeof r.body.errors[0].message, 'string');
  }
  return r.body;
}

/** Asserts an RFC 6749 §5.2 error answer. */
function oauthError(r, status, error) {
  assert.equal(r.status, status, `expected ${status}, got ${r.status}: ${r.text.slice(0, 300)}`);
  assert.match(r.headers.get('content-type') ?? '', /^application\/json/);
  assert.equal(r.body?.error, error, r.text);
  assert.equal(typeof r.body.error_description, 'string');
  assert.equal(r.body.access_token, undefined);
}

/** Runs every [label, fn] case, then fails once, listing every case that failed. */
async function everyCase(cases) {
  const failures = [];
  for (const [label, fn] of cases) {
    try {
      await fn();
    } catch (e) {
      failures.push(`${label}: ${String(e.message).split('\n')[0]}`);
    }
  }
  assert.deepEqual(failures, [], `${failures.length} of ${cases.length} cases fail:\n  ${failures.join('\n  ')}`);
}

/** Sends a request with a raw body over node:http (chunked when chunked is true). */
function rawRequest(url, { method = 'POST', headers = {}, body = Buffer.alloc(0), chunked = false, path } = {}) {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const h = { ...headers };
    if (!chunked) h['Content-Length'] = body.length;
    const req = http.request({ host: u.hostname, port: u.port, method, path: path ?? u.pathname + u.search, headers: h }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json = null;
        try { json = JSON.parse(text); } catch { /* not JSON */ }
        resolve({ status: res.statusCode, headers: new Headers(res.headers), text, body: json });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    if (chunked) {
      for (let i = 0; i < body.length; i += 8 * KiB) req.write(body.subarray(i, i + 8 * KiB));
      req.end();
    } else {
      req.end(body);
    }
  });
}

describe('bad input', () => {
  let s;
  let svc;
  let c; // an m2m client with scope read
  let pub; // a public client
  let token; // admin bearer
  const json = { 'Content-Type': 'application/json' };
  const form = { 'Content-Type': 'application/x-www-form-urlencoded' };

  /** What must not change: every object's id and version, and the audit trail. */
  async function snapshot() {
    const clients = [...await s.listAll('/admin/v1/clients'), ...await s.listAll('/admin/v1/clients?status=deleted')];
    const services = [...await s.listAll('/admin/v1/services'), ...await s.listAll('/admin/v1/services?status=deleted')];
    const audit = await s.listAll('/admin/v1/audit');
    return {
      clients: clients.map((x) => `${x.client_id}@${x.version}:${x.status}`).sort(),
      services: services.map((x) => `${x.id}@${x.version}`).sort(),
      users: (await s.listAll('/admin/v1/users')).map((x) => `${x.id}@${x.updated_at}`).sort(),
      tenants: (await s.listAll('/admin/v1/tenants')).map((x) => `${x.id}:${x.status}:${x.name}`).sort(),
      secrets: (await s.api('GET', `/admin/v1/clients/${c.client_id}/secrets`)).body.items.map((x) => x.secret_id).sort(),
      auditCount: audit.length,
      auditNewest: audit[0]?.id,
    };
  }

  /** Runs fn and asserts the state is the same afterwards. */
  async function unchanged(fn) {
    const before = await snapshot();
    await fn();
    const after = await snapshot();
    assert.deepEqual(after, before, 'the bad requests changed nothing');
    assert.equal(after.clients.length, before.clients.length);
    assert.equal(after.auditCount, before.auditCount);
  }

  before(async () => {
    s = await start();
    token = await s.adminToken();
    svc = await s.createService('bad input');
    c = await s.createClient({ service_id: svc.id, name: 'target', scopes: ['read'] });
    pub = await s.createClient({ service_id: svc.id, name: 'spa', type: 'public', redirect_uris: ['https://spa.example.com/cb'] });
  });
  after(async () => { await stopUnstopped(s); });

  test('bodies over 64 KiB → 413 on the admin API and on /token, with or without Content-Length', async () => {
    await unchanged(async () => {
      const big = Buffer.from(JSON.stringify({ service_id: svc.id, type: 'm2m', name: 'big', description: 'd'.repeat(70 * KiB) }));
      const auth = { Authorization: `Bearer ${token}` };
      for (const chunked of [false, true]) {
        problem(await rawRequest(`${s.url}/admin/v1/clients`, { headers: { ...json, ...auth }, body: big, chunked }), 413);
        problem(await rawRequest(`${s.url}/admin/v1/clients/${c.client_id}`, { method: 'PATCH', headers: { ...json, ...auth }, body: big, chunked }), 413);
        const tbody = Buffer.from(`grant_type=client_credentials&scope=${'r'.repeat(70 * KiB)}`);
        oauthError(await rawRequest(`${s.url}/token`, { headers: { ...form, Authorization: basicAuth(c.client_id, c.client_secret) }, body: tbody, chunked }), 413, 'invalid_request');
      }
      // a huge Content-Length with no body to match is refused up front
      const r = await rawRequest(`${s.url}/token`, { headers: { ...form, 'Content-Length': String(1024 * 1024 * 1024) }, body: Buffer.alloc(0), chunked: true });
      assert.equal(r.status, 413);
      // exactly 64 KiB is not "over 64 KiB": judged on its content (here: an unknown field)
      const pad = (n) => { const head = '{"x":"'; const tail = '"}'; return Buffer.from(head + 'a'.repeat(n - head.length - tail.length) + tail); };
      problem(await rawRequest(`${s.url}/admin/v1/services`, { headers: { ...json, ...auth }, body: pad(64 * KiB) }), 400, 'x');
      problem(await rawRequest(`${s.url}/admin/v1/services`, { headers: { ...json, ...auth }, body: pad(64 * KiB + 1) }), 413);
    });
  });

  test('invalid JSON, JSON that is not an object, and duplicate keys → 400', async () => {
    await unchanged(async () => {
      const bodies = ['{', '{"name":}', '{"name":"a",}', "{'name':'a'}", '{"name":"a"} trailing', 'nul', '', ' ', '{"name":"a"}{"name":"b"}', '{"name":"\\x41"}', '{"name":NaN}'];
      for (const b of bodies) {
        problem(await s.api('POST', '/admin/v1/services', b, { raw: true, headers: json }), 400);
        problem(await s.api('PATCH', `/admin/v1/clients/${c.client_id}`, b, { raw: true, headers: json }), 400);
      }
      for (const b of ['[]', '[{"name":"a"}]', '"name"', '42', 'null', 'true']) {
        problem(await s.api('POST', '/admin/v1/services', b, { raw: true, headers: json }), 400);
        problem(await s.api('POST', '/admin/v1/clients', b, { raw: true, headers: json }), 400);
      }
      for (const b of ['{"name":"a","name":"b"}', `{"service_id":"${svc.id}","type":"m2m","name":"a","type":"public"}`, '{"name":"a","x":{"k":1,"k":2}}']) {
        const path = b.includes('service_id') ? '/admin/v1/clients' : '/admin/v1/services';
        problem(await s.api('POST', path, b, { raw: true, headers: json }), 400);
      }
      problem(await s.api('PATCH', `/admin/v1/clients/${c.client_id}`, '{"name":"a","name":"b"}', { raw: true, headers: json }), 400);
      // hostile shapes
      problem(await s.api('POST', '/admin/v1/services', '['.repeat(20000), { raw: true, headers: json }), 400);
      problem(await s.api('POST', '/admin/v1/services', `${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`, { raw: true, headers: json }), 400);
      problem(await s.api('POST', '/admin/v1/services', '{"name":"a\\u0000b"}', { raw: true, headers: json }), 400);
      problem(await s.api('POST', '/admin/v1/clients', { service_id: svc.id, type: 'm2m', name: 'a', scopes: 'read' }), 400, 'scopes');
      problem(await s.api('POST', '/admin/v1/clients', { service_id: svc.id, type: 'm2m', name: ['a'] }), 400, 'name');
      problem(await s.api('POST', '/admin/v1/clients', { service_id: svc.id, type: 'm2m', name: 'a', access_token_lifetime: 1e300 }), 400, 'access_token_lifetime');
    });
  });

  test('wrong content type → 415 on the admin API, 400 invalid_request at the protocol endpoints', async () => {
    await unchanged(async () => {
      const body = JSON.stringify({ name: 'typed' });
      for (const ct of [undefined, 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/jsonx', 'application/xml']) {
        const headers = ct ? { 'Content-Type': ct } : {};
        problem(await s.api('POST', '/admin/v1/services', body, { raw: true, headers }), 415);
        problem(await s.api('PATCH', `/admin/v1/clients/${c.client_id}`, body, { raw: true, headers }), 415);
      }
      const params = new URLSearchParams({ grant_type: 'client_credentials', token: 'x' }).toString();
      for (const ct of [undefined, 'application/json', 'text/plain', 'multipart/form-data; boundary=x', 'application/x-www-form-urlencodedx']) {
        for (const ep of ['/token', '/introspect', '/revoke']) {
          const headers = { Authorization: basicAuth(c.client_id, c.client_secret) };
          if (ct) headers['Content-Type'] = ct;
          const b = ct === 'application/json' ? JSON.stringify({ grant_type: 'client_credentials', token: 'x' }) : params;
          oauthError(await request(s.url + ep, { method: 'POST', headers, body: b }), 400, 'invalid_request');
        }
      }
      // the right type with parameters is fine
      const ok = await request(`${s.url}/token`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded; charset=UTF-8', Authorization: basicAuth(c.client_id, c.client_secret) },
        body: 'grant_type=client_credentials',
      });
      assert.equal(ok.status, 200);
    });
  });

  test('invalid UTF-8 in a JSON body, a form field and a list\'s query string → 400', async () => {
    await unchanged(async () => {
      const bad = [[0xc3, 0x28], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80], [0xff], [0xe2, 0x82]];
      for (const seq of bad) {
        const body = Buffer.concat([Buffer.from('{"name":"a'), Buffer.from(seq), Buffer.from('b"}')]);
        problem(await s.api('POST', '/admin/v1/services', body, { raw: true, headers: json }), 400);
        problem(await s.api('PATCH', `/admin/v1/clients/${c.client_id}`, body, { raw: true, headers: json }), 400);
        const enc = seq.map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join('');
        for (const f of [`grant_type=client_credentials&scope=read${enc}`, `grant_type=client_credentials${enc}`, `grant_type=client_credentials&x${enc}=1`]) {
          oauthError(await request(`${s.url}/token`, {
            method: 'POST', headers: { ...form, Authorization: basicAuth(c.client_id, c.client_secret) }, body: f,
          }), 400, 'invalid_request');
        }
        oauthError(await request(`${s.url}/introspect`, {
          method: 'POST', headers: { ...form, Authorization: basicAuth(c.client_id, c.client_secret) }, body: `token=abc${enc}`,
        }), 400, 'invalid_request');
        // raw bytes in the form, not percent-encoded
        oauthError(await rawRequest(`${s.url}/token`, {
          headers: { ...form, Authorization: basicAuth(c.client_id, c.client_secret) },
          body: Buffer.concat([Buffer.from('grant_type=client_credentials&scope=read'), Buffer.from(seq)]),
        }), 400, 'invalid_request');
        for (const list of ['/admin/v1/clients', '/admin/v1/services', '/admin/v1/audit', '/admin/v1/users', '/admin/v1/tenants']) {
          problem(await s.api('GET', `${list}?q=a${enc}`), 400);
          problem(await s.api('GET', `${list}?target=${enc}&limit=5`), 400);
        }
      }
    });
  });

  test('a repeated form parameter at /token is 400 invalid_request', async () => {
    await unchanged(async () => {
      const auth = { Authorization: basicAuth(c.client_id, c.client_secret) };
      for (const b of ['grant_type=client_credentials&grant_type=client_credentials', 'grant_type=client_credentials&scope=read&scope=read',
        'grant_type=client_credentials&grant_type=password', `grant_type=client_credentials&client_id=${c.client_id}&client_id=${c.client_id}`]) {
        oauthError(await request(`${s.url}/token`, { method: 'POST', headers: { ...form, ...auth }, body: b }), 400, 'invalid_request');
      }
      oauthError(await request(`${s.url}/introspect`, { method: 'POST', headers: { ...form, ...auth }, body: 'token=a&token=b' }), 400, 'invalid_request');
      // malformed forms
      for (const b of ['grant_type=client_credentials&scope=%zz', 'grant_type=client_credentials&%=1', '=x&grant_type=client_credentials',
        Array.from({ length: 200 }, (_, i) => `p${i}=1`).join('&')]) {
        oauthError(await request(`${s.url}/token`, { method: 'POST', headers: { ...form, ...auth }, body: b }), 400, 'invalid_request');
      }
      // Basic and client_secret in the body at once
      const both = await request(`${s.url}/token`, { method: 'POST', headers: { ...form, ...auth }, body: `grant_type=client_credentials&client_secret=${c.client_secret}` });
      assert.ok(both.status === 400 || both.status === 401, `two authentication methods: ${both.status}`);
      assert.equal(both.body.access_token, undefined);
      // malformed Basic headers
      for (const h of ['Basic', 'Basic !!!', `Basic ${Buffer.from('no-colon').toString('base64')}`, `Basic ${Buffer.from(':secret').toString('base64')}`]) {
        const r = await request(`${s.url}/token`, { method: 'POST', headers: { ...form, Authorization: h }, body: 'grant_type=client_credentials' });
        oauthError(r, 401, 'invalid_client');
      }
    });
  });

  test('unknown path → 404, wrong method → 405', async () => {
    await unchanged(async () => {
      for (const p of ['/nope', '/admin/v1/nope', '/admin/v2/clients', '/token/x', '/.well-known/nope', '/admin/v1/clients/a/b/c/d', `/${'a'.repeat(3000)}`, '/admin/v1/clients//secrets']) {
        const r = await s.api('GET', p);
        assert.equal(r.status, 404, p);
        assert.ok(r.body !== null, `${p}: a JSON body`);
      }
      problem(await s.api('GET', '/admin/v1/nope'), 404);
      const cases = [['PUT', '/admin/v1/clients'], ['DELETE', '/admin/v1/clients'], ['PUT', `/admin/v1/clients/${c.client_id}`],
        ['GET', `/admin/v1/clients/${c.client_id}/deactivate`], ['POST', '/admin/v1/audit'], ['DELETE', '/admin/v1/tenants'],
        ['GET', '/token'], ['DELETE', '/token'], ['POST', '/jwks'], ['PUT', '/.well-known/openid-configuration'], ['GET', '/introspect']];
      for (const [m, p] of cases) {
        const r = await s.api(m, p);
        assert.equal(r.status, 405, `${m} ${p}`);
        if (p.startsWith('/admin/')) problem(r, 405);
      }
      assert.equal((await s.api('DELETE', `/admin/v1/clients/${c.client_id}/deactivate`)).status, 405);
    });
  });

  test('405 answers carry an Allow header (RFC 9110 §15.5.6)', async () => {
    await everyCase([['PUT', '/admin/v1/clients', ['GET', 'POST']], ['GET', '/token', ['POST']], ['POST', '/jwks', ['GET']]].map(([m, p, allowed]) => [`${m} ${p}`, async () => {
      const r = await s.api(m, p);
      assert.equal(r.status, 405);
      const allow = (r.headers.get('allow') ?? '').split(',').map((x) => x.trim()).filter(Boolean);
      for (const a of allowed) assert.ok(allow.includes(a), `Allow lists ${a} (got "${r.headers.get('allow')}")`);
    }]));
  });

  test('redirect URIs with a fragment, http on a non-loopback host or a wildcard → 400 naming redirect_uris[i]', async () => {
    await unchanged(async () => {
      const good = 'https://app.example.com/cb';
      const bad = ['https://app.example.com/cb#frag', 'https://app.example.com/cb#', 'http://app.example.com/cb', 'http://10.0.0.1/cb',
        'https://*.example.com/cb', 'https://*/cb', '/relative/cb', 'app.example.com/cb', 'https://user@app.example.com/cb',
        'javascript:alert(1)', 'data:text/html,hi', 'file:///etc/passwd', 'https://app.example.com/c b', 'https://app.example.com/\u00e9', '',
        'https:///cb', 'http://localhost.evil.example/cb', 'http://127.0.0.1.evil.example/', 'com.example.app:/cb#x', 'https://app.example.com:99999/cb'];
      for (const [type, extra] of [['public', {}], ['confidential', {}]]) {
        for (const uri of bad) {
          for (const i of [0, 2]) {
            const uris = [good, 'http://127.0.0.1:8080/cb', 'com.example.app:/cb'];
            uris.splice(i, 0, uri);
            const at = uris.indexOf(uri);
            const r = await s.api('POST', '/admin/v1/clients', { service_id: svc.id, name: 'r', type, redirect_uris: uris, ...extra });
            problem(r, 400, `redirect_uris[${at}]`);
          }
        }
      }
      problem(await s.api('PATCH', `/admin/v1/clients/${pub.client_id}`, { redirect_uris: [good, 'https://x.example.com/#a'] }), 400, 'redirect_uris[1]');
      problem(await s.api('PATCH', `/admin/v1/clients/${pub.client_id}`, { redirect_uris: ['http://app.example.com/cb'] }), 400, 'redirect_uris[0]');
      problem(await s.api('POST', '/admin/v1/clients', { service_id: svc.id, name: 'r', type: 'public', redirect_uris: [good], post_logout_redirect_uris: ['http://evil.example.com/'] }), 400, 'post_logout_redirect_uris[0]');
      problem(await s.api('POST', '/admin/v1/clients', { service_id: svc.id, name: 'r', type: 'public', redirect_uris: [good, good] }), 400, 'redirect_uris[1]');
      problem(await s.api('POST', '/admin/v1/clients', { service_id: svc.id, name: 'r', type: 'public', redirect_uris: [good, 42] }), 400, 'redirect_uris[1]');
      // 51 redirect URIs
      const many = Array.from({ length: 51 }, (_, i) => `https://app.example.com/cb/${i}`);
      problem(await s.api('POST', '/admin/v1/clients', { service_id: svc.id, name: 'r', type: 'public', redirect_uris: many }), 400, 'redirect_uris');
      problem(await s.api('PATCH', `/admin/v1/clients/${c.client_id}`, { audience: Array.from({ length: 11 }, (_, i) => `https://api${i}.example.com`) }), 400, 'audience');
    });
    // the limits themselves are allowed
    const fifty = Array.from({ length: 50 }, (_, i) => `https://app.example.com/cb/${i}`);
    const ok = await s.api('POST', '/admin/v1/clients', { service_id: svc.id, name: 'fifty', type: 'public', redirect_uris: [...fifty.slice(0, 47), 'http://127.0.0.1:8080/cb', 'http://[::1]/cb', 'com.example.app:/cb'] });
    assert.equal(ok.status, 201, ok.text);
    assert.equal(ok.body.redirect_uris.length, 50);
  });

  test('field limits: name 201 chars, access_token_lifetime 59, and friends → 400 naming the field', async () => {
    await unchanged(async () => {
      const base = { service_id: svc.id, type: 'm2m' };
      problem(await s.api('POST', '/admin/v1/clients', { ...base, name: 'n'.repeat(201) }), 400, 'name');
      problem(await s.api('POST', '/admin/v1/clients', { ...base, name: 'é'.repeat(201) }), 400, 'name');
      problem(await s.api('POST', '/admin/v1/clients', { ...base, name: '' }), 400, 'name');
      problem(await s.api('POST', '/admin/v1/clients', { ...base, name: 'a\u0007b' }), 400, 'name');
      problem(await s.api('POST', '/admin/v1/clients', { ...base, name: 'ok', description: 'd'.repeat(2001) }), 400, 'description');
      for (const v of [59, 3601, 0, -1, '60', 60.5, true]) {
        problem(await s.api('POST', '/admin/v1/clients', { ...base, name: 'ok', access_token_lifetime: v }), 400, 'access_token_lifetime');
      }
      problem(await s.api('PATCH', `/admin/v1/clients/${c.client_id}`, { access_token_lifetime: 59 }), 400, 'access_token_lifetime');
      problem(await s.api('PATCH', `/admin/v1/clients/${c.client_id}`, { name: 'n'.repeat(201) }), 400, 'name');
      problem(await s.api('POST', '/admin/v1/clients', { ...base, name: 'ok', scopes: Array.from({ length: 101 }, (_, i) => `s${i}`) }), 400, 'scopes');
      problem(await s.api('POST', '/admin/v1/clients', { ...base, name: 'ok', scopes: ['read', 's'.repeat(129)] }), 400, 'scopes[1]');
      problem(await s.api('POST', '/admin/v1/clients', { ...base, name: 'ok', scopes: ['has space'] }), 400, 'scopes[0]');
      problem(await s.api('POST', '/admin/v1/clients', { ...base, name: 'ok', roles: Array.from({ length: 51 }, (_, i) => `r${i}`) }), 400, 'roles');
      problem(await s.api('POST', '/admin/v1/clients', { ...base, name: 'ok', client_uri: `https://e.example.com/${'p'.repeat(2000)}` }), 400, 'client_uri');
      problem(await s.api('POST', '/admin/v1/clients', { ...base, name: 'ok', access_token_signing_alg: 'none' }), 400, 'access_token_signing_alg');
      problem(await s.api('POST', '/admin/v1/clients', { ...base, name: 'ok', access_token_signing_alg: 'HS256' }), 400, 'access_token_signing_alg');
      problem(await s.api('POST', '/admin/v1/clients', { ...base, name: 'ok', token_endpoint_auth_method: 'none' }), 400, 'token_endpoint_auth_method');
      problem(await s.api('POST', '/admin/v1/services', { name: 's'.repeat(201) }), 400, 'name');
    });
    // the limits themselves are allowed: 200 characters (not bytes), 60 s
    const r = await s.api('POST', '/admin/v1/clients', { service_id: svc.id, type: 'm2m', name: 'é'.repeat(200), access_token_lifetime: 60 });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.body.name, 'é'.repeat(200));
    assert.equal(r.body.access_token_lifetime, 60);
  });

  test('limit=0, limit=101 and bad cursors → 400', async () => {
    await unchanged(async () => {
      for (const list of ['/admin/v1/clients', '/admin/v1/services', '/admin/v1/audit', '/admin/v1/users', '/admin/v1/tenants']) {
        for (const l of ['0', '101', '-1', 'abc', '1.5', '', '99999999999999999999']) {
          problem(await s.api('GET', `${list}?limit=${l}`), 400, 'limit');
        }
        assert.equal((await s.api('GET', `${list}?limit=1`)).status, 200);
        assert.equal((await s.api('GET', `${list}?limit=100`)).status, 200);
        for (const cur of ['zzz', '!!!', Buffer.from('abc').toString('base64url'), Buffer.from(':x').toString('base64url'),
          Buffer.from('-5:x').toString('base64url'), Buffer.from(`1:${'x'.repeat(500)}`).toString('base64url'), 'A'.repeat(5000)]) {
          problem(await s.api('GET', `${list}?cursor=${encodeURIComponent(cur)}`), 400, 'cursor');
        }
      }
      problem(await s.api('GET', '/admin/v1/clients?status=ACTIVE'), 400, 'status');
      problem(await s.api('GET', '/admin/v1/clients?type=M2M'), 400, 'type');
    });
  });

  test('invalid UTF-8 in the query string of any endpoint → 400 (docs/DESIGN.md R13)', async () => {
      const tokenReq = (q) => request(`${s.url}/token${q}`, { method: 'POST', headers: { ...form, Authorization: basicAuth(c.client_id, c.client_secret) }, body: 'grant_type=client_credentials' });
      await everyCase([
        ['GET /admin/v1/clients/{id}?x=%C3%28', async () => problem(await s.api('GET', `/admin/v1/clients/${c.client_id}?x=%C3%28`), 400)],
        ['GET /admin/v1/services/{id}?x=%FF', async () => problem(await s.api('GET', `/admin/v1/services/${svc.id}?x=%FF`), 400)],
        ['POST /token?x=%C3%28', async () => oauthError(await tokenReq('?x=%C3%28'), 400, 'invalid_request')],
        ['GET /healthz?x=%C3%28', async () => { const r = await request(`${s.url}/healthz?x=%C3%28`); assert.equal(r.status, 400, `got ${r.status}`); }],
        ['GET /jwks?%FF', async () => { const r = await request(`${s.url}/jwks?%FF`); assert.equal(r.status, 400, `got ${r.status}`); }],
      ]);
    });

  test('invalid UTF-8 in the path → 400 with a problem document', async () => {
      await everyCase([['GET', '/admin/v1/clients/%C3%28'], ['GET', '/admin/v1/services/%FF'], ['GET', '/admin/v1/users/%ED%A0%80'],
        ['GET', '/admin/v1/tenants/%C0%AF'], ['DELETE', `/admin/v1/clients/${c.client_id}/secrets/%C3%28`]].map(([m, p]) => [`${m} ${p}`, async () => {
        const r = await s.api(m, p);
        assert.ok(r.text.length > 0, `the ${r.status} answer has a body`);
        problem(r, 400);
      }]));
    });

  test('a valid multi-byte character at the error message\'s truncation point still gets a proper 4xx', async () => {
      const mb = (n) => `${'a'.repeat(n)}é`; // é straddles byte n+1
      const tokenForm = (body) => request(`${s.url}/token`, { method: 'POST', headers: { ...form, Authorization: basicAuth(c.client_id, c.client_secret) }, body });
      await everyCase([
        ['GET /admin/v1/clients/{63 bytes + é}', async () => problem(await s.api('GET', `/admin/v1/clients/${encodeURIComponent(mb(63))}`), 404)],
        ['GET /admin/v1/users/{63 bytes + é}', async () => problem(await s.api('GET', `/admin/v1/users/${encodeURIComponent(mb(63))}`), 404)],
        ['GET /admin/v1/services/{63 bytes + é}', async () => problem(await s.api('GET', `/admin/v1/services/${encodeURIComponent(mb(63))}`), 404)],
        ['GET /admin/v1/tenants/{63 bytes + é}', async () => problem(await s.api('GET', `/admin/v1/tenants/${encodeURIComponent(mb(63))}`), 404)],
        ['POST /admin/v1/clients service_id {63 bytes + é}', async () => {
          problem(await s.api('POST', '/admin/v1/clients', { service_id: mb(63), type: 'm2m', name: 'x' }), 404, 'service_id');
        }],
        ['POST /admin/v1/services unknown key {59 bytes + é}', async () => problem(await s.api('POST', '/admin/v1/services', { name: 'x', [mb(59)]: 1 }), 400)],
        ['POST /admin/v1/clients unknown key é×100', async () => {
          const key = 'é'.repeat(100);
          const p = problem(await s.api('POST', '/admin/v1/clients', { service_id: svc.id, type: 'm2m', name: 'x', [key]: 1 }), 400);
          assert.ok(Array.isArray(p.errors) && p.errors[0].field.length > 0 && key.startsWith(p.errors[0].field),
            `errors[0] names the unknown field: ${JSON.stringify(p)}`);
        }],
        ['POST /token grant_type {63 bytes + é}', async () => oauthError(await tokenForm(`grant_type=${encodeURIComponent(mb(63))}`), 400, 'unsupported_grant_type')],
        ['POST /token scope {127 bytes + é}', async () => oauthError(await tokenForm(`grant_type=client_credentials&scope=${encodeURIComponent(mb(127))}`), 400, 'invalid_scope')],
        ['POST /token repeated parameter {a + é×30}', async () => {
          const rep = encodeURIComponent(`a${'é'.repeat(30)}`);
          oauthError(await tokenForm(`grant_type=client_credentials&${rep}=1&${rep}=2`), 400, 'invalid_request');
        }],
      ]);
    });

  test('after all of it the server is healthy and still serves tokens and the admin API', async () => {
    const h = await request(`${s.url}/healthz`);
    assert.equal(h.status, 200);
    const ready = await request(`${s.url}/readyz`);
    assert.equal(ready.status, 200);
    const t = await s.token(c.client_id, c.client_secret);
    assert.equal(t.status, 200);
    assert.equal((await s.introspect(t.body.access_token)).body.active, true);
    const g = await s.api('GET', `/admin/v1/clients/${c.client_id}`);
    assert.equal(g.status, 200);
    assert.equal(g.body.version, 1, 'the target client was never changed');
    assert.equal(s.exited, null, 'the server is still running');
  });

  test('the server shuts down cleanly (exit 0, no sanitizer report)', () => assertCleanShutdown(s));
});
