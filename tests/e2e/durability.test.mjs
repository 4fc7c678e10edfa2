// docs/DESIGN.md I6: a crash or kill at any moment loses no acknowledged change. A node is killed
// with SIGKILL right after it answered; everything it acknowledged is there for another
// node on the same database (SQLite WAL with synchronous=FULL).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { Browser, parseForm } from './browser.mjs';
import { assertCleanShutdown, protocolPost, sleep, start, startSecondNode, stopUnstopped } from './harness.mjs';

describe('durability', () => {
  let a;

  before(async () => { a = await start(); });
  after(() => stopUnstopped(a));

  test('changes acknowledged by a node that is then killed are all there', async () => {
    const b = await startSecondNode(a.db, [], { issuer: a.url });
    const token = (await protocolPost(b.url, '/token', { clientId: a.init.client_id,
      clientSecret: a.init.client_secret, params: { grant_type: 'client_credentials', scope: 'admin' } })).body.access_token;
    const api = async (method, path, body) => {
      const r = await fetch(`${b.url}${path}`, { method, body: body && JSON.stringify(body),
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' } });
      return { status: r.status, body: r.status === 204 ? null : await r.json() };
    };
    const svc = await api('POST', '/admin/v1/services', { name: 'kept' });
    assert.equal(svc.status, 201);
    const made = [];
    for (let i = 0; i < 20; i++) {
      const c = await api('POST', '/admin/v1/clients', { service_id: svc.body.id, name: `c${i}`, type: 'm2m' });
      assert.equal(c.status, 201);
      made.push(c.body);
    }
    const gone = await api('POST', `/admin/v1/clients/${made[0].client_id}/deactivate`);
    assert.equal(gone.status, 200);
    const sec = await api('POST', `/admin/v1/clients/${made[1].client_id}/secrets`, {});
    assert.equal(sec.status, 201);
    await b.crash(); // no shutdown, no checkpoint: only what was committed survives

    for (const c of made) {
      const g = await a.api('GET', `/admin/v1/clients/${c.client_id}`);
      assert.equal(g.status, 200, `client ${c.name} was acknowledged and lost`);
    }
    assert.equal((await a.api('GET', `/admin/v1/clients/${made[0].client_id}`)).body.status, 'inactive');
    const t = await protocolPost(a.url, '/token', { clientId: made[1].client_id,
      clientSecret: sec.body.client_secret, params: { grant_type: 'client_credentials' } });
    assert.equal(t.status, 200, 'the secret added just before the kill works');
  });

  // docs/DESIGN.md D10: with group commit a rotation is answered only once its batch is
  // durable. Chains of refresh tokens rotate concurrently on node b (several threads, so
  // that batches hold several requests) until b is killed; every rotation it answered must
  // be there for node a: the newest token of each chain rotates. A chain whose request was
  // in flight at the kill may have been rotated without an answer (its token then counts as
  // reused: invalid_grant), and is checked only for that.
  test('refresh rotations acknowledged under concurrent load survive a kill -9', async () => {
    const CB = 'https://rp.example/cb';
    const svc = await a.createService('rotation');
    const c = await a.createClient({ service_id: svc.id, type: 'confidential', name: 'rp', first_party: true,
      redirect_uris: [CB], scopes: ['openid'], allow_refresh_token: true });
    const user = `u${randomBytes(4).toString('hex')}`;
    assert.equal((await a.api('POST', '/admin/v1/users', { username: user, password: 'rotation-pass-1' })).status, 201);
    const verifier = randomBytes(32).toString('base64url');
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    const authz = `${a.url}/authorize?${new URLSearchParams({ response_type: 'code', client_id: c.client_id,
      redirect_uri: CB, scope: 'openid', state: 's', code_challenge: challenge, code_challenge_method: 'S256' })}`;
    const b0 = new Browser();
    const page = await b0.get(authz);
    const form = parseForm(page.text);
    assert.equal((await b0.post(form.action, { ...form.fields, username: user, password: 'rotation-pass-1' })).status, 302);
    const auth = { clientId: c.client_id, clientSecret: c.client_secret };
    const chains = [];
    for (let i = 0; i < 12; i++) {
      const code = new URL((await b0.get(authz)).location).searchParams.get('code');
      const t = await protocolPost(a.url, '/token', { ...auth, params: { grant_type: 'authorization_code', code,
        redirect_uri: CB, code_verifier: verifier } });
      assert.equal(t.status, 200, t.text);
      chains.push({ token: t.body.refresh_token, lost: false, idle: false });
    }

    const b = await startSecondNode(a.db, ['--threads', '8'], { issuer: a.url });
    let stopping = false;
    let acked = 0;
    const rotate = async (chain) => {
      while (!stopping) {
        let r;
        try {
          r = await protocolPost(b.url, '/token', { ...auth, params: { grant_type: 'refresh_token', refresh_token: chain.token } });
        } catch {
          chain.lost = true; // no answer: b died with this request in flight
          return;
        }
        assert.equal(r.status, 200, r.text);
        chain.token = r.body.refresh_token;
        acked++;
        await sleep(Math.random() * 8);
      }
      chain.idle = true; // answered, and sends nothing more
    };
    const workers = chains.map(rotate);
    while (acked < 150) await sleep(10);
    stopping = true; // no chain starts a request after this
    // kill while about half of the chains still have a request in flight
    for (let i = 0; i < 500 && chains.filter((x) => x.idle).length < chains.length / 2; i++) await sleep(1);
    await b.crash();
    await Promise.all(workers);

    let strict = 0;
    for (const chain of chains) {
      const r = await protocolPost(a.url, '/token', { ...auth, params: { grant_type: 'refresh_token', refresh_token: chain.token } });
      if (chain.lost) {
        assert.ok(r.status === 200 || r.body?.error === 'invalid_grant', r.text);
      } else {
        strict++;
        assert.equal(r.status, 200, `an acknowledged rotation was lost: ${r.text}`);
      }
    }
    assert.ok(acked >= 150 && strict >= 1, `acked ${acked}, chains answered before the kill ${strict}`);
  });

  test('the server shuts down cleanly', async () => {
    await assertCleanShutdown(a);
  });
});
