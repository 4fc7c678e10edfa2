// private_key_jwt with a jwks_uri (RFC 7523, OIDC Core §9; docs/SECURITY.md "Outgoing
// fetches"): the JWK Set is fetched from an HTTPS server on loopback whose certificate a
// test CA issued (--fetch-ca-file, --fetch-allow-loopback), kept by its cache headers,
// fetched again once when an assertion names a kid it lacks (at most every 10 s), and never
// fetched from loopback without --fetch-allow-loopback. ES256 and EdDSA assertions signed
// by jose.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import http from 'node:http';
import * as jose from 'jose';
import { startDocServer } from './docserver.mjs';
import { protocolPost, sleep, start } from './harness.mjs';

const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const REFETCH_MIN_MS = 10000; // assertion.c: a jwks_uri is fetched at most every 10 s

async function keyPair(alg, kid) {
  const kp = await jose.generateKeyPair(alg, { extractable: true });
  return { alg, kid, privateKey: kp.privateKey, jwk: { ...(await jose.exportJWK(kp.publicKey)), kid, alg, use: 'sig' } };
}

describe('private_key_jwt with jwks_uri', () => {
  let s;
  let docs;
  let svc;

  before(async () => {
    docs = await startDocServer();
    s = await start({ args: ['--fetch-allow-loopback', '--fetch-ca-file', docs.caFile] });
    svc = await s.createService('jwks-uri');
  });
  after(async () => {
    await s?.stop();
    await docs?.close();
  });

  const sign = (c, key, claims = {}) => {
    const now = Math.floor(Date.now() / 1000);
    return new jose.SignJWT({ iss: c.client_id, sub: c.client_id, aud: `${s.url}/token`, iat: now, exp: now + 60,
      jti: crypto.randomUUID(), ...claims }).setProtectedHeader({ alg: key.alg, kid: key.kid }).sign(key.privateKey);
  };
  const cc = async (c, key) => protocolPost(s.url, '/token', { params: { grant_type: 'client_credentials',
    client_assertion_type: ASSERTION_TYPE, client_assertion: await sign(c, key) } });
  const m2m = (jwksPath) => s.createClient({ service_id: svc.id, type: 'm2m', scopes: ['read'],
    token_endpoint_auth_method: 'private_key_jwt', jwks_uri: `${docs.url}${jwksPath}` });

  test('ES256 and EdDSA assertions verify against the fetched set, which is cached', async () => {
    const es = await keyPair('ES256', 'es1');
    const ed = await keyPair('EdDSA', 'ed1');
    docs.set('/a/jwks.json', { keys: [es.jwk, ed.jwk] }, { 'Cache-Control': 'max-age=3600' });
    const c = await m2m('/a/jwks.json');
    for (const key of [es, ed, es, ed]) {
      const r = await cc(c, key);
      assert.equal(r.status, 200, `${key.alg}: ${r.text}`);
    }
    assert.equal(docs.hits('/a/jwks.json'), 1, 'fetched once, then taken from the cache');
    // a key of the right kid but another pair never verifies
    const impostor = await keyPair('EdDSA', 'ed1');
    const r = await cc(c, impostor);
    assert.equal(r.status, 401);
    assert.equal(r.body.error, 'invalid_client');
  });

  test('EdDSA with a jwks registered inline too', async () => {
    const ed = await keyPair('EdDSA', 'inline');
    const c = await s.createClient({ service_id: svc.id, type: 'm2m', scopes: ['read'],
      token_endpoint_auth_method: 'private_key_jwt', jwks: { keys: [ed.jwk] } });
    assert.equal((await cc(c, ed)).status, 200);
    const other = await keyPair('EdDSA', 'inline');
    assert.equal((await cc(c, other)).body.error, 'invalid_client');
  });

  test('the client rotates its keys: an unknown kid fetches the set again, once per 10 s', async () => {
    const k1 = await keyPair('ES256', 'k1');
    const k2 = await keyPair('EdDSA', 'k2');
    const k3 = await keyPair('ES256', 'k3');
    docs.set('/rot/jwks.json', { keys: [k1.jwk] }, { 'Cache-Control': 'max-age=86400' });
    const c = await m2m('/rot/jwks.json');
    const first = Date.now();
    assert.equal((await cc(c, k1)).status, 200);
    assert.equal(docs.hits('/rot/jwks.json'), 1);
    docs.set('/rot/jwks.json', { keys: [k2.jwk] }, { 'Cache-Control': 'max-age=86400' });
    // within 10 s of the last fetch an unknown kid does not make Clavis fetch again
    const early = await cc(c, k2);
    assert.equal(early.body.error, 'invalid_client', early.text);
    assert.equal(docs.hits('/rot/jwks.json'), 1, 'no refetch within 10 s');
    await sleep(Math.max(0, REFETCH_MIN_MS + 500 - (Date.now() - first)));
    const rotated = await cc(c, k2);
    assert.equal(rotated.status, 200, rotated.text);
    assert.equal(docs.hits('/rot/jwks.json'), 2, 'one refetch for the new kid');
    // the old key is gone from the new set; a kid nobody publishes costs no fetch now
    assert.equal((await cc(c, k1)).body.error, 'invalid_client');
    for (let i = 0; i < 5; i++) assert.equal((await cc(c, k3)).body.error, 'invalid_client');
    assert.equal(docs.hits('/rot/jwks.json'), 2, 'unknown kids in a burst: no fetch per request');
  });

  test('http on loopback is fetched under --fetch-allow-loopback; http elsewhere is refused as a field', async () => {
    const k = await keyPair('ES256', 'plain');
    const plain = http.createServer((req, res) => res.writeHead(200, { 'Content-Type': 'application/json' })
      .end(JSON.stringify({ keys: [k.jwk] })));
    await new Promise((r) => plain.listen(0, '127.0.0.1', r));
    try {
      const c = await s.createClient({ service_id: svc.id, type: 'm2m', scopes: ['read'],
        token_endpoint_auth_method: 'private_key_jwt', jwks_uri: `http://127.0.0.1:${plain.address().port}/jwks` });
      const r = await cc(c, k);
      assert.equal(r.status, 200, r.text);
      const bad = await s.api('POST', '/admin/v1/clients', { service_id: svc.id, name: 'x', type: 'm2m', scopes: ['read'],
        token_endpoint_auth_method: 'private_key_jwt', jwks_uri: 'http://keys.example.com/jwks' });
      assert.equal(bad.status, 400);
      assert.equal(bad.body.errors[0].field, 'jwks_uri');
    } finally {
      plain.close();
    }
  });

  test('a jwks_uri that fails or is not a JWK Set: invalid_client, and the failure is remembered', async () => {
    const k = await keyPair('ES256', 'k');
    docs.set('/bad/jwks.json', '{"not": "a set"}');
    const notSet = await m2m('/bad/jwks.json');
    const r = await cc(notSet, k);
    assert.equal(r.status, 401);
    assert.match(r.body.error_description, /jwks_uri/);
    const missing = await m2m('/missing/jwks.json');
    for (let i = 0; i < 3; i++) assert.equal((await cc(missing, k)).body.error, 'invalid_client');
    assert.equal(docs.hits('/missing/jwks.json'), 1, 'a failed fetch is not repeated per request');
  });
});

