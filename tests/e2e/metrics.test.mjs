// GET /metrics (docs/OPERATIONS.md "Metrics", docs/DESIGN.md R29): the Prometheus text
// format checked by promtool after real traffic; counters that move with what happens
// (a token issued, a wrong secret, an inactive client, a throttled try); endpoint labels
// that are route patterns, never raw paths; per-client series bounded by --metrics-clients
// with the rest under client_id="other"; and --metrics-listen, which moves the endpoint to
// an address of its own.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { assertCleanShutdown, freePort, request, start, stopUnstopped } from './harness.mjs';

/** The samples of an exposition: [{name, labels: {…}, value}]. */
function parse(text) {
  const out = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    assert.ok(m, `not a sample line: ${line}`);
    const labels = {};
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]] = l[2];
    out.push({ name: m[1], labels, value: Number(m[3]) });
  }
  return out;
}

/** The value of the sample name{labels} (exactly those labels), 0 when absent. */
function value(samples, name, labels = {}) {
  const keys = Object.keys(labels);
  const s = samples.find((x) => x.name === name && Object.keys(x.labels).length === keys.length
    && keys.every((k) => x.labels[k] === labels[k]));
  return s ? s.value : 0;
}

async function scrape(url) {
  const r = await request(url + '/metrics');
  assert.equal(r.status, 200, r.text);
  assert.match(r.headers.get('content-type'), /^text\/plain; version=0\.0\.4/);
  return { text: r.text, samples: parse(r.text) };
}

