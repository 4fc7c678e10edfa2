// Client lifecycle (docs/DESIGN.md M "Client lifecycle", "Effective status", "Secret"; R7, R14):
// deactivation, effective status through service and tenant, soft delete, restore,
// purge after the retention, and secret rotation and expiry.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { assertCleanShutdown, runCli, sleep, start, stopUnstopped, waitFor } from './harness.mjs';

/** Asserts that the client is refused at /token with invalid_client within one second. */
async function refusedWithinOneSecond(s, c, secret = c.client_secret) {
  const r = await waitFor(async () => {
    const t = await s.token(c.client_id, secret);
    return t.status !== 200 ? t : null;
  }, { timeoutMs: 1000, intervalMs: 20, what: `${c.client_id} refused at /token` });
  assert.equal(r.status, 401);
  assert.equal(r.body.error, 'invalid_client');
  assert.equal(r.body.access_token, undefined);
}

async function acceptedWithinOneSecond(s, c, secret = c.client_secret) {
  const r = await waitFor(async () => {
    const t = await s.token(c.client_id, secret);
    return t.status === 200 ? t : null;
  }, { timeoutMs: 1000, intervalMs: 20, what: `${c.client_id} accepted at /token` });
  return r.body.access_token;
}

async function active(s, token) {
  const r = await s.introspect(token);
  assert.equal(r.status, 200);
  return r.body.active;
}

/** A time n seconds from now, RFC 3339 with second precision. */
function inSeconds(n) {
  return new Date((Math.ceil(Date.now() / 1000) + n) * 1000).toISOString().replace(/\.\d+Z$/, 'Z');
}

let s; // default retention (14 days)
let p; // --retention 2s, for the purge
let svc;

before(async () => {
  [s, p] = await Promise.all([start(), start({ args: ['--retention', '2s'] })]);
  svc = await s.createService('lifecycle');
});
after(async () => { await stopUnstopped(s, p); });

