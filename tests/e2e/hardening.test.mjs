// Browser hardening (docs/SECURITY.md "Browser pages"): under an https issuer every
// answer carries Strict-Transport-Security and the cookies are __Host- cookies (Secure,
// Path=/); under an http loopback issuer the names stay bare and there is no HSTS. Every
// HTML answer — sign-in form, error pages, logout confirmation, signed-out page — carries
// the same CSP, framing, nosniff, referrer and caching headers. The https server still
// listens on plain http: the issuer is what the browser is told.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { Browser, parseForm } from './browser.mjs';
import { assertCleanShutdown, request, start, stopUnstopped } from './harness.mjs';

const CB = 'http://127.0.0.1:9/cb';
const PASSWORD = 'erin-password-1';
const HSTS = 'max-age=31536000';

/** The headers every HTML answer has. */
function assertHtmlHeaders(r, what) {
  const h = r.headers;
  assert.match(h.get('content-type'), /^text\/html/, what);
  const csp = h.get('content-security-policy') ?? '';
  assert.match(csp, /default-src 'none'/, `${what}: ${csp}`);
  assert.match(csp, /frame-ancestors 'none'/, what);
  assert.doesNotMatch(csp, /unsafe-inline|script-src/, `${what}: no inline style or script is admitted`);
  // the one style element the page has is admitted by its hash, and nothing else is
  const styles = [...(r.text ?? '').matchAll(/<style>([^<]*)<\/style>/g)].map((m) => m[1]);
  assert.equal(styles.length, 1, `${what}: one style element`);
  const hashes = [...csp.matchAll(/'sha256-([A-Za-z0-9+/=]+)'/g)].map((m) => m[1]);
  for (const css of styles) {
    assert.ok(hashes.includes(crypto.createHash('sha256').update(css).digest('base64')), `${what}: ${csp}`);
  }
  assert.doesNotMatch(r.text ?? '', /\sstyle=/, `${what}: no style attribute`);
  assert.equal(h.get('x-frame-options'), 'DENY', what);
  assert.equal(h.get('x-content-type-options'), 'nosniff', what);
  assert.equal(h.get('referrer-policy'), 'no-referrer', what);
  assert.equal(h.get('cache-control'), 'no-store', what);
}

/** A user, a public client and an authorization URL (PKCE S256) on server s. */
async function setUp(s) {
  const svc = await s.createService('hardening');
  const u = await s.api('POST', '/admin/v1/users', { username: 'erin', password: PASSWORD });
  assert.equal(u.status, 201, u.text);
  const pub = await s.createClient({ service_id: svc.id, type: 'public', redirect_uris: [CB], scopes: ['openid'] });
  const challenge = crypto.createHash('sha256').update(crypto.randomBytes(32).toString('base64url')).digest('base64url');
  const q = new URLSearchParams({ response_type: 'code', client_id: pub.client_id, redirect_uri: CB, scope: 'openid',
    state: 'st', code_challenge: challenge, code_challenge_method: 'S256' });
  return { pub, authz: `${s.url}/authorize?${q}` };
}

/** The Set-Cookie lines of an answer, by name. */
const setCookies = (r) => new Map(r.headers.getSetCookie().map((c) => [c.slice(0, c.indexOf('=')), c]));

/** The HTML answers of one sign-in and sign-out, through browser b; form actions are
 * posted to the server's own URL (the issuer may say https). */
async function htmlAnswers(s, b, authz) {
  const local = (u) => u.replace(/^https:/, 'http:');
  const out = {};
  out.form = await b.get(authz);
  const form = parseForm(out.form.text);
  out.wrong = await b.post(local(form.action), { ...form.fields, username: 'erin', password: 'nope' });
  const again = parseForm(out.wrong.text);
  out.signedIn = await b.post(local(again.action), { ...again.fields, username: 'erin', password: PASSWORD });
  out.errorPage = await b.get(`${s.url}/authorize?client_id=no-such-client&response_type=code`);
  out.badRequest = await b.get(`${s.url}/authorize?x=%ff`);
  out.logout = await b.get(`${s.url}/logout`);
  const lf = parseForm(out.logout.text);
  out.signedOut = await b.post(local(lf.action), lf.fields);
  out.csrfFailed = await b.post(`${s.url}/logout`, { csrf: 'forged' });
  return out;
}

