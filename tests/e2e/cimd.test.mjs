// Client ID Metadata Documents (draft-ietf-oauth-client-id-metadata-document-03,
// docs/AGENTS.md): a client_id that is an https URL names the client's metadata, which
// Clavis fetches from a local HTTPS server (test CA: --fetch-ca-file; on loopback:
// --fetch-allow-loopback), checks and keeps as a client of --metadata-document-service.
// openid-client drives authorize (sign-in, the consent page with the URL's host) → code →
// token with auth none; jose signs private_key_jwt. Refused: a document on loopback
// without the flag, a mismatched client_id, a secret in the document, a host off the
// list, a deactivated client whatever its document says. Bounded: fetch slots per address, and
// what one address makes the server fetch and store by naming ever new documents.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import * as client from 'openid-client';
import * as jose from 'jose';
import { Browser, parseForm } from './browser.mjs';
import { startDocServer } from './docserver.mjs';
import { assertCleanShutdown, freePort, protocolPost, request, runCli, sleep, start, startSecondNode, stopUnstopped,
  waitFor } from './harness.mjs';

const PASSWORD = 'correct horse battery staple';
const CB = 'http://127.0.0.1:9/agent-cb';
const insecure = { execute: [client.allowInsecureRequests] };

let s; // the admin node: metadata documents off
let node; // --metadata-document-service: on
let docs;
let svc;

before(async () => {
  docs = await startDocServer();
  s = await start({ args: ['--fetch-allow-loopback', '--fetch-ca-file', docs.caFile] });
  svc = await s.createService('agents');
  const u = await s.api('POST', '/admin/v1/users', { username: 'alice', password: PASSWORD });
  assert.equal(u.status, 201, u.text);
  node = await startSecondNode(s.db, ['--metadata-document-service', svc.id, '--fetch-allow-loopback',
    '--fetch-ca-file', docs.caFile]);
});
after(async () => {
  await stopUnstopped(s);
  await node?.stop().catch(() => {});
  await docs?.close();
});

