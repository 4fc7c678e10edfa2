// Client hygiene and open registration at scale (docs/OPERATIONS.md "Hygiene" and "Open
// registration"): a tenant's hygiene settings (PATCH /admin/v1/tenants/{id}), the purge run
// (`clavis purge --now`, the test clock) deactivating unused clients and expiring registered
// ones with system audit events, the list filters unused_since and secret_expires_before,
// the cap of --max-registered-clients and the per-address throttle of anonymous
// registration. Runs on SQLite, and on PostgreSQL when CLAVIS_TEST_STORE_URL is set.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';

import {
  assertCleanShutdown, request, runCli, sleep, start, startSecondNode, stopUnstopped, waitFor,
} from './harness.mjs';

const DAY = 86400;
let s; // the server; its init tenant gets deactivate_unused_after_days
let t2; // a second tenant: registered_client_lifetime_days only
let openSvc; // the open-registration service (in t2)
let node2; // --open-registration-service openSvc --max-registered-clients 3
let node3; // --open-registration-service openSvc (no cap): the throttle
let unused; // an m2m client of the init tenant, never used
let used; // one that gets a token after the others were made
let t0; // seconds: unused and registered were made by then, used is made 2 s later
let registered; // a client registered through node2 (in t2)
let keeper; // an admin-made client of t2, unused: t2 has no deactivate_unused_after_days

const iso = (secs) => new Date(secs * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
const nowSecs = () => Math.floor(Date.now() / 1000);

function register(base, metadata, { localAddress } = {}) {
  const body = JSON.stringify(metadata);
  const u = new URL(`${base}/register`);
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: u.hostname, port: u.port, path: u.pathname, method: 'POST', localAddress,
      headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) },
    }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (d) => { text += d; });
      res.on('end', () => {
        let json = null;
        try { json = JSON.parse(text); } catch { /* not JSON */ }
        resolve({ status: res.statusCode, headers: res.headers, text, body: json });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

const agent = (name) => ({ grant_types: ['client_credentials'], client_name: name });

async function client(id) {
  const r = await s.api('GET', `/admin/v1/clients/${encodeURIComponent(id)}`);
  assert.equal(r.status, 200, r.text);
  return r.body;
}

async function eventsOf(target) {
  const r = await s.api('GET', `/admin/v1/audit?target=${encodeURIComponent(target)}&limit=100`);
  assert.equal(r.status, 200, r.text);
  return r.body.items;
}

async function purge(at) {
  const r = await runCli(['purge', '--db', s.db, '--now', iso(at)]);
  assert.equal(r.code, 0, r.stderr);
  return r;
}

before(async () => {
  s = await start();
  await s.adminToken(); // the init client's last use: before everything below
  const t = await s.api('POST', '/admin/v1/tenants', { name: 'agents' });
  assert.equal(t.status, 201, t.text);
  t2 = t.body;
  openSvc = await s.createService('agents', { tenant_id: t2.id });
  keeper = await s.createClient({ service_id: openSvc.id, name: 'keeper' });
  node2 = await startSecondNode(s.db, ['--open-registration-service', openSvc.id,
    '--max-registered-clients', '3']);
  node3 = await startSecondNode(s.db, ['--open-registration-service', openSvc.id]);
  const apps = await s.createService('apps');
  unused = await s.createClient({ service_id: apps.id, name: 'unused' });
  const r = await register(node2.url, agent('agent-1'));
  assert.equal(r.status, 201, r.text);
  registered = r.body;
  t0 = nowSecs();
  await sleep(2100); // the use below is seconds later than every creation above
  used = await s.createClient({ service_id: apps.id, name: 'used' });
  const tok = await s.token(used.client_id, used.client_secret);
  assert.equal(tok.status, 200, tok.text);
});

after(async () => {
  await stopUnstopped(node2, node3, s);
});

describe('tenant hygiene settings (PATCH /admin/v1/tenants/{id})', () => {
  test('off by default: null in the tenant JSON', async () => {
    const r = await s.api('GET', `/admin/v1/tenants/${s.init.tenant_id}`);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.deactivate_unused_after_days, null);
    assert.equal(r.body.registered_client_lifetime_days, null);
  });

  test('bad values are 400 naming the field, and change nothing', async () => {
    for (const [field, v] of [['deactivate_unused_after_days', 0], ['deactivate_unused_after_days', -1],
      ['registered_client_lifetime_days', 3651], ['registered_client_lifetime_days', '7'],
      ['deactivate_unused_after_days', 1.5]]) {
      const r = await s.api('PATCH', `/admin/v1/tenants/${s.init.tenant_id}`, { [field]: v });
      assert.equal(r.status, 400, `${field}=${JSON.stringify(v)}: ${r.text}`);
      assert.equal(r.body.errors[0].field, field);
    }
    const r = await s.api('GET', `/admin/v1/tenants/${s.init.tenant_id}`);
    assert.equal(r.body.deactivate_unused_after_days, null);
  });

  test('set, shown, audited; null turns a setting off again', async () => {
    let r = await s.api('PATCH', `/admin/v1/tenants/${s.init.tenant_id}`,
      { deactivate_unused_after_days: 30, registered_client_lifetime_days: 7 });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.deactivate_unused_after_days, 30);
    assert.equal(r.body.registered_client_lifetime_days, 7);
    const ev = (await eventsOf(s.init.tenant_id)).find((e) => e.action === 'tenant.update');
    assert.deepEqual(ev.changes.deactivate_unused_after_days, { from: null, to: 30 });
    r = await s.api('PATCH', `/admin/v1/tenants/${s.init.tenant_id}`,
      { deactivate_unused_after_days: 1, registered_client_lifetime_days: null });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.registered_client_lifetime_days, null);
    r = await s.api('PATCH', `/admin/v1/tenants/${t2.id}`, { registered_client_lifetime_days: 1 });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.deactivate_unused_after_days, null);
  });

  test('clavis tenant update sets them from the command line', async () => {
    const env = { CLAVIS_URL: s.url, CLAVIS_CLIENT_ID: s.init.client_id, CLAVIS_CLIENT_SECRET: s.init.client_secret };
    let r = await runCli(['tenant', 'update', t2.id, '--deactivate-unused-after-days', '90', '--json'], { env });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).deactivate_unused_after_days, 90);
    r = await runCli(['tenant', 'update', t2.id, '--deactivate-unused-after-days', 'off', '--json'], { env });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).deactivate_unused_after_days, null);
    r = await runCli(['tenant', 'update', t2.id, '--deactivate-unused-after-days', 'soon'], { env });
    assert.equal(r.code, 2, 'bad usage, nothing sent');
  });
});