function assertPages(out) {
  assert.equal(out.form.status, 200);
  assert.equal(out.wrong.status, 200);
  assert.match(out.wrong.text, /Wrong username or password/);
  assert.equal(out.signedIn.status, 302, out.signedIn.text);
  assert.equal(out.errorPage.status, 400);
  assert.equal(out.badRequest.status, 400);
  assert.equal(out.logout.status, 200);
  assert.equal(out.signedOut.status, 200);
  assert.match(out.signedOut.text, /signed out/);
  assert.equal(out.csrfFailed.status, 400);
  for (const k of ['form', 'wrong', 'errorPage', 'badRequest', 'logout', 'signedOut', 'csrfFailed']) {
    assertHtmlHeaders(out[k], k);
  }
}

describe('browser hardening under an https issuer', () => {
  let s;
  let authz;

  before(async () => {
    s = await start({ issuer: (port) => `https://127.0.0.1:${port}` });
    ({ authz } = await setUp(s));
  });
  after(() => stopUnstopped(s));

  test('every answer carries Strict-Transport-Security', async () => {
    const answers = [
      await request(`${s.url}/healthz`),
      await request(`${s.url}/.well-known/openid-configuration`),
      await request(`${s.url}/jwks`),
      await request(`${s.url}/token`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'grant_type=client_credentials' }),
      await request(`${s.url}/admin/v1/tenants`),
      await request(`${s.url}/no-such-path`),
      await request(authz),
    ];
    for (const r of answers) assert.equal(r.headers.get('strict-transport-security'), HSTS, `status ${r.status}: ${r.text.slice(0, 80)}`);
    assert.equal((await request(`${s.url}/.well-known/openid-configuration`)).body.issuer, s.url.replace('http:', 'https:'));
  });

  test('cookies are __Host- cookies (Secure, Path=/, no Domain); every HTML page has the headers', async () => {
    const b = new Browser();
    const out = await htmlAnswers(s, b, authz);
    assertPages(out);
    for (const k of Object.keys(out)) assert.equal(out[k].headers.get('strict-transport-security'), HSTS, k);

    const csrf = setCookies(out.form).get('__Host-clv_csrf');
    assert.ok(csrf, `the CSRF cookie: ${out.form.headers.getSetCookie()}`);
    const session = setCookies(out.signedIn).get('__Host-clv_session');
    assert.ok(session, `the session cookie: ${out.signedIn.headers.getSetCookie()}`);
    for (const c of [csrf, session]) {
      assert.match(c, /; Path=\/;/);
      assert.match(c, /; Secure/);
      assert.match(c, /; HttpOnly/);
      assert.doesNotMatch(c, /Domain=/i);
    }
    assert.match(setCookies(out.signedOut).get('__Host-clv_session'), /Max-Age=0/, 'signing out deletes the __Host- cookie');
    for (const r of Object.values(out)) {
      for (const c of r.headers.getSetCookie()) assert.match(c, /^__Host-/, c);
    }
  });

  test('the session is read under its __Host- name only', async () => {
    const b = new Browser();
    const page = await b.get(authz);
    const form = parseForm(page.text);
    const done = await b.post(form.action.replace(/^https:/, 'http:'), { ...form.fields, username: 'erin', password: PASSWORD });
    assert.equal(done.status, 302);
    assert.equal((await b.get(authz)).status, 302, 'signed in: straight back to the client');
    const value = b.cookies.get('__Host-clv_session');
    const bare = await request(authz, { headers: { Cookie: `clv_session=${value}` } });
    assert.equal(bare.status, 200, 'a cookie without the prefix is not the session');
    assert.match(bare.text, /<form/);
  });

  test('the server shuts down cleanly', async () => {
    await assertCleanShutdown(s);
  });
});

describe('browser hardening under an http loopback issuer', () => {
  let s;
  let authz;

  before(async () => {
    s = await start();
    ({ authz } = await setUp(s));
  });
  after(() => stopUnstopped(s));

  test('bare cookie names, no Secure, no HSTS; every HTML page has the headers', async () => {
    const b = new Browser();
    const out = await htmlAnswers(s, b, authz);
    assertPages(out);
    for (const k of Object.keys(out)) assert.equal(out[k].headers.get('strict-transport-security'), null, k);
    assert.equal((await request(`${s.url}/healthz`)).headers.get('strict-transport-security'), null);
    const csrf = setCookies(out.form).get('clv_csrf');
    const session = setCookies(out.signedIn).get('clv_session');
    assert.ok(csrf && session);
    for (const c of [csrf, session]) assert.doesNotMatch(c, /Secure/);
    assert.match(csrf, /; Path=\/authorize;/);
  });

  test('the server shuts down cleanly', async () => {
    await assertCleanShutdown(s);
  });
});
