// Logs (docs/OPERATIONS.md "Logs"): with --log-format json and --log-requests, every line
// is one JSON object; a request's line carries its request id (taken from a valid
// X-Request-Id, else made, and returned in X-Request-Id on every answer), method, path
// without the query, status, duration, client_id and failure cause; lifecycle events are
// lines too. And no line holds a secret: the test makes client secrets, access, refresh and
// ID tokens, codes, a user's password, registration and initial access tokens — sends some
// in query strings too — then looks for each in every line. --log-format text writes
// "TIME LEVEL MSG key=value" lines.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as client from 'openid-client';
import { Browser, parseForm } from './browser.mjs';
import { assertCleanShutdown, protocolPost, request, start, stopUnstopped } from './harness.mjs';

const CB = 'http://127.0.0.1:9/cb';
const PASSWORD = 'log-test-password-Zq7';

describe('logs', () => {
  let s;
  let text;
  const secrets = new Map(); // what → value, none of which may appear in a log line

  before(async () => {
    s = await start({ args: ['--log-format', 'json', '--log-requests'] });
    text = await start({ args: ['--log-format', 'text'], env: { CLAVIS_LOG_REQUESTS: '1' } });
  });
  after(() => stopUnstopped(s, text));

  test('secrets, tokens, codes and passwords of every kind go through the server', async () => {
    secrets.set('init client secret', s.init.client_secret);
    secrets.set('init admin password', s.init.admin_password);
    secrets.set('admin access token', await s.adminToken());
    const svc = await s.createService('logs');
    const m2m = await s.createClient({ service_id: svc.id });
    secrets.set('m2m secret', m2m.client_secret);
    const extra = await s.api('POST', `/admin/v1/clients/${m2m.client_id}/secrets`, {});
    assert.equal(extra.status, 201, extra.text);
    secrets.set('added secret', extra.body.secret ?? extra.body.client_secret);
    const tok = await s.token(m2m.client_id, m2m.client_secret);
    assert.equal(tok.status, 200);
    secrets.set('m2m access token', tok.body.access_token);
    // a wrong secret: its value is not logged either
    secrets.set('wrong secret', 'clv_thisIsAWrongSecretValue123456789');
    assert.equal((await s.token(m2m.client_id, secrets.get('wrong secret'))).status, 401);

    // a user and the code flow with openid-client: code, access, refresh and ID tokens
    const u = await s.api('POST', '/admin/v1/users', { username: 'logan', password: PASSWORD });
    assert.equal(u.status, 201, u.text);
    secrets.set('user password', PASSWORD);
    const conf = await s.createClient({
      service_id: svc.id, type: 'confidential', name: 'Web', redirect_uris: [CB],
      scopes: ['openid', 'profile'], allow_refresh_token: true,
    });
    secrets.set('web secret', conf.client_secret);
    const cfg = await client.discovery(new URL(s.url), conf.client_id, conf.client_secret, undefined,
      { execute: [client.allowInsecureRequests] });
    const b = new Browser();
    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const url = client.buildAuthorizationUrl(cfg, {
      redirect_uri: CB, scope: 'openid profile', state,
      code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
    });
    let r = await b.get(url);
    const form = parseForm(r.text);
    r = await b.post(form.action, { ...form.fields, username: 'logan', password: PASSWORD });
    assert.equal(r.status, 302, r.text.slice(0, 300));
    const code = new URL(r.location).searchParams.get('code');
    secrets.set('authorization code', code);
    const tokens = await client.authorizationCodeGrant(cfg, new URL(r.location),
      { pkceCodeVerifier: verifier, expectedState: state });
    secrets.set('user access token', tokens.access_token);
    secrets.set('refresh token', tokens.refresh_token);
    secrets.set('id token', tokens.id_token);
    for (const [k, v] of b.cookies) secrets.set(`cookie ${k}`, v);
    const refreshed = await client.refreshTokenGrant(cfg, tokens.refresh_token);
    secrets.set('rotated refresh token', refreshed.refresh_token);
    secrets.set('refreshed access token', refreshed.access_token);

    // registration: an initial access token, then a registration access token
    const iat = await s.api('POST', '/admin/v1/initial-access-tokens', { service_id: svc.id });
    assert.equal(iat.status, 201, iat.text);
    secrets.set('initial access token', iat.body.token);
    const reg = await request(`${s.url}/register`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${iat.body.token}` },
      body: JSON.stringify({ client_name: 'reg', redirect_uris: [CB] }),
    });
    assert.equal(reg.status, 201, reg.text);
    secrets.set('registered client secret', reg.body.client_secret);
    secrets.set('registration access token', reg.body.registration_access_token);
    assert.equal((await request(`${s.url}/register/${reg.body.client_id}`, {
      headers: { Authorization: `Bearer ${reg.body.registration_access_token}` },
    })).status, 200);

    // the same values in query strings, where a careless client might put them
    const q = new URLSearchParams({
      client_secret: m2m.client_secret, access_token: tokens.access_token,
      refresh_token: refreshed.refresh_token, code, password: PASSWORD,
      token: reg.body.registration_access_token,
    });
    await request(`${s.url}/token?${q}`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'grant_type=client_credentials' });
    await request(`${s.url}/userinfo?${q}`);
    await request(`${s.url}/no/such/path?${q}`);
    await request(`${s.url}/admin/v1/clients?${q}`, { headers: { Authorization: `Bearer ${tokens.access_token}` } });
    await protocolPost(s.url, `/introspect?${q}`, {
      clientId: m2m.client_id, clientSecret: m2m.client_secret, params: { token: tokens.access_token },
    });
    for (const [what, v] of secrets) assert.ok(typeof v === 'string' && v.length >= 8, `${what}: ${v}`);
  });

  test('the request id: a valid X-Request-Id is kept, else one is made; always answered', async () => {
    let r = await request(`${s.url}/healthz`, { headers: { 'X-Request-Id': 'e2e-req-42.a:b' } });
    assert.equal(r.headers.get('x-request-id'), 'e2e-req-42.a:b');
    for (const bad of ['has space', 'x'.repeat(129), 'quote"', 'new\\nline', '']) {
      r = await request(`${s.url}/healthz`, { headers: { 'X-Request-Id': bad } });
      assert.match(r.headers.get('x-request-id'), /^[0-9a-f]{24}$/, bad);
    }
    const ids = new Set();
    for (const path of ['/jwks', '/token', '/admin/v1/clients', '/nope']) {
      r = await request(s.url + path);
      const id = r.headers.get('x-request-id');
      assert.match(id, /^[0-9a-f]{24}$/, path);
      ids.add(id);
    }
    assert.equal(ids.size, 4, 'a new id for every request');
  });

  test('after stopping: every line is JSON, none holds a secret, requests are lines', async () => {
    await s.stop();
    const lines = s.stderr.split('\n').filter((l) => l !== '');
    assert.ok(lines.length > 40, `${lines.length} lines`);
    const objs = lines.map((l) => {
      try {
        return JSON.parse(l);
      } catch {
        assert.fail(`not a JSON line: ${l}`);
      }
    });
    for (const [what, value] of secrets) {
      for (const v of new Set([value, encodeURIComponent(value)])) {
        const hit = lines.find((l) => l.includes(v));
        assert.equal(hit, undefined, `${what} appears in a log line: ${hit}`);
      }
    }
    for (const o of objs) {
      assert.equal(typeof o.at, 'string');
      assert.ok(['info', 'warn', 'error'].includes(o.level), JSON.stringify(o));
      assert.equal(typeof o.msg, 'string');
    }
    const reqs = objs.filter((o) => o.msg === 'request');
    assert.ok(reqs.length > 20);
    for (const o of reqs) {
      assert.match(o.request_id, /\S/);
      assert.ok(!o.path.includes('?'), o.path);
      assert.equal(typeof o.status, 'number');
      assert.equal(typeof o.us, 'number');
    }
    // the request id round-trips into the log
    const mine = reqs.find((o) => o.request_id === 'e2e-req-42.a:b');
    assert.ok(mine && mine.path === '/healthz' && mine.status === 200, JSON.stringify(mine));
    // a failed authentication: its request line names the client and the cause, and the
    // warn line carries the same request id
    const failed = reqs.find((o) => o.status === 401 && o.cause === 'wrong_secret');
    assert.ok(failed?.client_id, JSON.stringify(failed));
    assert.ok(objs.some((o) => o.level === 'warn' && o.request_id === failed.request_id));
    // a successful token request names its client
    assert.ok(reqs.some((o) => o.path === '/token' && o.status === 200 && o.client_id));
    // lifecycle events: the audit actions, without their changes
    const audit = objs.filter((o) => o.msg === 'audit');
    for (const action of ['service.create', 'client.create', 'secret.add', 'user.create',
      'initial_access_token.create']) {
      assert.ok(audit.some((o) => o.action === action), `${action}: ${audit.map((o) => o.action)}`);
    }
    assert.ok(audit.every((o) => o.changes === undefined && o.target_id && o.actor_type));
  });

  test('--log-format text: one "TIME LEVEL MSG key=value" line each', async () => {
    await request(`${text.url}/healthz?secret=abc`, { headers: { 'X-Request-Id': 'text-1' } });
    await text.token(text.init.client_id, 'clv_wrong-value-for-text-format');
    await text.stop();
    const lines = text.stderr.split('\n').filter((l) => l !== '');
    for (const l of lines) assert.match(l, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ (info|warn|error) \S/, l);
    assert.ok(lines.some((l) => / info request request_id=text-1 method=GET path=\/healthz status=200 us=\d+/.test(l)),
      lines.join('\n'));
    assert.ok(lines.some((l) => / warn client authentication failed .*cause=wrong_secret/.test(l)));
    assert.ok(!lines.some((l) => l.includes('clv_wrong-value-for-text-format') || l.includes('secret=abc')));
  });

  test('the servers shut down cleanly', async () => {
    await assertCleanShutdown(s, text);
  });
});