describe('jwks_uri without --fetch-allow-loopback', () => {
  let s;
  let docs;

  before(async () => {
    docs = await startDocServer();
    s = await start({ args: ['--fetch-ca-file', docs.caFile] });
  });
  after(async () => {
    await s?.stop();
    await docs?.close();
  });

  test('a JWK Set on loopback is never fetched', async () => {
    const svc = await s.createService('strict');
    const k = await keyPair('ES256', 'k');
    docs.set('/jwks.json', { keys: [k.jwk] });
    for (const base of [docs.url, docs.localhostUrl]) {
      const c = await s.createClient({ service_id: svc.id, type: 'm2m', scopes: ['read'],
        token_endpoint_auth_method: 'private_key_jwt', jwks_uri: `${base}/jwks.json` });
      const now = Math.floor(Date.now() / 1000);
      const a = await new jose.SignJWT({ iss: c.client_id, sub: c.client_id, aud: s.url, iat: now, exp: now + 60,
        jti: crypto.randomUUID() }).setProtectedHeader({ alg: 'ES256', kid: 'k' }).sign(k.privateKey);
      const r = await protocolPost(s.url, '/token', { params: { grant_type: 'client_credentials',
        client_assertion_type: ASSERTION_TYPE, client_assertion: a } });
      assert.equal(r.status, 401, r.text);
      assert.match(r.body.error_description, /loopback/);
    }
    assert.equal(docs.hits('/jwks.json'), 0, 'no connection reached the server');
    // and http to loopback, which the field admits, is not fetched either
    const c = await s.createClient({ service_id: svc.id, type: 'm2m', scopes: ['read'],
      token_endpoint_auth_method: 'private_key_jwt', jwks_uri: `http://127.0.0.1:${docs.port}/jwks.json` });
    const now = Math.floor(Date.now() / 1000);
    const a = await new jose.SignJWT({ iss: c.client_id, sub: c.client_id, aud: s.url, iat: now, exp: now + 60,
      jti: crypto.randomUUID() }).setProtectedHeader({ alg: 'ES256', kid: 'k' }).sign(k.privateKey);
    const r = await protocolPost(s.url, '/token', { params: { grant_type: 'client_credentials',
      client_assertion_type: ASSERTION_TYPE, client_assertion: a } });
    assert.equal(r.status, 401);
    assert.match(r.body.error_description, /https/);
  });
});