/** promtool check metrics on text: resolves {code, out}. */
function promtool(text) {
  return new Promise((resolve, reject) => {
    const p = spawn('promtool', ['check', 'metrics'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (d) => { out += d; });
    p.stderr.on('data', (d) => { out += d; });
    p.on('error', (e) => reject(new Error(`promtool (Debian package prometheus, scripts/deps.sh test): ${e.message}`)));
    p.on('close', (code) => resolve({ code, out }));
    p.stdin.end(text);
  });
}

describe('/metrics', () => {
  let srv;
  let small;
  let separate;
  let metricsUrl;
  let svc;
  let smallSvc;
  before(async () => {
    srv = await start();
    small = await start({ args: ['--metrics-clients', '2'] });
    svc = (await srv.createService()).id;
    smallSvc = (await small.createService()).id;
    const mport = await freePort();
    metricsUrl = `http://127.0.0.1:${mport}`;
    separate = await start({ env: { CLAVIS_METRICS_LISTEN: `127.0.0.1:${mport}` } });
  });
  after(() => stopUnstopped(srv, small, separate));

  test('after real traffic promtool accepts the scrape, with every family of R29', async () => {
    const c = await srv.createClient({ service_id: svc });
    assert.equal((await srv.token(c.client_id, c.client_secret)).status, 200);
    assert.equal((await srv.token(c.client_id, 'clv_wrong')).status, 401);
    assert.equal((await srv.token('no-such-client', 'x')).status, 401);
    assert.equal((await srv.api('GET', `/admin/v1/clients/${c.client_id}`)).status, 200);
    assert.equal((await request(srv.url + '/no/such/path')).status, 404);
    const { text, samples } = await scrape(srv.url);
    const check = await promtool(text);
    assert.equal(check.code, 0, `promtool check metrics:\n${check.out}\n${text}`);
    for (const name of ['clavis_http_requests_total', 'clavis_http_request_duration_seconds',
      'clavis_tokens_issued_total', 'clavis_client_auth_failures_total', 'clavis_clients',
      'clavis_client_tokens_issued_total', 'clavis_build_info']) {
      assert.match(text, new RegExp(`^# TYPE ${name} (counter|gauge|histogram)$`, 'm'), name);
    }
    assert.ok(value(samples, 'clavis_build_info', { version: '0.1.0' }) === 1, 'build_info');
    assert.ok(value(samples, 'clavis_clients', { status: 'active' }) >= 1);
    for (const cause of ['wrong_secret', 'expired_secret', 'unknown_client', 'inactive_client',
      'inactive_service', 'throttled']) {
      assert.ok(samples.some((s) => s.name === 'clavis_client_auth_failures_total'
        && s.labels.cause === cause && !('client_id' in s.labels)), cause);
    }
    assert.ok(value(samples, 'clavis_client_auth_failures_total', { cause: 'unknown_client' }) >= 1);
    // endpoints are route patterns: the client's id and the unknown path never show
    const endpoints = new Set(samples.filter((s) => 'endpoint' in s.labels).map((s) => s.labels.endpoint));
    assert.ok(endpoints.has('/token'));
    assert.ok(endpoints.has('/admin/v1/clients/{id}'), [...endpoints].join(' '));
    assert.ok(endpoints.has('other'));
    for (const e of endpoints) assert.ok(!e.includes(c.client_id) && !e.includes('/no/such'), e);
    // an unknown client_id is never a per-client series
    assert.ok(!samples.some((s) => s.labels.client_id === 'no-such-client'));
    // the histogram is cumulative and ends with its count
    const inf = value(samples, 'clavis_http_request_duration_seconds_bucket', { endpoint: '/token', le: '+Inf' });
    assert.equal(inf, value(samples, 'clavis_http_request_duration_seconds_count', { endpoint: '/token' }));
    assert.ok(inf >= 3);
  });

  test('counters move: a token, a wrong secret, an inactive client, a throttled try', async () => {
    const c = await srv.createClient({ service_id: svc });
    const id = c.client_id;
    const before = (await scrape(srv.url)).samples;
    assert.equal((await srv.token(id, c.client_secret)).status, 200);
    assert.equal((await srv.token(id, 'clv_wrong')).status, 401);
    let after = (await scrape(srv.url)).samples;
    const diff = (name, labels) => value(after, name, labels) - value(before, name, labels);
    assert.equal(diff('clavis_tokens_issued_total', { grant: 'client_credentials' }), 1);
    assert.equal(diff('clavis_client_tokens_issued_total', { client_id: id }), 1);
    assert.equal(diff('clavis_client_auth_failures_total', { cause: 'wrong_secret' }), 1);
    assert.equal(diff('clavis_client_auth_failures_total', { client_id: id, cause: 'wrong_secret' }), 1);
    assert.equal(diff('clavis_http_requests_total', { endpoint: '/token', status: '200' }), 1);
    assert.equal(diff('clavis_http_requests_total', { endpoint: '/token', status: '401' }), 1);
    assert.equal(diff('clavis_http_requests_total', { endpoint: '/metrics', status: '200' }), 1);

    assert.equal((await srv.api('POST', `/admin/v1/clients/${id}/deactivate`)).status, 200);
    assert.equal((await srv.token(id, c.client_secret)).status, 401);
    after = (await scrape(srv.url)).samples;
    assert.equal(diff('clavis_client_auth_failures_total', { client_id: id, cause: 'inactive_client' }), 1);
    assert.equal(diff('clavis_client_auth_failures_total', { cause: 'inactive_client' }), 1);

    // ten wrong secrets from one address, then the eleventh try waits (docs/OPERATIONS.md
    // "Throttling"): counted as throttled
    const t = await srv.createClient({ service_id: svc });
    for (let i = 0; i < 10; i++) assert.equal((await srv.token(t.client_id, 'clv_wrong')).status, 401);
    assert.equal((await srv.token(t.client_id, t.client_secret)).status, 429);
    after = (await scrape(srv.url)).samples;
    assert.equal(diff('clavis_client_auth_failures_total', { client_id: t.client_id, cause: 'wrong_secret' }), 10);
    assert.equal(diff('clavis_client_auth_failures_total', { client_id: t.client_id, cause: 'throttled' }), 1);
    assert.equal(diff('clavis_client_auth_failures_total', { cause: 'throttled' }), 1);
  });

  test('--metrics-clients 2: five active clients give at most two named series and "other"', async () => {
    const clients = [];
    for (let i = 0; i < 5; i++) clients.push(await small.createClient({ service_id: smallSvc }));
    for (const [i, c] of clients.entries()) {
      for (let k = 0; k <= i; k++) assert.equal((await small.token(c.client_id, c.client_secret)).status, 200);
      assert.equal((await small.token(c.client_id, 'clv_wrong')).status, 401);
    }
    const { text, samples } = await scrape(small.url);
    assert.equal((await promtool(text)).code, 0);
    const named = (name) => new Set(samples.filter((s) => s.name === name && 'client_id' in s.labels)
      .map((s) => s.labels.client_id));
    for (const name of ['clavis_client_tokens_issued_total', 'clavis_client_auth_failures_total']) {
      const ids = named(name);
      assert.ok(ids.has('other'), `${name}: ${[...ids]}`);
      ids.delete('other');
      assert.ok(ids.size <= 2, `${name}: ${[...ids]}`);
    }
    // nothing is lost: the per-client series sum to the totals (the init client's admin
    // token is one of them)
    const sum = samples.filter((s) => s.name === 'clavis_client_tokens_issued_total').reduce((a, s) => a + s.value, 0);
    const total = samples.filter((s) => s.name === 'clavis_tokens_issued_total').reduce((a, s) => a + s.value, 0);
    assert.equal(sum, total);
    assert.equal(total, 1 + 15);
    const fails = samples.filter((s) => s.name === 'clavis_client_auth_failures_total' && s.labels.client_id)
      .reduce((a, s) => a + s.value, 0);
    assert.equal(fails, value(samples, 'clavis_client_auth_failures_total', { cause: 'wrong_secret' }));
    // the busiest client (6 requests) is named
    assert.ok(named('clavis_client_tokens_issued_total').has(clients[4].client_id));
  });

  test('throttled tries with invented client_ids never push a real client into "other"', async () => {
    // --metrics-clients 1: with them named, ten throttled tries of one invented id would
    // outrank the real client and take its series
    const one = await start({ args: ['--metrics-clients', '1'] });
    try {
      const c = await one.createClient({ service_id: (await one.createService()).id });
      for (let i = 0; i < 5; i++) assert.equal((await one.token(c.client_id, c.client_secret)).status, 200);
      // ten wrong tries of one invented id: its pair must wait (docs/OPERATIONS.md
      // "Throttling"), then tries of it are throttled
      const statuses = [];
      for (let i = 0; i < 10; i++) statuses.push((await one.token('invented-pair', 'x')).status);
      for (let i = 0; i < 10; i++) statuses.push((await one.token('invented-pair', 'x')).status);
      // twenty more invented ids make the address wait: every id is throttled then
      for (let i = 0; i < 20; i++) statuses.push((await one.token(`invented-${i}`, 'x')).status);
      for (let i = 0; i < 10; i++) statuses.push((await one.token('invented-addr', 'x')).status);
      const throttled = statuses.filter((s) => s === 429).length;
      assert.ok(throttled >= 10, statuses.join(' '));
      const { samples } = await scrape(one.url);
      const named = samples.filter((s) => s.name.startsWith('clavis_client_') && 'client_id' in s.labels);
      assert.ok(!named.some((s) => s.labels.client_id.startsWith('invented')),
        named.map((s) => s.labels.client_id).join(' '));
      assert.equal(value(samples, 'clavis_client_tokens_issued_total', { client_id: c.client_id }), 5);
      // counted all the same: in the total and, per client, as "other"
      assert.equal(value(samples, 'clavis_client_auth_failures_total', { cause: 'throttled' }), throttled);
      assert.equal(value(samples, 'clavis_client_auth_failures_total', { client_id: 'other', cause: 'throttled' }),
        throttled);
      await assertCleanShutdown(one);
    } finally {
      await stopUnstopped(one);
    }
  });

  test('--metrics-listen: /metrics only there, and nothing else there', async () => {
    assert.equal((await request(separate.url + '/metrics')).status, 404);
    const r = await request(metricsUrl + '/metrics');
    assert.equal(r.status, 200);
    assert.equal((await promtool(r.text)).code, 0);
    assert.equal((await request(metricsUrl + '/token')).status, 404);
    assert.equal((await request(metricsUrl + '/.well-known/openid-configuration')).status, 404);
    assert.ok(r.headers.get('x-request-id'));
  });

  test('bad --metrics-clients and --metrics-listen stop start-up', async () => {
    const { runCli } = await import('./harness.mjs');
    let r = await runCli(['serve', '--metrics-clients', '-1', '--db', '/nonexistent.db']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--metrics-clients must be 0 to 10000/);
    r = await runCli(['serve', '--db', '/nonexistent.db'], { env: { CLAVIS_METRICS_CLIENTS: 'many' } });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /CLAVIS_METRICS_CLIENTS must be 0 to 10000/);
    r = await runCli(['serve', '--listen', `127.0.0.1:${await freePort()}`, '--db', srv.db,
      '--metrics-listen', 'nowhere']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /--metrics-listen must be HOST:PORT/);
  });

  test('the servers shut down cleanly', async () => {
    await assertCleanShutdown(srv, small, separate);
  });
});