/** Serves a document at path whose client_id is its own URL; returns that URL. */
function publish(p, extra = {}, headers = {}) {
  const id = `${docs.url}${p}`;
  docs.set(p, { client_id: id, client_name: 'Helpful Agent', redirect_uris: [CB], token_endpoint_auth_method: 'none',
    grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'], scope: 'openid profile', ...extra },
  headers);
  return id;
}

async function authzUrl(cfg, extra = {}) {
  const verifier = client.randomPKCECodeVerifier();
  const url = client.buildAuthorizationUrl(cfg, { redirect_uri: CB, scope: 'openid', state: 'st',
    code_challenge_method: 'S256', code_challenge: await client.calculatePKCECodeChallenge(verifier), ...extra });
  return { url, verifier };
}

/** Signs alice in for url; resolves the answer after the sign-in form. */
async function signIn(b, url) {
  const page = await b.get(url);
  assert.equal(page.status, 200, `${page.location} ${page.text.slice(0, 300)}`);
  const form = parseForm(page.text);
  return b.post(form.action, { ...form.fields, username: 'alice', password: PASSWORD });
}

/** /authorize at base for client_id id, built by hand (no discovery needed to be refused). */
function rawAuthz(base, id) {
  const q = new URLSearchParams({ response_type: 'code', client_id: id, redirect_uri: CB, scope: 'openid', state: 'st',
    code_challenge_method: 'S256', code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM' });
  return `${base}/authorize?${q}`;
}

const clientJson = async (id) => s.api('GET', `/admin/v1/clients/${encodeURIComponent(id)}`);

describe('a public agent with a metadata document', () => {
  let id;
  let cfg;

  before(async () => {
    id = publish('/agent/client.json', {}, { 'Cache-Control': 'max-age=3600' });
    cfg = await client.discovery(new URL(node.url), id, undefined, client.None(), insecure);
  });

  test('discovery says so, only where it is on', async () => {
    assert.equal(cfg.serverMetadata().client_id_metadata_document_supported, true);
    const off = await (await fetch(`${s.url}/.well-known/oauth-authorization-server`)).json();
    assert.equal(off.client_id_metadata_document_supported, undefined);
  });

  test('authorize → sign-in → consent showing the host → code → token (auth none) → refresh', async () => {
    const b = new Browser();
    const { url, verifier } = await authzUrl(cfg);
    const consent = await signIn(b, url);
    assert.equal(consent.status, 200, consent.text.slice(0, 300));
    assert.match(consent.text, /Allow access\?/);
    assert.match(consent.text, /Helpful Agent/);
    assert.match(consent.text, /identified by <strong>127\.0\.0\.1<\/strong>/);
    const form = parseForm(consent.text);
    const back = await b.post(form.action, { ...form.fields, consent: 'allow' });
    assert.equal(back.status, 302, back.text.slice(0, 300));
    const tokens = await client.authorizationCodeGrant(cfg, new URL(back.location), { pkceCodeVerifier: verifier,
      expectedState: 'st' });
    assert.equal(tokens.claims().aud, id);
    assert.equal(jose.decodeJwt(tokens.access_token).client_id, id);
    const refreshed = await client.refreshTokenGrant(cfg, tokens.refresh_token);
    assert.ok(refreshed.access_token);
    // revocation knows it too (RFC 7009: a public client revokes its own tokens)
    await client.tokenRevocation(cfg, refreshed.refresh_token);
    await assert.rejects(client.refreshTokenGrant(cfg, refreshed.refresh_token), (e) => e.error === 'invalid_grant');
    // every authorization asks again: the document may have changed hands
    const again = await b.get((await authzUrl(cfg)).url);
    assert.equal(again.status, 200);
    assert.match(again.text, /Allow access\?/);
    assert.equal(docs.hits('/agent/client.json'), 1, 'the document came from the cache after the first fetch');
  });

  test('it is a stored client of the service: listed, audited, registration metadata_document', async () => {
    const c = await clientJson(id);
    assert.equal(c.status, 200, c.text);
    assert.equal(c.body.client_id, id);
    assert.equal(c.body.service_id, svc.id);
    assert.equal(c.body.type, 'public');
    assert.equal(c.body.registration, 'metadata_document');
    assert.equal(c.body.first_party, false);
    assert.deepEqual(c.body.redirect_uris, [CB]);
    const list = await s.api('GET', `/admin/v1/clients?service_id=${svc.id}`);
    assert.ok(list.body.items.some((x) => x.client_id === id), 'listed');
    const audit = await s.api('GET', `/admin/v1/audit?target=${encodeURIComponent(id)}`);
    const created = audit.body.items.find((e) => e.action === 'client.create');
    assert.deepEqual(created.actor, { type: 'registration', id: 'metadata_document' });
    // the command line takes the URL as the id (it percent-encodes it in the path)
    const shown = await runCli(['client', 'show', id, '--json', '--url', s.url, '--client-id', s.init.client_id,
      '--client-secret', s.init.client_secret]);
    assert.equal(shown.code, 0, shown.stderr);
    assert.equal(JSON.parse(shown.stdout).client_id, id);
    // clavis export leaves it out (its metadata is its document's), so apply never prunes it
    const exported = await runCli(['export', '--url', s.url, '--client-id', s.init.client_id,
      '--client-secret', s.init.client_secret]);
    assert.equal(exported.code, 0, exported.stderr);
    const agents = JSON.parse(exported.stdout).services.find((x) => x.name === 'agents');
    assert.ok(agents, exported.stdout.slice(0, 300));
    assert.ok(!agents.clients.some((x) => x.name === 'Helpful Agent'), 'not in the export');
    // the admin API cannot make it look administrator-made
    const p = await s.api('PATCH', `/admin/v1/clients/${encodeURIComponent(id)}`, { registration: 'admin' });
    assert.equal(p.status, 400);
  });

  test('deactivated through the admin API: refused whatever the document says; activated: back', async () => {
    const path = `/admin/v1/clients/${encodeURIComponent(id)}`;
    const d = await s.api('POST', `${path}/deactivate`);
    assert.equal(d.status, 200, d.text);
    const b = new Browser();
    const page = await b.get((await authzUrl(cfg)).url);
    assert.equal(page.status, 400);
    assert.match(page.text, /not active/);
    // the token endpoint's client cache sees a change of another node within a second
    await waitFor(async () => (await protocolPost(node.url, '/token', { params: { grant_type: 'authorization_code',
      code: 'x', redirect_uri: CB, client_id: id, code_verifier: 'y'.repeat(43) } })).body.error === 'invalid_client',
    { timeoutMs: 3000, what: 'invalid_client at /token' });
    assert.equal((await clientJson(id)).body.status, 'inactive', 'a fetch never reactivates it');
    assert.equal((await s.api('POST', `${path}/activate`)).status, 200);
    const ok = await b.get((await authzUrl(cfg)).url);
    assert.equal(ok.status, 200);
  });
});

describe('documents that are refused', () => {
  const refusedAt = async (id) => {
    const page = await new Browser().get(rawAuthz(node.url, id));
    assert.equal(page.status, 400, `${id}: ${page.status} ${page.text.slice(0, 200)}`);
    return page.text;
  };

  test('client_id that is not the URL, a secret, a shared-secret method, no redirect_uris', async () => {
    const jwk = { ...(await jose.exportJWK((await jose.generateKeyPair('ES256')).publicKey)), kid: 'k1' };
    const bad = [
      ['/bad/mismatch.json', { client_id: `${docs.url}/somewhere-else.json` }, /client_id/],
      ['/bad/secret.json', { client_secret: 's3cret' }, /secret/],
      ['/bad/method.json', { token_endpoint_auth_method: 'client_secret_basic' }, /token_endpoint_auth_method/],
      ['/bad/noredirect.json', { redirect_uris: undefined }, /redirect_uris/],
      ['/bad/m2m.json', { grant_types: ['client_credentials'], redirect_uris: [CB] }, /grant_types|machine/],
      // a confidential agent may not take client_credentials too: its tokens are users' (D16)
      ['/bad/cc.json', { token_endpoint_auth_method: 'private_key_jwt', jwks: { keys: [jwk] },
        grant_types: ['authorization_code', 'client_credentials'] }, /client_credentials/],
    ];
    for (const [p, extra, why] of bad) {
      const id = publish(p, extra);
      const text = await refusedAt(id);
      assert.match(text, why, p);
      assert.equal((await clientJson(id)).status, 404, `${p}: nothing stored`);
    }
    // a refused document is not fetched again on every request (10 s at least)
    for (let i = 0; i < 3; i++) await refusedAt(`${docs.url}/bad/secret.json`);
    assert.equal(docs.hits('/bad/secret.json'), 1);
  });

  test('URLs of the wrong shape are refused before any fetch', async () => {
    publish('/shape/ok.json');
    for (const u of [`${docs.url}/shape/ok.json?x=1`, `${docs.url}/shape/./ok.json`, `${docs.url}/shape/ok.json#f`,
      `https://user@127.0.0.1:${docs.port}/shape/ok.json`, `https://LOCALHOST:${docs.port}/shape/ok.json`,
      `https://127.0.0.1:${docs.port}/${'a'.repeat(300)}`]) {
      await refusedAt(u);
    }
    assert.equal(docs.hits('/shape/ok.json'), 0);
  });

  test('a document larger than 5 KiB, or an answer slower than 5 s', async () => {
    const big = publish('/big.json', { client_name: 'x'.repeat(6000) });
    assert.match(await refusedAt(big), /larger than 5120 bytes/);
    const slow = publish('/slow.json');
    docs.delay('/slow.json', 7000);
    const t0 = Date.now();
    assert.match(await refusedAt(slow), /[Tt]imeout/);
    assert.ok(Date.now() - t0 < 6500, 'gave up after 5 s');
  });

  test('a URL that collides with nothing: an existing random client_id is never a URL', async () => {
    const c = await s.createClient({ service_id: svc.id, type: 'public', redirect_uris: [CB], scopes: ['openid'] });
    assert.doesNotMatch(c.client_id, /^https:/);
    const r = await s.api('POST', '/admin/v1/clients', { service_id: svc.id, name: 'x', type: 'public',
      redirect_uris: [CB], client_id: `${docs.url}/agent/client.json` });
    assert.equal(r.status, 400, 'client_id is not settable');
  });
});

describe('the server policy', () => {
  test('without --fetch-allow-loopback a document on loopback is never fetched', async () => {
    const strict = await startSecondNode(s.db, ['--metadata-document-service', svc.id, '--fetch-ca-file', docs.caFile]);
    try {
      for (const base of [docs.url, docs.localhostUrl]) {
        const p = `/strict${base === docs.url ? 1 : 2}.json`;
        const id = `${base}${p}`;
        docs.set(p, { client_id: id, redirect_uris: [CB] });
        const page = await new Browser().get(rawAuthz(strict.url, id));
        assert.equal(page.status, 400);
        assert.match(page.text, /loopback/);
        assert.equal(docs.hits(p), 0, `${id}: no connection reached the server`);
      }
    } finally {
      await strict.stop();
    }
  });

  test('--metadata-document-hosts: another host is refused; off: a URL client_id is unknown', async () => {
    const listed = await startSecondNode(s.db, ['--metadata-document-service', svc.id, '--fetch-allow-loopback',
      '--fetch-ca-file', docs.caFile, '--metadata-document-hosts', '*.example.com, app.example.org']);
    try {
      const id = publish('/hosts.json');
      const page = await new Browser().get(rawAuthz(listed.url, id));
      assert.equal(page.status, 400);
      assert.match(page.text, /host/);
      assert.equal(docs.hits('/hosts.json'), 0);
    } finally {
      await listed.stop();
    }
    const id = publish('/off.json');
    const page = await new Browser().get(rawAuthz(s.url, id));
    assert.equal(page.status, 400);
    assert.match(page.text, /unknown client_id/);
    assert.equal(docs.hits('/off.json'), 0);
  });
});

describe('administrators see the policy (docs/API.md "Settings")', () => {
  test('GET /admin/v1/settings and clavis server policy', async () => {
    const t = await protocolPost(node.url, '/token', { clientId: s.init.client_id, clientSecret: s.init.client_secret,
      params: { grant_type: 'client_credentials', scope: 'admin' } });
    const token = t.body.access_token;
    const on = await request(`${node.url}/admin/v1/settings`, { headers: { Authorization: `Bearer ${token}` } });
    assert.equal(on.status, 200, on.text);
    assert.deepEqual(on.body.metadata_documents, { enabled: true, service_id: svc.id, hosts: null,
      draft: 'draft-ietf-oauth-client-id-metadata-document-03', max_bytes: 5120, timeout_seconds: 5 });
    assert.deepEqual(on.body.fetch, { allow_loopback: true, extra_ca_file: true });
    assert.deepEqual(on.body.open_registration, { enabled: false, service_id: null, max_registered_clients: null });
    const off = await s.api('GET', '/admin/v1/settings');
    assert.equal(off.body.metadata_documents.enabled, false);
    assert.equal(off.body.metadata_documents.service_id, null);
    assert.equal((await s.api('GET', '/admin/v1/settings', undefined, { token: null })).status, 401);
    const creds = ['--url', node.url, '--client-id', s.init.client_id, '--client-secret', s.init.client_secret];
    const json = await runCli(['server', 'policy', '--json', ...creds]);
    assert.equal(json.code, 0, json.stderr);
    assert.equal(JSON.parse(json.stdout).metadata_documents.service_id, svc.id);
    const human = await runCli(['server', 'policy', ...creds]);
    assert.equal(human.code, 0, human.stderr);
    assert.match(human.stdout, /^metadata_documents\.enabled: true$/m);
    assert.match(human.stdout, new RegExp(`^metadata_documents\\.service_id: ${svc.id}$`, 'm'));
  });
});

describe('serve refuses a policy that cannot work', () => {
  test('hosts without a service, a bad host item, an unknown service, an unreadable CA file', async () => {
    const cases = [
      [['--metadata-document-hosts', 'a.example.com'], 2, /needs --metadata-document-service/],
      [['--metadata-document-service', svc.id, '--metadata-document-hosts', 'a.example.com,*'], 2, /'\*' is not a host name/],
      [['--metadata-document-service', ''], 2, /needs a service id/],
      [['--metadata-document-service', 'svc_nope'], 1, /--metadata-document-service: no service 'svc_nope'/],
      [['--fetch-ca-file', '/nonexistent/ca.pem'], 1, /cannot read \/nonexistent\/ca.pem/],
    ];
    for (const [args, code, why] of cases) {
      const port = await freePort();
      const r = await runCli(['serve', '--db', s.db, '--listen', `127.0.0.1:${port}`, ...args], { timeoutMs: 10000 });
      assert.equal(r.code, code, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, why);
    }
  });
});

describe('a confidential agent with private_key_jwt', () => {
  test('its jwks in the document: the code flow with signed assertions', async () => {
    const kp = await jose.generateKeyPair('EdDSA', { extractable: true });
    const jwk = { ...(await jose.exportJWK(kp.publicKey)), kid: 'a1', alg: 'EdDSA' };
    const id = publish('/conf/client.json', { token_endpoint_auth_method: 'private_key_jwt', jwks: { keys: [jwk] } });
    const cfg = await client.discovery(new URL(node.url), id, undefined,
      client.PrivateKeyJwt({ key: kp.privateKey, kid: 'a1' }), insecure);
    const b = new Browser();
    const { url, verifier } = await authzUrl(cfg);
    const consent = await signIn(b, url);
    const form = parseForm(consent.text);
    const back = await b.post(form.action, { ...form.fields, consent: 'allow' });
    assert.equal(back.status, 302, back.text.slice(0, 300));
    const tokens = await client.authorizationCodeGrant(cfg, new URL(back.location), { pkceCodeVerifier: verifier,
      expectedState: 'st' });
    assert.ok(tokens.access_token);
    const c = (await clientJson(id)).body;
    assert.equal(c.type, 'confidential');
    assert.equal(c.token_endpoint_auth_method, 'private_key_jwt');
    const secrets = await s.api('GET', `/admin/v1/clients/${encodeURIComponent(id)}/secrets`);
    assert.deepEqual(secrets.body.items ?? [], [], 'no secret is ever made for it');
    // a public agent cannot pass for it: no assertion, no token
    const none = await protocolPost(node.url, '/token', { params: { grant_type: 'refresh_token',
      refresh_token: tokens.refresh_token ?? 'x', client_id: id } });
    assert.equal(none.body.error, 'invalid_client');
  });
});

describe('a document that changes', () => {
  test('after its max-age the next use fetches it again: new redirect_uris and name apply, old ones do not', async () => {
    const id = publish('/changing.json', { client_name: 'Before' }, { 'Cache-Control': 'max-age=1' }); // kept 60 s at least
    const first = await new Browser().get(rawAuthz(node.url, id));
    assert.equal(first.status, 200, first.text.slice(0, 200));
    const same = publish('/unchanged.json', {}, { 'Cache-Control': 'max-age=1' }); // refetched as it was
    assert.equal((await new Browser().get(rawAuthz(node.url, same))).status, 200);
    const at = Date.now();
    const NEW_CB = 'http://127.0.0.1:9/moved-cb';
    publish('/changing.json', { client_name: 'After', redirect_uris: [NEW_CB] }, { 'Cache-Control': 'max-age=1' });
    // within the minute the kept document rules
    assert.equal((await new Browser().get(rawAuthz(node.url, id))).status, 200);
    assert.equal(docs.hits('/changing.json'), 1);
    await new Promise((r) => setTimeout(r, Math.max(0, 61000 - (Date.now() - at))));
    const old = await new Browser().get(rawAuthz(node.url, id));
    assert.equal(old.status, 400, 'the old redirect URI is gone');
    assert.match(old.text, /redirect_uri is not registered/);
    assert.equal(docs.hits('/changing.json'), 2);
    const q = new URLSearchParams({ response_type: 'code', client_id: id, redirect_uri: NEW_CB, scope: 'openid',
      code_challenge_method: 'S256', code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM' });
    assert.equal((await new Browser().get(`${node.url}/authorize?${q}`)).status, 200);
    const c = (await clientJson(id)).body;
    assert.equal(c.name, 'After');
    assert.deepEqual(c.redirect_uris, [NEW_CB]);
    const audit = await s.api('GET', `/admin/v1/audit?target=${encodeURIComponent(id)}`);
    const upd = audit.body.items.find((e) => e.action === 'client.update');
    assert.deepEqual(upd.actor, { type: 'registration', id: 'metadata_document' });
    assert.deepEqual(upd.changes.redirect_uris, { from: [CB], to: [NEW_CB] });
    // a refetch that brings the same document writes nothing (and still serves)
    assert.equal((await new Browser().get(rawAuthz(node.url, same))).status, 200);
    assert.equal(docs.hits('/unchanged.json'), 2);
    const sameAudit = await s.api('GET', `/admin/v1/audit?target=${encodeURIComponent(same)}`);
    assert.deepEqual(sameAudit.body.items.map((e) => e.action), ['client.create']);
  });
});

/** GET url from localAddress (another loopback address is another caller); resolves
 * {status, headers, text}. */
function getFrom(url, localAddress) {
  return new Promise((resolve, reject) => {
    http.get(url, { localAddress, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (d) => { text += d; });
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, text }));
    }).on('error', reject);
  });
}

describe('slow documents cannot starve the others (docs/DESIGN.md D15)', () => {
  test('one address holds at most 4 fetch slots; none free: 503, never kept as the document\'s failure', async () => {
    // 16 workers, so that the slow requests hold fetch slots, not every thread
    const n = await startSecondNode(s.db, ['--metadata-document-service', svc.id, '--fetch-allow-loopback',
      '--fetch-ca-file', docs.caFile, '--threads', '16']);
    try {
      const slow = (who, i) => {
        const id = publish(`/starve/${who}${i}.json`);
        docs.delay(`/starve/${who}${i}.json`, 7000); // the fetch gives up after 5 s
        return id;
      };
      // two addresses ask for slow documents, one after the other once its fetch is under way
      // (a worker blocked in a fetch accepts no connection: each request gets a free one)
      const pending = [];
      const ask = async (who, i, from) => {
        pending.push(getFrom(rawAuthz(n.url, slow(who, i)), from));
        await waitFor(() => docs.hits(`/starve/${who}${i}.json`) === 1, { timeoutMs: 4000, what: `${who}${i} fetched` });
      };
      for (let i = 0; i < 4; i++) await ask('a', i, '127.0.0.3');
      // its fifth slow fetch at once waits (429, Retry-After), with no fetch
      const fifth = await getFrom(rawAuthz(n.url, slow('a', 4)), '127.0.0.3');
      assert.equal(fifth.status, 429, fifth.text.slice(0, 300));
      assert.match(fifth.text, /temporarily_unavailable/);
      assert.ok(Number(fifth.headers['retry-after']) >= 1);
      assert.equal(docs.hits('/starve/a4.json'), 0);
      for (let i = 0; i < 4; i++) await ask('b', i, '127.0.0.4');
      // every slot taken: a real agent elsewhere is told to come back, and nothing is kept
      const real = publish('/starve/real.json');
      const busy = await getFrom(rawAuthz(n.url, real), '127.0.0.2');
      assert.equal(busy.status, 503, busy.text.slice(0, 300));
      assert.match(busy.text, /temporarily_unavailable: too many documents are being fetched/);
      assert.equal(busy.headers['retry-after'], '5');
      assert.equal(docs.hits('/starve/real.json'), 0);
      const ends = await Promise.all(pending);
      assert.equal(ends.filter((r) => r.status === 400 && /[Tt]imeout/.test(r.text)).length, 8);
      // the slots are free again: the next try fetches (a kept failure would refuse it for 10 s)
      const ok = await getFrom(rawAuthz(n.url, real), '127.0.0.2');
      assert.equal(ok.status, 200, ok.text.slice(0, 300));
      assert.equal(docs.hits('/starve/real.json'), 1);
    } finally {
      await n.stop();
    }
  });
});

describe('fetches hold at most half the worker threads (docs/DESIGN.md D15)', () => {
  test('with --threads 2, one slow document at a time; the server answers meanwhile', async () => {
    const n = await startSecondNode(s.db, ['--metadata-document-service', svc.id, '--fetch-allow-loopback',
      '--fetch-ca-file', docs.caFile, '--threads', '2']);
    try {
      const id = publish('/half/slow.json');
      docs.delay('/half/slow.json', 7000);
      const pending = getFrom(rawAuthz(n.url, id), '127.0.0.5');
      await waitFor(() => docs.hits('/half/slow.json') === 1, { timeoutMs: 4000, what: 'slow fetched' });
      // the only slot is taken: another document is refused at once, not fetched
      const other = publish('/half/other.json');
      const t0 = Date.now();
      const busy = await getFrom(rawAuthz(n.url, other), '127.0.0.6');
      assert.equal(busy.status, 503, busy.text.slice(0, 300));
      assert.equal(docs.hits('/half/other.json'), 0);
      // and the other thread answers everything else at once
      const disc = await getFrom(`${n.url}/.well-known/openid-configuration`, '127.0.0.6');
      assert.equal(disc.status, 200);
      assert.ok(Date.now() - t0 < 2000, `answered in ${Date.now() - t0} ms while a fetch holds a thread`);
      assert.equal((await pending).status, 400);
    } finally {
      await n.stop();
    }
  });
});

/** clavis_metadata_documents_total at base by result (docs/OPERATIONS.md "Metrics"). */
async function docCounts(base) {
  const r = await request(`${base}/metrics`);
  assert.equal(r.status, 200, r.text);
  const out = {};
  for (const m of r.text.matchAll(/^clavis_metadata_documents_total\{result="([a-z_]+)"\} (\d+)$/gm)) out[m[1]] = Number(m[2]);
  return out;
}

describe('one address cannot make the server fetch and store without limit (docs/DESIGN.md D15)', () => {
  test('ever new fast documents: 20 at once, then 429, no fetch, nothing stored; kept ones and others go on', async () => {
    // a node of its own (a fresh throttle table) and a service of its own (clients to count)
    const flood = await s.createService('flood');
    const n = await startSecondNode(s.db, ['--metadata-document-service', flood.id, '--fetch-allow-loopback',
      '--fetch-ca-file', docs.caFile]);
    const stored = async () => {
      const l = await s.api('GET', `/admin/v1/clients?service_id=${flood.id}&limit=100`);
      assert.equal(l.status, 200, l.text);
      return l.body.items.length;
    };
    const from = '127.0.0.1'; // the attacker; every fetch ends within a second (given back by the slot rule)
    try {
      const codes = [];
      const t0 = Date.now();
      for (let i = 0; i < 30; i++) {
        const r = await getFrom(rawAuthz(n.url, publish(`/flood/${i}.json`)), from);
        codes.push(r.status);
        if (r.status === 429) {
          assert.match(r.text, /temporarily_unavailable/);
          assert.ok(Number(r.headers['retry-after']) >= 1, JSON.stringify(r.headers));
        }
      }
      assert.deepEqual(codes, [...Array(20).fill(200), ...Array(10).fill(429)]);
      // the operator sees it in /metrics: 20 clients created, 10 first fetches throttled
      assert.deepEqual(await docCounts(n.url), { created: 20, refused: 0, throttled_fetch: 10, throttled_create: 0 });
      // past the burst, about one fetch every 3 s (none when the loop took less)
      let extra = 0;
      for (let i = 20; i < 30; i++) extra += docs.hits(`/flood/${i}.json`);
      assert.ok(extra <= Math.floor((Date.now() - t0) / 3000), `${extra} fetches past the burst`);
      assert.equal(await stored(), 20);
      // once the fetch wait is over one more fetch passes, but its new client counts like an
      // anonymous registration (20 at once, then one every 30 s): refused, nothing stored
      await sleep(3500);
      const late = await getFrom(rawAuthz(n.url, publish('/flood/late.json')), from);
      assert.equal(late.status, 429, late.text.slice(0, 300));
      assert.match(late.text, /temporarily_unavailable/);
      assert.equal(docs.hits('/flood/late.json'), 1);
      assert.equal(await stored(), 20);
      assert.equal((await clientJson(`${docs.url}/flood/late.json`)).status, 404);
      assert.equal((await docCounts(n.url)).throttled_create, 1);
      // the token endpoint is no way round: a new document from there waits too
      const tok = await protocolPost(n.url, '/token', { params: { grant_type: 'authorization_code', code: 'x',
        redirect_uri: CB, client_id: publish('/flood/token.json'), code_verifier: 'y'.repeat(43) } });
      assert.equal(tok.status, 429, tok.text);
      assert.equal(tok.body.error, 'temporarily_unavailable');
      assert.equal((await clientJson(`${docs.url}/flood/token.json`)).status, 404);
      // a document it already has kept goes on working for it, without a fetch
      const kept = await getFrom(rawAuthz(n.url, `${docs.url}/flood/0.json`), from);
      assert.equal(kept.status, 200, kept.text.slice(0, 300));
      assert.equal(docs.hits('/flood/0.json'), 1);
      // an honest agent elsewhere: its first use fetches and stores its client
      const honest = await getFrom(rawAuthz(n.url, publish('/flood/honest.json')), '127.0.0.8');
      assert.equal(honest.status, 200, honest.text.slice(0, 300));
      assert.equal(await stored(), 21);
      assert.equal((await clientJson(`${docs.url}/flood/honest.json`)).body.registration, 'metadata_document');
      // a document that breaks a rule is a refusal
      const bad = `${docs.url}/flood/bad.json`;
      docs.set('/flood/bad.json', { client_id: `${docs.url}/flood/other.json`, redirect_uris: [CB] });
      assert.equal((await getFrom(rawAuthz(n.url, bad), '127.0.0.9')).status, 400);
      assert.deepEqual(await docCounts(n.url), { created: 21, refused: 1, throttled_fetch: 11, throttled_create: 1 });
    } finally {
      await n.stop();
    }
  });
});

test('the servers shut down cleanly (exit 0, no sanitizer report)', async () => {
  await node.stop();
  await assertCleanShutdown(s);
});
