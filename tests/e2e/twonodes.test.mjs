// Two nodes on one database (docs/DESIGN.md I5): every node answers every request, and a change
// made through one node is seen by the other within one second (docs/DESIGN.md M) — the client
// cache of the token path (src/core/client_cache.c) never serves a deactivated client,
// or a tenant or service switched off, beyond that window.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { assertCleanShutdown, protocolPost, start, startSecondNode, stopUnstopped } from './harness.mjs';

describe('two nodes on one database', () => {
  let a;
  let b;
  let svc;

  before(async () => {
    a = await start();
    b = await startSecondNode(a.db, [], { issuer: a.url }); // one deployment, one issuer
    svc = await a.createService('shared');
  });
  after(async () => {
    if (b && !b.stopped) await b.stop().catch(() => {});
    await stopUnstopped(a);
  });

  const tokenAt = (url, c) => protocolPost(url, '/token',
    { clientId: c.client_id, clientSecret: c.client_secret, params: { grant_type: 'client_credentials' } });

  /** Polls node b until the client's token request is refused; the ms it took (since t0). */
  async function msUntilRefused(c, t0 = Date.now()) {
    for (;;) {
      const r = await tokenAt(b.url, c);
      if (r.status === 401) {
        assert.equal(r.body.error, 'invalid_client');
        return Date.now() - t0;
      }
      assert.equal(r.status, 200, r.text);
      assert.ok(Date.now() - t0 < 3000, 'still served after 3 s');
    }
  }

  test('a client made on one node gets tokens on the other, verifiable there', async () => {
    const c = await a.createClient({ service_id: svc.id, scopes: ['read'] });
    const t = await tokenAt(b.url, c);
    assert.equal(t.status, 200, t.text);
    const i = await protocolPost(b.url, '/introspect', { clientId: a.init.client_id,
      clientSecret: a.init.client_secret, params: { token: t.body.access_token } });
    assert.equal(i.body.active, true);
  });

  for (const [what, off] of [
    ['a client deactivated', (c) => a.api('POST', `/admin/v1/clients/${c.client_id}/deactivate`)],
    ['its service deactivated', (c) => a.api('POST', `/admin/v1/services/${c.service_id}/deactivate`)],
    ['a client deleted', (c) => a.api('DELETE', `/admin/v1/clients/${c.client_id}`)],
  ]) {
    test(`${what} on node a is refused on node b within one second`, async () => {
      const own = await a.createService(`svc-${what}`);
      const c = await a.createClient({ service_id: own.id, scopes: ['read'] });
      const first = await tokenAt(b.url, c); // now in b's cache
      assert.equal(first.status, 200, first.text);
      const t0 = Date.now();
      const r = await off(c);
      assert.ok(r.status === 200 || r.status === 204, r.text);
      const ms = await msUntilRefused(c, t0);
      assert.ok(ms <= 1000, `node b served the client for ${ms} ms after the change`);
      // its earlier token: inactive on node b within the same second
      const introspect = () => protocolPost(b.url, '/introspect', { clientId: a.init.client_id,
        clientSecret: a.init.client_secret, params: { token: first.body.access_token } });
      while ((await introspect()).body.active) {
        assert.ok(Date.now() - t0 <= 1000, 'the earlier token was active on node b after 1 s');
      }
    });
  }

  test('a secret removed on node a stops working on node b within one second', async () => {
    const c = await a.createClient({ service_id: svc.id, scopes: ['read'] });
    assert.equal((await tokenAt(b.url, c)).status, 200);
    const added = await a.api('POST', `/admin/v1/clients/${c.client_id}/secrets`, {});
    assert.equal(added.status, 201, added.text);
    const removed = await a.api('DELETE', `/admin/v1/clients/${c.client_id}/secrets/${c.secret.secret_id}`);
    assert.equal(removed.status, 204);
    const t0 = Date.now();
    const ms = await msUntilRefused(c, t0);
    assert.ok(ms <= 1000, `the removed secret worked for ${ms} ms`);
    // every worker of node b takes the new secret within the same second
    const fresh = { client_id: c.client_id, client_secret: added.body.client_secret };
    while ((await tokenAt(b.url, fresh)).status !== 200) {
      assert.ok(Date.now() - t0 <= 1000, 'the new secret did not work on node b within 1 s');
    }
  });

  test('a token revoked on node a introspects inactive on node b within one second', async () => {
    const c = await a.createClient({ service_id: svc.id, scopes: ['read'] });
    const t = (await tokenAt(a.url, c)).body.access_token;
    const introspectB = () => protocolPost(b.url, '/introspect', { clientId: a.init.client_id,
      clientSecret: a.init.client_secret, params: { token: t } });
    assert.equal((await introspectB()).body.active, true); // verified and cached on b
    const r = await protocolPost(a.url, '/revoke', { clientId: c.client_id, clientSecret: c.client_secret,
      params: { token: t } });
    assert.equal(r.status, 200);
    const t0 = Date.now();
    while ((await introspectB()).body.active) assert.ok(Date.now() - t0 < 3000, 'still active after 3 s');
    const ms = Date.now() - t0;
    assert.ok(ms <= 1000, `node b said active for ${ms} ms after the revocation`);
  });

  test('both nodes shut down cleanly', async () => {
    await b.stop();
    await assertCleanShutdown(a);
  });
});