// The tests are independent of each other (each makes its own clients) and several wait
// for a clock: run them side by side.
describe('lifecycle', { concurrency: true }, () => {

  test('a deactivated client is refused within one second and its tokens go inactive; activate restores it', async () => {
    const c = await s.createClient({ service_id: svc.id, scopes: ['read'] });
    const peer = await s.createClient({ service_id: svc.id });
    const tok = (await s.token(c.client_id, c.client_secret)).body.access_token;
    assert.equal(await active(s, tok), true);

    const d = await s.api('POST', `/admin/v1/clients/${c.client_id}/deactivate`);
    assert.equal(d.status, 200);
    assert.equal(d.body.status, 'inactive');
    assert.equal(d.body.effective_status, 'inactive');
    await refusedWithinOneSecond(s, c);
    assert.equal(await active(s, tok), false, 'an earlier token introspects active:false');
    // the peer, introspecting, sees the same; the inactive client may not introspect
    assert.deepEqual((await s.introspect(tok, { clientId: peer.client_id, clientSecret: peer.client_secret })).body, { active: false });
    const asCaller = await s.introspect(tok, { clientId: c.client_id, clientSecret: c.client_secret });
    assert.equal(asCaller.status, 401);

    const a = await s.api('POST', `/admin/v1/clients/${c.client_id}/activate`);
    assert.equal(a.status, 200);
    assert.equal(a.body.status, 'active');
    const fresh = await acceptedWithinOneSecond(s, c);
    assert.equal(await active(s, fresh), true);
  });

  test('a deactivated or deleted service: its clients are refused and their tokens inactive, until it is back', async () => {
    const sv = await s.createService('switchable');
    const c1 = await s.createClient({ service_id: sv.id });
    const c2 = await s.createClient({ service_id: sv.id, type: 'confidential', allow_client_credentials: true, redirect_uris: ['https://a.example.com/cb'] });
    const t1 = (await s.token(c1.client_id, c1.client_secret)).body.access_token;
    const t2 = (await s.token(c2.client_id, c2.client_secret)).body.access_token;
    const other = await s.createClient({ service_id: svc.id });

    const d = await s.api('POST', `/admin/v1/services/${sv.id}/deactivate`);
    assert.equal(d.status, 200);
    assert.equal(d.body.status, 'inactive');
    await refusedWithinOneSecond(s, c1);
    await refusedWithinOneSecond(s, c2);
    assert.equal(await active(s, t1), false);
    assert.equal(await active(s, t2), false);
    const g = await s.api('GET', `/admin/v1/clients/${c1.client_id}`);
    assert.equal(g.body.status, 'active', 'the client\'s own status is unchanged');
    assert.equal(g.body.effective_status, 'inactive', 'its effective status follows the service');
    assert.equal((await s.token(other.client_id, other.client_secret)).status, 200, 'other services are unaffected');

    assert.equal((await s.api('POST', `/admin/v1/services/${sv.id}/activate`)).status, 200);
    assert.equal(await active(s, await acceptedWithinOneSecond(s, c1)), true);
    await acceptedWithinOneSecond(s, c2);

    // a deleted service's clients are effectively inactive too (docs/DESIGN.md R14)
    assert.equal((await s.api('DELETE', `/admin/v1/services/${sv.id}`)).status, 204);
    await refusedWithinOneSecond(s, c1);
    const r = await s.api('POST', `/admin/v1/services/${sv.id}/restore`);
    assert.equal(r.status, 200);
    assert.equal(r.body.status, 'active');
    await acceptedWithinOneSecond(s, c1);
  });

  test('a tenant PATCHed to inactive: its clients are refused and their tokens inactive, until it is active again', async () => {
    const t = await s.api('POST', '/admin/v1/tenants', { name: 'Switchable tenant' });
    assert.equal(t.status, 201);
    const sv = await s.createService('in switchable tenant', { tenant_id: t.body.id });
    const c = await s.createClient({ service_id: sv.id, scopes: ['read'] });
    const tok = (await s.token(c.client_id, c.client_secret)).body.access_token;
    assert.equal(await active(s, tok), true);

    const off = await s.api('PATCH', `/admin/v1/tenants/${t.body.id}`, { status: 'inactive' });
    assert.equal(off.status, 200, off.text);
    assert.equal(off.body.status, 'inactive');
    await refusedWithinOneSecond(s, c);
    assert.equal(await active(s, tok), false);
    assert.equal((await s.api('GET', `/admin/v1/clients/${c.client_id}`)).body.effective_status, 'inactive');
    assert.equal((await s.adminToken({ fresh: true })).length > 0, true, 'the init tenant is unaffected');

    const on = await s.api('PATCH', `/admin/v1/tenants/${t.body.id}`, { status: 'active' });
    assert.equal(on.status, 200);
    assert.equal(await active(s, await acceptedWithinOneSecond(s, c)), true);
    const bad = await s.api('PATCH', `/admin/v1/tenants/${t.body.id}`, { status: 'deleted' });
    assert.equal(bad.status, 400);
  });

  test('delete: status deleted, deleted_at, purge_at = deleted_at + retention; restore before purge_at returns it', async () => {
    const c = await s.createClient({ service_id: svc.id });
    const tok = (await s.token(c.client_id, c.client_secret)).body.access_token;
    const del = await s.api('DELETE', `/admin/v1/clients/${c.client_id}`);
    assert.equal(del.status, 200, del.text);
    assert.equal(del.body.status, 'deleted');
    assert.match(del.body.deleted_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const deletedAt = Date.parse(del.body.deleted_at);
    assert.ok(Math.abs(deletedAt - Date.now()) < 5000, 'deleted_at is now');
    assert.equal(Date.parse(del.body.purge_at) - deletedAt, 14 * 86400e3, 'purge_at = deleted_at + 14 days');
    await refusedWithinOneSecond(s, c);
    assert.equal(await active(s, tok), false);
    const g = await s.api('GET', `/admin/v1/clients/${c.client_id}`);
    assert.equal(g.status, 200, 'a deleted client can still be read');
    assert.equal(g.body.status, 'deleted');
    // deleting again changes nothing
    const again = await s.api('DELETE', `/admin/v1/clients/${c.client_id}`);
    assert.equal(again.status, 200);
    assert.equal(again.body.deleted_at, del.body.deleted_at);
    // a deleted client is not edited
    const patch = await s.api('PATCH', `/admin/v1/clients/${c.client_id}`, { name: 'ghost' });
    assert.ok(patch.status >= 400 && patch.status < 500, `PATCH of a deleted client: ${patch.status}`);

    const r = await s.api('POST', `/admin/v1/clients/${c.client_id}/restore`);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.status, 'active');
    assert.equal(r.body.deleted_at, null);
    assert.equal(r.body.purge_at, null);
    const tr = await acceptedWithinOneSecond(s, c);
    assert.equal(await active(s, tr), true, 'the same secret works after restore');
    const ev = (await s.api('GET', `/admin/v1/audit?target=${c.client_id}`)).body.items.map((e) => e.action);
    assert.ok(ev.includes('client.delete') && ev.includes('client.restore'), ev.join());
  });

  test('with --retention 2s: after purge_at, `clavis purge` (server running) removes the client; the audit keeps its story', async () => {
    const sv = await p.createService('to purge');
    const c = await p.createClient({ service_id: sv.id });
    const late = await p.createClient({ service_id: sv.id });
    const svGone = await p.createService('service to purge');
    const inSvc = await p.createClient({ service_id: svGone.id });
    assert.equal((await p.api('PATCH', `/admin/v1/clients/${c.client_id}`, { description: 'soon gone' })).status, 200);
    assert.equal((await p.token(c.client_id, c.client_secret)).status, 200);

    const del = await p.api('DELETE', `/admin/v1/clients/${c.client_id}`);
    assert.equal(del.status, 200);
    assert.equal(Date.parse(del.body.purge_at) - Date.parse(del.body.deleted_at), 2000, 'purge_at = deleted_at + 2 s');
    const del2 = await p.api('DELETE', `/admin/v1/clients/${late.client_id}`);
    assert.equal((await p.api('DELETE', `/admin/v1/services/${svGone.id}`)).status, 204);
    const svcDeleted = (await p.api('GET', `/admin/v1/services/${svGone.id}`)).body;

    // wait until every purge_at has passed
    const until = Math.max(Date.parse(del.body.purge_at), Date.parse(del2.body.purge_at), Date.parse(svcDeleted.purge_at));
    await sleep(Math.max(0, until - Date.now()) + 1100);

    // the retention is over: restore is refused
    const late2 = await p.api('POST', `/admin/v1/clients/${late.client_id}/restore`);
    assert.equal(late2.status, 409, late2.text);

    const run = await runCli(['purge', '--db', p.db]);
    assert.equal(run.code, 0, run.stderr);

    for (const id of [c.client_id, late.client_id, inSvc.client_id]) {
      const g = await p.api('GET', `/admin/v1/clients/${id}`);
      assert.equal(g.status, 404, `client ${id} is purged`);
      assert.equal((await p.api('GET', `/admin/v1/clients/${id}/secrets`)).status, 404);
      assert.equal((await p.api('POST', `/admin/v1/clients/${id}/restore`)).status, 404);
    }
    assert.equal((await p.api('GET', `/admin/v1/services/${svGone.id}`)).status, 404, 'the service is purged');
    assert.equal((await p.api('GET', `/admin/v1/services/${sv.id}`)).status, 200, 'a live service stays');
    const t = await p.token(c.client_id, c.client_secret);
    assert.equal(t.status, 401);
    assert.equal(t.body.error, 'invalid_client');
    const list = await p.listAll('/admin/v1/clients?status=deleted');
    assert.ok(!list.some((x) => x.client_id === c.client_id));

    const ev = await p.listAll(`/admin/v1/audit?target=${c.client_id}`);
    const actions = ev.map((e) => e.action);
    for (const a of ['client.create', 'client.update', 'client.delete']) assert.ok(actions.includes(a), `audit keeps ${a}: ${actions}`);
    const purge = ev.find((e) => /purge/.test(e.action));
    assert.ok(purge, `a purge event: ${actions}`);
    assert.equal(purge.target.id, c.client_id);
    assert.equal(purge.target.type, 'client');
    assert.equal(purge.actor.type, 'system');
    assert.ok(ev.indexOf(purge) === 0, 'the purge is the newest event');
    assert.ok((await p.listAll(`/admin/v1/audit?target=${inSvc.client_id}`)).some((e) => /purge/.test(e.action)),
      'the clients of a purged service are purged with an event');

    // purging again finds nothing and the server is still well
    const run2 = await runCli(['purge', '--db', p.db]);
    assert.equal(run2.code, 0, run2.stderr);
    assert.equal((await p.adminToken({ fresh: true })).length > 0, true);
  });

  test('secret rotation: add a second secret, both work, remove the first: it is refused, the second works', async () => {
    const c = await s.createClient({ service_id: svc.id });
    const add = await s.api('POST', `/admin/v1/clients/${c.client_id}/secrets`, { description: 'next' });
    assert.equal(add.status, 201, add.text);
    const second = add.body.client_secret;
    assert.notEqual(second, c.client_secret);
    assert.equal((await s.token(c.client_id, c.client_secret)).status, 200, 'old secret');
    assert.equal((await s.token(c.client_id, second)).status, 200, 'new secret');
    const used = (await s.api('GET', `/admin/v1/clients/${c.client_id}/secrets`)).body.items;
    assert.equal(used.length, 2);
    for (const it of used) assert.match(it.last_used_at ?? '', /^\d{4}-/, 'last_used_at is set once a secret is used');

    const rm = await s.api('DELETE', `/admin/v1/clients/${c.client_id}/secrets/${c.secret.secret_id}`);
    assert.equal(rm.status, 204);
    await refusedWithinOneSecond(s, c, c.client_secret);
    assert.equal((await s.token(c.client_id, second)).status, 200, 'the second secret still works');
    // with client_secret_post too
    await s.api('PATCH', `/admin/v1/clients/${c.client_id}`, { token_endpoint_auth_method: 'client_secret_post' });
    assert.equal((await s.token(c.client_id, second, { auth: 'post' })).status, 200);
    assert.equal((await s.token(c.client_id, c.client_secret, { auth: 'post' })).status, 401);
  });

  test('a secret with expires_at in ~2 s stops working after it passes', async () => {
    const c = await s.createClient({ service_id: svc.id });
    const expiresAt = inSeconds(2);
    const add = await s.api('POST', `/admin/v1/clients/${c.client_id}/secrets`, { description: 'short-lived', expires_at: expiresAt });
    assert.equal(add.status, 201, add.text);
    assert.equal(add.body.expires_at, expiresAt);
    const short = add.body.client_secret;
    assert.equal((await s.token(c.client_id, short)).status, 200, 'works before expires_at');

    const r = await waitFor(async () => {
      const t = await s.token(c.client_id, short);
      return t.status !== 200 ? t : null;
    }, { timeoutMs: 6000, intervalMs: 100, what: 'the secret to expire' });
    assert.ok(Date.now() >= Date.parse(expiresAt) - 1000, 'not refused before its expiry');
    assert.equal(r.status, 401);
    assert.equal(r.body.error, 'invalid_client');
    assert.equal((await s.token(c.client_id, c.client_secret)).status, 200, 'the other secret still works');
    const list = (await s.api('GET', `/admin/v1/clients/${c.client_id}/secrets`)).body.items;
    assert.ok(list.some((x) => x.secret_id === add.body.secret_id), 'an expired secret is still listed');
  });
});

test('the servers shut down cleanly (exit 0, no sanitizer report)', () => assertCleanShutdown(s, p));
