// Guessing is throttled (docs/DESIGN.md R27, docs/SECURITY.md "Guessing"): failed client
// authentication at /token, /introspect and /revoke, and failed sign-ins at POST
// /authorize, are counted per (client or user, source address) and per address; after a
// burst the caller gets 429 with Retry-After and an exponential back-off, while the same
// credential from another address keeps working. Every failure is one log line without
// the secret. The server listens on 127.0.0.1; requests come from other loopback
// addresses (127.0.0.2, …) through node's localAddress.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import http from 'node:http';
import { parseForm } from './browser.mjs';
import { assertCleanShutdown, basicAuth, sleep, start, stopUnstopped } from './harness.mjs';

const BURST = 10; // failures of one (client, address) pair that pass without a wait
const ADDR_BURST = 30; // failures of one address, whatever the client
const CB = 'http://127.0.0.1:9/cb';
const PASSWORD = 'dave-password-1';

/** An HTTP request from localAddress; resolves {status, headers, text, body, cookies}. */
function send(url, { method = 'GET', headers = {}, body, localAddress = '127.0.0.1' } = {}) {
  return new Promise((resolve, reject) => {
    const h = { ...headers };
    if (body !== undefined) h['Content-Length'] = Buffer.byteLength(body);
    const req = http.request(url, { method, headers: h, localAddress, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => { text += d; });
      res.on('end', () => {
        let json = null;
        try { json = text ? JSON.parse(text) : null; } catch { json = null; }
        resolve({ status: res.statusCode, headers: res.headers, text, body: json,
          cookies: res.headers['set-cookie'] ?? [] });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

const FORM = { 'Content-Type': 'application/x-www-form-urlencoded' };

/** The log lines of a server (JSON objects) with msg. */
const logLines = (s, msg) => s.stderr.split('\n').filter((l) => l.startsWith('{'))
  .map((l) => JSON.parse(l)).filter((l) => l.msg === msg);

function assertThrottled(r) {
  assert.equal(r.status, 429, r.text);
  const after = Number(r.headers['retry-after']);
  assert.ok(Number.isInteger(after) && after >= 1, `Retry-After: ${r.headers['retry-after']}`);
  return after;
}

describe('throttling of guesses', () => {
  let s;
  let proxied; // a server behind a trusted proxy (CLAVIS_TRUSTED_PROXIES=127.0.0.1)
  let svc;

  const token = (from, id, secret, path = '/token', extra = {}) => send(`${s.url}${path}`, {
    method: 'POST', localAddress: from, headers: { ...FORM, Authorization: basicAuth(id, secret), ...extra },
    body: new URLSearchParams(path === '/token' ? { grant_type: 'client_credentials' } : { token: 'x' }).toString(),
  });
  const m2m = async () => s.createClient({ service_id: svc.id });

  before(async () => {
    s = await start();
    proxied = await start({ env: { CLAVIS_TRUSTED_PROXIES: '127.0.0.1' } });
    svc = await s.createService('throttle');
  });
  after(() => stopUnstopped(s, proxied));

  test('a burst of wrong secrets gets 429 + Retry-After; the right secret from another address still gets a token', async () => {
    const c = await m2m();
    const wrong = [];
    for (let i = 0; i < BURST; i++) {
      wrong.push(`clv_wrong_${crypto.randomBytes(8).toString('hex')}`);
      const r = await token('127.0.0.1', c.client_id, wrong[i]);
      assert.equal(r.status, 401, `failure ${i + 1}: ${r.text}`);
      assert.equal(r.body.error, 'invalid_client');
    }
    const blocked = await token('127.0.0.1', c.client_id, 'clv_wrong_once_more');
    assertThrottled(blocked);
    assert.equal(blocked.body.error, 'temporarily_unavailable');
    assert.match(blocked.body.error_description, /retry after \d+ s/);
    assert.equal(blocked.headers['cache-control'], 'no-store');
    // even the right secret waits from that address: a 429 must not tell a right guess apart
    assertThrottled(await token('127.0.0.1', c.client_id, c.client_secret));
    // ... but not from another address: someone else's failures never lock a client out
    const ok = await token('127.0.0.2', c.client_id, c.client_secret);
    assert.equal(ok.status, 200, ok.text);
    assert.ok(ok.body.access_token);

    const lines = logLines(s, 'client authentication failed').filter((l) => l.client_id === c.client_id);
    const causes = lines.map((l) => l.cause);
    assert.equal(causes.filter((x) => x === 'wrong_secret').length, BURST, JSON.stringify(lines));
    assert.equal(causes.filter((x) => x === 'throttled').length, 2);
    assert.ok(lines.every((l) => l.addr === '127.0.0.1' && l.level === 'warn'));
    assert.deepEqual(lines.filter((l) => l.failures).map((l) => Number(l.failures)),
      Array.from({ length: BURST }, (_, i) => i + 1));
    for (const secret of [...wrong, c.client_secret, 'clv_wrong_once_more']) {
      assert.ok(!s.stderr.includes(secret), 'no secret in the log');
    }
  });

  test('the back-off doubles with each failure past the burst', async () => {
    const c = await m2m();
    for (let i = 0; i < BURST; i++) assert.equal((await token('127.0.0.3', c.client_id, 'clv_nope')).status, 401);
    assert.equal(assertThrottled(await token('127.0.0.3', c.client_id, 'clv_nope')), 1);
    await sleep(1100);
    assert.equal((await token('127.0.0.3', c.client_id, 'clv_nope')).status, 401, 'one more try after the wait');
    assert.equal(assertThrottled(await token('127.0.0.3', c.client_id, 'clv_nope')), 2, 'then twice as long');
    assert.equal((await token('127.0.0.4', c.client_id, c.client_secret)).status, 200);
  });

  test('/token, /introspect and /revoke share one count; a success starts the pair afresh', async () => {
    const c = await m2m();
    const half = BURST / 2;
    for (let i = 0; i < half; i++) assert.equal((await token('127.0.0.5', c.client_id, 'clv_x', '/introspect')).status, 401);
    for (let i = 0; i < half - 1; i++) assert.equal((await token('127.0.0.5', c.client_id, 'clv_x', '/revoke')).status, 401);
    assert.equal((await token('127.0.0.5', c.client_id, c.client_secret)).status, 200, 'a success forgets the pair');
    for (let i = 0; i < BURST; i++) assert.equal((await token('127.0.0.5', c.client_id, 'clv_x', '/revoke')).status, 401);
    assertThrottled(await token('127.0.0.5', c.client_id, 'clv_x', '/introspect'));
    assertThrottled(await token('127.0.0.5', c.client_id, c.client_secret, '/revoke'));
    assertThrottled(await token('127.0.0.5', c.client_id, c.client_secret));
  });

  test('an address that sprays many client_ids is throttled for every client, other addresses are not', async () => {
    const c = await m2m();
    for (let i = 0; i < ADDR_BURST; i++) {
      const r = await token('127.0.0.6', `no-such-client-${i}`, 'clv_guess');
      assert.equal(r.status, 401, `failure ${i + 1}: ${r.text}`);
    }
    assertThrottled(await token('127.0.0.6', c.client_id, c.client_secret));
    assert.equal((await token('127.0.0.7', c.client_id, c.client_secret)).status, 200);
    const unknown = logLines(s, 'client authentication failed').filter((l) => l.client_id === 'no-such-client-0');
    assert.equal(unknown[0].cause, 'unknown_client');
  });

  test('X-Forwarded-For counts only from a trusted proxy', async () => {
    // not trusted: the header changes nothing, so a blocked caller cannot escape with it
    const c = await m2m();
    for (let i = 0; i < BURST; i++) await token('127.0.0.8', c.client_id, 'clv_x');
    assertThrottled(await token('127.0.0.8', c.client_id, c.client_secret, '/token',
      { 'X-Forwarded-For': '203.0.113.9' }));
    // behind a trusted proxy: the address the proxy appended is the caller's
    const p = await proxied.createClient({ service_id: (await proxied.createService('p')).id });
    const via = (xff, secret) => send(`${proxied.url}/token`, {
      method: 'POST', headers: { ...FORM, Authorization: basicAuth(p.client_id, secret), 'X-Forwarded-For': xff },
      body: 'grant_type=client_credentials',
    });
    for (let i = 0; i < BURST; i++) assert.equal((await via('10.9.9.9, 198.51.100.7', 'clv_x')).status, 401);
    assertThrottled(await via('198.51.100.7', p.client_secret));
    assert.equal((await via('198.51.100.7, 198.51.100.8', p.client_secret)).status, 200, 'another caller');
    const line = logLines(proxied, 'client authentication failed').find((l) => l.client_id === p.client_id);
    assert.equal(line.addr, '198.51.100.7');
  });

  test('a burst of wrong passwords at the sign-in form gets a 429 page; the user still signs in from another address', async () => {
    const u = await s.api('POST', '/admin/v1/users', { username: 'dave', password: PASSWORD });
    assert.equal(u.status, 201, u.text);
    const pub = await s.createClient({ service_id: svc.id, type: 'public', redirect_uris: [CB], scopes: ['openid'] });
    const verifier = crypto.randomBytes(32).toString('base64url');
    const challenge = crypto.createHash('sha256').update(verifier).digest('base64url');
    const authz = `${s.url}/authorize?${new URLSearchParams({ response_type: 'code', client_id: pub.client_id,
      redirect_uri: CB, scope: 'openid', state: 'st', code_challenge: challenge, code_challenge_method: 'S256' })}`;
    /** Shows the form from addr, then posts it with password; resolves the answer. */
    const signIn = async (from, password) => {
      const page = await send(authz, { localAddress: from });
      assert.equal(page.status, 200, page.text.slice(0, 300));
      const form = parseForm(page.text);
      const cookie = page.cookies.map((c) => c.split(';')[0]).join('; ');
      return send(form.action, { method: 'POST', localAddress: from, headers: { ...FORM, Cookie: cookie },
        body: new URLSearchParams({ ...form.fields, username: 'dave', password }).toString() });
    };
    for (let i = 0; i < BURST; i++) {
      const r = await signIn('127.0.0.1', `wrong-password-${i}`);
      assert.equal(r.status, 200, `failure ${i + 1}`);
      assert.match(r.text, /Wrong username or password/);
    }
    for (const pw of ['wrong-again', PASSWORD]) {
      const r = await signIn('127.0.0.1', pw);
      assertThrottled(r);
      assert.match(r.headers['content-type'], /^text\/html/);
      assert.match(r.text, /Too many attempts/);
      assert.equal(r.headers.location, undefined, 'a page, never a redirect');
      assert.match(r.headers['content-security-policy'], /frame-ancestors 'none'/);
    }
    const ok = await signIn('127.0.0.2', PASSWORD);
    assert.equal(ok.status, 302, ok.text.slice(0, 300));
    assert.match(ok.headers.location, /^http:\/\/127\.0\.0\.1:9\/cb\?code=/);

    const lines = logLines(s, 'sign-in failed').filter((l) => l.username === 'dave');
    assert.equal(lines.filter((l) => l.cause === 'wrong_password').length, BURST);
    assert.equal(lines.filter((l) => l.cause === 'throttled').length, 2);
    assert.ok(lines.every((l) => l.addr === '127.0.0.1' && l.tenant_id === s.init.tenant_id));
    for (const pw of [PASSWORD, 'wrong-password-0', 'wrong-again']) assert.ok(!s.stderr.includes(pw), 'no password in the log');
  });

  test('the servers shut down cleanly', async () => {
    await assertCleanShutdown(s, proxied);
  });
});