describe('list filters unused_since and secret_expires_before', () => {
  test('unused_since: last use (or creation) before the time', async () => {
    const ids = (await s.listAll(`/admin/v1/clients?unused_since=${iso(t0 + 1)}`)).map((c) => c.client_id);
    assert.ok(ids.includes(unused.client_id), 'never used, made before');
    assert.ok(ids.includes(registered.client_id), 'registered, never used');
    assert.ok(!ids.includes(used.client_id), 'used after the time');
    const none = await s.listAll(`/admin/v1/clients?unused_since=${iso(t0 - 3600)}`);
    assert.ok(!none.some((c) => [unused.client_id, used.client_id].includes(c.client_id)));
  });

  test('combined with other filters and cursor paging', async () => {
    const all = await s.listAll(`/admin/v1/clients?unused_since=${iso(t0 + 1)}&service_id=${openSvc.id}`);
    const ids = all.map((c) => c.client_id).sort();
    assert.deepEqual(ids, [keeper.client_id, registered.client_id].sort());
    const paged = [];
    let cursor = null;
    do {
      const q = `/admin/v1/clients?unused_since=${iso(t0 + 1)}&service_id=${openSvc.id}&limit=1` +
        (cursor ? `&cursor=${encodeURIComponent(cursor)}` : '');
      const r = await s.api('GET', q);
      assert.equal(r.status, 200, r.text);
      assert.ok(r.body.items.length <= 1);
      paged.push(...r.body.items.map((c) => c.client_id));
      cursor = r.body.next_cursor;
    } while (cursor);
    assert.deepEqual(paged.sort(), ids);
  });

  test('secret_expires_before: a secret that expires before the time', async () => {
    const soon = iso(nowSecs() + 3 * DAY);
    const r = await s.api('POST', `/admin/v1/clients/${unused.client_id}/secrets`, { expires_at: soon });
    assert.equal(r.status, 201, r.text);
    let ids = (await s.listAll(`/admin/v1/clients?secret_expires_before=${iso(nowSecs() + 4 * DAY)}`))
      .map((c) => c.client_id);
    assert.ok(ids.includes(unused.client_id));
    assert.ok(!ids.includes(used.client_id), 'its only secret expires in a year');
    assert.ok(!ids.includes(s.init.client_id), 'a secret that never expires');
    ids = (await s.listAll(`/admin/v1/clients?secret_expires_before=${iso(nowSecs() + 400 * DAY)}`))
      .map((c) => c.client_id);
    assert.ok(ids.includes(used.client_id));
  });

  test('a bad time is 400 naming the parameter', async () => {
    for (const p of ['unused_since', 'secret_expires_before']) {
      const r = await s.api('GET', `/admin/v1/clients?${p}=yesterday`);
      assert.equal(r.status, 400, r.text);
      assert.equal(r.body.errors[0].field, p);
    }
  });

  test('clavis client list --unused-since / --secret-expires-before', async () => {
    const env = { CLAVIS_URL: s.url, CLAVIS_CLIENT_ID: s.init.client_id, CLAVIS_CLIENT_SECRET: s.init.client_secret };
    let r = await runCli(['client', 'list', '--unused-since', iso(t0 + 1), '--all', '--json'], { env });
    assert.equal(r.code, 0, r.stderr);
    const ids = JSON.parse(r.stdout).items.map((c) => c.client_id);
    assert.ok(ids.includes(unused.client_id) && !ids.includes(used.client_id));
    r = await runCli(['client', 'list', '--secret-expires-before', iso(nowSecs() + 4 * DAY), '--json'], { env });
    assert.equal(r.code, 0, r.stderr);
    assert.ok(JSON.parse(r.stdout).items.some((c) => c.client_id === unused.client_id));
    r = await runCli(['client', 'list', '--unused-since', 'last week'], { env });
    assert.equal(r.code, 2, 'bad usage, nothing sent');
  });
});

