// Durability under kills on PostgreSQL (docs/DESIGN.md I6; docs/OPERATIONS.md "PostgreSQL"):
// under a mixed write load (client creates, secret adds, refresh rotations) PostgreSQL is
// stopped at once (pg_ctl stop -m immediate) and started again — the node answers 503
// meanwhile, recovers by itself (/readyz 503, then 200, no restart) and every change it
// acknowledged is there; then a node is killed (SIGKILL) under the same load and a new node
// finds everything. A /token for an m2m client while the database is down is 503 once the
// cache's time limit has passed (docs/DESIGN.md D "database down").
//
// Runs only on PostgreSQL (make e2e-pg), on a private cluster of its own (scripts/pg.sh with
// CLAVIS_PG_DIR and PostgreSQL's durable defaults), so that stopping it leaves the cluster
// of the other tests alone.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as client from 'openid-client';
import { Browser, parseForm } from './browser.mjs';
import { protocolPost, request, sleep, start, startSecondNode, stopUnstopped, waitFor } from './harness.mjs';

const PG = /^postgres(ql)?:\/\//.test(process.env.CLAVIS_TEST_STORE_URL ?? '');
const PG_SH = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'scripts', 'pg.sh');
const CB = 'http://127.0.0.1:9/cb';
const PASSWORD = 'alice-password-1';

