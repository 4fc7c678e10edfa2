// docs/DESIGN.md I6: a crash or kill at any moment loses no acknowledged change. A node is killed
// with SIGKILL right after it answered; everything it acknowledged is there for another
// node on the same database (SQLite WAL with synchronous=FULL).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { assertCleanShutdown, protocolPost, start, startSecondNode, stopUnstopped } from './harness.mjs';

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

  test('the server shuts down cleanly', async () => {
    await assertCleanShutdown(a);
  });
});