describe('the purge run deactivates what went unused (clavis purge --now)', () => {
  test('a day later: unused clients and unused registered clients are deactivated', async () => {
    const r = await purge(t0 + DAY + 1);
    assert.match(r.stdout, /^purged 0, deactivated 2, deleted 0$/m);
    assert.equal((await client(unused.client_id)).status, 'inactive');
    assert.equal((await client(registered.client_id)).status, 'inactive', 'registered, unused for its lifetime');
    assert.equal((await client(used.client_id)).status, 'active', 'used since');
    assert.equal((await client(s.init.client_id)).status, 'active', 'protected: never');
    assert.equal((await client(keeper.client_id)).status, 'active', 'its tenant deactivates no unused client');
    for (const c of [unused, registered]) {
      const ev = (await eventsOf(c.client_id)).find((e) => e.action === 'client.deactivate');
      assert.ok(ev, `an event for ${c.client_id}`);
      assert.deepEqual(ev.actor, { type: 'system', id: 'hygiene' });
      assert.deepEqual(ev.changes.status, { from: 'active', to: 'inactive' });
    }
    assert.ok(!(await eventsOf(used.client_id)).some((e) => e.actor.type === 'system'));
  });

  test('a deactivated client stops getting tokens on the running server', async () => {
    await waitFor(async () => (await s.token(unused.client_id, unused.client_secret)).status === 401,
      { what: 'the deactivation seen by the server' });
  });

  test('running it again at the same time changes nothing more', async () => {
    const before = (await eventsOf(unused.client_id)).length;
    await purge(t0 + DAY + 1);
    assert.equal((await eventsOf(unused.client_id)).length, before);
  });

  test('another lifetime later the registered client is deleted, then purged after the retention', async () => {
    const later = nowSecs() + 2 * DAY + 60;
    await purge(later);
    const del = await s.api('GET', `/admin/v1/clients/${registered.client_id}`);
    assert.equal(del.body.status, 'deleted');
    const ev = (await eventsOf(registered.client_id)).find((e) => e.action === 'client.delete');
    assert.deepEqual(ev.actor, { type: 'system', id: 'hygiene' });
    assert.deepEqual(ev.changes.status, { from: 'inactive', to: 'deleted' });
    assert.equal((await client(unused.client_id)).status, 'inactive', 'not registered: never deleted');
    assert.equal((await client(used.client_id)).status, 'inactive', 'unused since, by then');
    await purge(later + 15 * DAY);
    assert.equal((await s.api('GET', `/admin/v1/clients/${registered.client_id}`)).status, 404);
    const gone = (await eventsOf(registered.client_id)).find((e) => e.action === 'purge');
    assert.deepEqual(gone.actor, { type: 'system', id: 'purge' });
  });

  test('clavis purge --now refuses a bad time, and serve does not take it', async () => {
    let r = await runCli(['purge', '--db', s.db, '--now', 'tomorrow']);
    assert.equal(r.code, 2);
    r = await runCli(['serve', '--db', s.db, '--now', iso(nowSecs())]);
    assert.equal(r.code, 2);
  });
});