describe('durability under kills (PostgreSQL)', { skip: !PG && 'PostgreSQL only (make e2e-pg)' }, () => {
  let dir;
  let env;
  let a;
  let svc;
  let pub;
  let m2m; // a client whose secrets the load adds

  const pg = (cmd) => {
    const r = spawnSync('bash', [PG_SH, cmd], { env, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`pg.sh ${cmd}: ${r.stderr}`);
    return r.stdout.trim();
  };

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'clavis-pgkill-'));
    await chmod(dir, 0o755); // the postgres user runs the cluster when we are root
    env = { ...process.env, CLAVIS_PG_DIR: path.join(dir, 'pg'), CLAVIS_PG_DURABLE: '1' };
    const url = pg('start');
    const shared = process.env.CLAVIS_TEST_STORE_URL;
    process.env.CLAVIS_TEST_STORE_URL = url; // start() makes its database in our cluster
    try {
      a = await start();
    } finally {
      process.env.CLAVIS_TEST_STORE_URL = shared;
    }
    svc = await a.createService('kill');
    pub = await a.createClient({ service_id: svc.id, type: 'public', redirect_uris: [CB],
      scopes: ['openid', 'offline_access'], allow_refresh_token: true });
    m2m = await a.createClient({ service_id: svc.id, scopes: ['read'] });
    const u = await a.api('POST', '/admin/v1/users', { username: 'alice', password: PASSWORD });
    assert.equal(u.status, 201, u.text);
  });
  after(async () => {
    await stopUnstopped(a);
    if (env) pg('stop');
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /** A refresh chain: signs alice in at base and redeems the code. */
  async function chain(base) {
    const br = new Browser();
    const verifier = client.randomPKCECodeVerifier();
    const q = new URLSearchParams({ response_type: 'code', client_id: pub.client_id, redirect_uri: CB,
      scope: 'openid offline_access', state: client.randomState(),
      code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256' });
    const form = parseForm((await br.get(`${base}/authorize?${q}`)).text);
    const r = await br.post(form.action, { ...form.fields, username: 'alice', password: PASSWORD });
    const code = new URL(r.location).searchParams.get('code');
    const t = await protocolPost(base, '/token', { params: { grant_type: 'authorization_code', code,
      redirect_uri: CB, client_id: pub.client_id, code_verifier: verifier } });
    assert.equal(t.status, 200, t.text);
    return { refresh: t.body.refresh_token, access: t.body.access_token, rotations: 0 };
  }

  const refresh = (base, token) => protocolPost(base, '/token', { params: {
    grant_type: 'refresh_token', refresh_token: token, client_id: pub.client_id } });

  /**
   * The mixed write load on base until stop() — what it acknowledged: clients created,
   * secrets added, and per chain the last refresh token (with its access token) answered.
   */
  function load(base, chains) {
    const done = { clients: [], secrets: [], chains, failed: 0 };
    let running = true;
    const call = async (fn) => {
      try { return await fn(); } catch { done.failed++; await sleep(20); return null; } // node gone
    };
    const api = async (method, p, body) => request(`${base}${p}`, { method, body: JSON.stringify(body),
      headers: { Authorization: `Bearer ${await a.adminToken()}`, 'Content-Type': 'application/json' } });
    const loops = [
      async () => {
        while (running) {
          const r = await call(() => api('POST', '/admin/v1/clients', { service_id: svc.id, type: 'm2m', name: 'load' }));
          if (r?.status === 201) done.clients.push(r.body.client_id);
          else if (r) { done.failed++; await sleep(20); }
        }
      },
      async () => {
        while (running) {
          const r = await call(() => api('POST', `/admin/v1/clients/${m2m.client_id}/secrets`, {}));
          if (r?.status === 201) done.secrets.push(r.body.secret_id);
          else if (r) { done.failed++; await sleep(20); }
        }
      },
      ...chains.map((ch) => async () => {
        while (running) {
          const r = await call(() => refresh(base, ch.refresh));
          if (r?.status === 200) {
            Object.assign(ch, { refresh: r.body.refresh_token, access: r.body.access_token });
            ch.rotations++;
          } else if (r) { done.failed++; await sleep(20); }
        }
      }),
    ];
    const all = Promise.all(loops.map((f) => f()));
    return { done, async stop() { running = false; await all; } };
  }

  /** Every acknowledged change of done is there, as node base sees it. */
  async function assertAllThere(base, done) {
    const adminGet = async (p) => request(`${base}${p}`, { headers: { Authorization: `Bearer ${await a.adminToken()}` } });
    for (const id of done.clients) {
      const r = await adminGet(`/admin/v1/clients/${id}`);
      assert.equal(r.status, 200, `acknowledged client ${id} lost: ${r.text}`);
    }
    const listed = (await adminGet(`/admin/v1/clients/${m2m.client_id}/secrets`)).body;
    const have = new Set((listed.items ?? listed).map((s) => s.secret_id));
    for (const id of done.secrets) assert.ok(have.has(id), `acknowledged secret ${id} lost`);
    for (const ch of done.chains) {
      // The last refresh token answered works — unless the request after it, in flight at
      // the kill, committed without its answer: then the token counts as reused and its
      // family is revoked, which its access token shows. Were the token lost, it would be
      // refused without revoking anything and that access token would stay active.
      const r = await refresh(base, ch.refresh);
      if (r.status === 200) continue;
      assert.equal(r.body.error, 'invalid_grant', r.text);
      const i = await protocolPost(base, '/introspect', { clientId: a.init.client_id,
        clientSecret: a.init.client_secret, params: { token: ch.access } });
      assert.equal(i.body.active, false, 'an acknowledged refresh token was lost');
    }
  }

  test('PostgreSQL stopped at once under load: 503 meanwhile, recovery without restart, nothing acknowledged lost', async (t) => {
    const chains = [await chain(a.url), await chain(a.url)];
    const l = load(a.url, chains);
    await sleep(1500);
    pg('crash');
    const down = Date.now();
    await sleep(1200); // past the caches' 500 ms: nothing is answered from memory any more
    const ready = await request(`${a.url}/readyz`);
    assert.equal(ready.status, 503);
    assert.equal(ready.body.status, 'database unavailable');
    for (let i = 0; i < 4; i++) {
      const t = await a.token(m2m.client_id, m2m.client_secret);
      assert.equal(t.status, 503, t.text);
      assert.equal(t.body.error, 'temporarily_unavailable');
      assert.equal(t.headers.get('retry-after'), '1');
    }
    pg('resume');
    await waitFor(async () => (await request(`${a.url}/readyz`)).status === 200, { timeoutMs: 30000, what: 'readyz 200' });
    // the change listener is back too (src/core/changes.c)
    await waitFor(() => /listening for other nodes' changes again/.test(a.stdout + a.stderr),
      { timeoutMs: 10000, what: 'the change listener back' });
    t.diagnostic(`database down for ${((Date.now() - down) / 1000).toFixed(1)} s`);
    await sleep(300);
    await l.stop();
    const d = l.done;
    t.diagnostic(`acknowledged: ${d.clients.length} clients, ${d.secrets.length} secrets, ` +
      `${d.chains.reduce((n, c) => n + c.rotations, 0)} rotations; ${d.failed} refused or failed`);
    assert.ok(d.clients.length > 0 && d.secrets.length > 0 && d.chains.every((c) => c.rotations > 0), 'the load ran');
    await assertAllThere(a.url, d);
    // and the node writes again, without a restart
    assert.equal((await a.token(m2m.client_id, m2m.client_secret)).status, 200);
  });

  test('a node killed (SIGKILL) under load: a new node finds everything it acknowledged', async (t) => {
    const b = await startSecondNode(a.db, [], { issuer: a.url });
    const chains = [await chain(b.url), await chain(b.url)];
    const l = load(b.url, chains);
    await sleep(1500);
    await b.crash();
    await l.stop();
    const c = await startSecondNode(a.db, [], { issuer: a.url });
    try {
      const d = l.done;
      t.diagnostic(`acknowledged: ${d.clients.length} clients, ${d.secrets.length} secrets, ` +
        `${d.chains.reduce((n, x) => n + x.rotations, 0)} rotations`);
      assert.ok(d.clients.length > 0 && d.secrets.length > 0, 'the load ran');
      await assertAllThere(c.url, d);
    } finally {
      await c.stop();
    }
  });

  test('the node shuts down cleanly', async () => {
    await a.stop();
  });
});