describe('open registration at scale', () => {
  test('--max-registered-clients: beyond the cap 400 invalid_client_metadata with the reason', async () => {
    // the cap counts the service's registered clients that are not deleted: registered
    // (above) was deleted by the hygiene, so three more fit
    const made = [];
    for (let i = 0; i < 3; i++) {
      const r = await register(node2.url, agent(`capped-${i}`));
      assert.equal(r.status, 201, r.text);
      made.push(r.body);
    }
    const over = await register(node2.url, agent('one too many'));
    assert.equal(over.status, 400, over.text);
    assert.equal(over.body.error, 'invalid_client_metadata');
    assert.match(over.body.error_description, /limit of 3 registered clients/);
    const m = await (await fetch(`${node2.url}/metrics`)).text();
    assert.match(m, /^clavis_registrations_total\{result="capped"\} [1-9]/m, 'counted in /metrics');
    const cut = await request(`${node2.url}/register/${made[0].client_id}`, {
      method: 'DELETE', headers: { Authorization: `Bearer ${made[0].registration_access_token}` },
    });
    assert.equal(cut.status, 204, cut.text);
    const again = await register(node2.url, agent('room again'));
    assert.equal(again.status, 201, again.text);
    const created = (await eventsOf(again.body.client_id)).find((e) => e.action === 'client.create');
    assert.deepEqual(created.actor, { type: 'registration', id: 'open' });
  });

  test('throttled per address: a burst, then 429 with Retry-After; another address still registers', async () => {
    let last = null;
    let ok = 0;
    for (let i = 0; i < 25; i++) {
      last = await register(node3.url, agent(`burst-${i}`), { localAddress: '127.0.0.1' });
      if (last.status !== 201) break;
      ok++;
    }
    assert.equal(ok, 20, 'the burst');
    assert.equal(last.status, 429, last.text);
    assert.ok(Number(last.headers['retry-after']) >= 1, `Retry-After: ${last.headers['retry-after']}`);
    const other = await register(node3.url, agent('elsewhere'), { localAddress: '127.0.0.2' });
    assert.equal(other.status, 201, other.text);
    const still = await register(node3.url, agent('again'), { localAddress: '127.0.0.1' });
    assert.equal(still.status, 429, 'the first address still waits');
    // and /metrics counts them by result (docs/DESIGN.md R29)
    const text = await (await fetch(`${node3.url}/metrics`)).text();
    const count = (result) => Number(new RegExp(`^clavis_registrations_total\\{result="${result}"\\} (\\d+)$`, 'm').exec(text)?.[1]);
    assert.equal(count('created'), 21, text);
    assert.equal(count('throttled'), 2);
    assert.equal(count('capped'), 0);
  });
});

test('the servers shut down cleanly (exit 0, no sanitizer report)', async () => {
  await assertCleanShutdown(node2, node3);
  await assertCleanShutdown(s);
});
