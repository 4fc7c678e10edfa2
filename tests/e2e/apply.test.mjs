// clavis export / clavis apply (docs/CLI.md, docs/DESIGN.md D12): export a seeded server and
// apply it to itself (nothing planned) and to a fresh server (everything created, new
// secrets printed once and working at /token through openid-client), a changed field
// planned as "~", --dry-run changing nothing, --prune deleting softly but never the
// protected init client, a malformed file named by line:column with exit 2 and nothing
// changed, and names the server holds twice refused.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Ajv2020 from 'ajv/dist/2020.js';
import * as client from 'openid-client';
import { assertCleanShutdown, runCli, start, stopUnstopped } from './harness.mjs';

const SCHEMA = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../docs/apply.schema.json');

describe('clavis export and apply', () => {
  let a; // the seeded server
  let b; // a fresh one
  let dir;
  let exported; // the export of a, as text

  const envOf = (s) => ({
    HOME: dir,
    XDG_CONFIG_HOME: '',
    CLAVIS_PROFILE: path.join(dir, 'profile.json'),
    CLAVIS_URL: s.url,
    CLAVIS_CLIENT_ID: s.init.client_id,
    CLAVIS_CLIENT_SECRET: s.init.client_secret,
  });
  const cli = (s, args, input) => runCli(args, { env: envOf(s), input });
  const ok = (r, what = '') => {
    assert.equal(r.code, 0, `${what}: exit 0, got ${r.code}: ${r.stdout}${r.stderr}`);
    return r;
  };
  const file = async (name, doc) => {
    const p = path.join(dir, name);
    await writeFile(p, typeof doc === 'string' ? doc : JSON.stringify(doc, null, 2));
    return p;
  };
  /** Every service and client of the server as the API shows them (the state to compare). */
  const snapshot = async (s) => ({
    services: await s.listAll('/admin/v1/services'),
    clients: await s.listAll('/admin/v1/clients'),
  });

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'clavis-apply-'));
    [a, b] = await Promise.all([start(), start()]);
    const shop = await a.createService('Shop', { description: 'Online shop' });
    await a.createClient({ service_id: shop.id, name: 'web', type: 'confidential',
      redirect_uris: ['https://shop.example.com/callback'], scopes: ['openid', 'profile'],
      allow_refresh_token: true, contacts: ['ops@shop.example.com'], logo_uri: 'https://shop.example.com/logo.png' });
    await a.createClient({ service_id: shop.id, name: 'spa', type: 'public',
      redirect_uris: ['http://127.0.0.1:5173/callback'], scopes: ['openid'],
      allowed_cors_origins: ['http://127.0.0.1:5173'] });
    const worker = await a.createClient({ service_id: shop.id, name: 'worker', type: 'm2m',
      scopes: ['jobs.run'], audience: ['https://jobs.example.com'], access_token_lifetime: 600 });
    assert.equal((await a.api('POST', `/admin/v1/clients/${worker.client_id}/deactivate`)).status, 200);
    const billing = await a.createService('Billing');
    await a.createClient({ service_id: billing.id, name: 'invoicer', type: 'm2m', scopes: ['invoices'] });
    assert.equal((await a.api('POST', `/admin/v1/services/${billing.id}/deactivate`)).status, 200);
  });
  after(async () => {
    await stopUnstopped(a, b);
    await rm(dir, { recursive: true, force: true });
  });

  test('export then apply to the same server plans nothing', async () => {
    const r = ok(await cli(a, ['export']), 'export');
    exported = r.stdout;
    const doc = JSON.parse(exported);
    assert.equal(doc.version, 1);
    assert.deepEqual(doc.services.map((s) => [s.name, s.status]),
      [['Billing', 'inactive'], ['Clavis administration', 'active'], ['Shop', 'active']]);
    const shop = doc.services.find((s) => s.name === 'Shop');
    assert.deepEqual(shop.clients.map((c) => [c.name, c.type, c.status]),
      [['spa', 'public', 'active'], ['web', 'confidential', 'active'], ['worker', 'm2m', 'inactive']]);
    const web = shop.clients.find((c) => c.name === 'web');
    assert.deepEqual(web.contacts, ['ops@shop.example.com']);
    for (const key of ['client_id', 'id', 'service_id', 'version', 'created_at', 'client_secret',
      'grant_types', 'effective_status', 'protected', 'environment', 'last_used_at']) {
      assert.ok(!(key in web), `${key} is not in the file`);
    }
    assert.ok(!exported.includes('clv_'), 'no secret in the export');

    const before_ = await snapshot(a);
    const p = await file('same.json', exported);
    const applied = ok(await cli(a, ['apply', '-f', p]), 'apply');
    assert.match(applied.stdout, /^No changes: the server matches the file\.$/m);
    assert.doesNotMatch(applied.stdout, /^[+~-] /m);
    assert.deepEqual(await snapshot(a), before_, 'nothing changed');
    // the protected init client is the server's own: not in the export, never pruned
    assert.deepEqual(doc.services.find((s) => s.name === 'Clavis administration').clients, []);
    const pruned = ok(await cli(a, ['apply', '-f', p, '--prune', '--json']), 'apply --prune');
    const result = JSON.parse(pruned.stdout);
    assert.equal(result.done, 0);
    assert.ok(result.plan.every((x) => x.op === 'keep'), JSON.stringify(result.plan));
    assert.ok(result.plan.some((x) => x.name === 'clavis-init'));
  });

  test('apply to a fresh server creates everything and prints each new secret once', async () => {
    const p = await file('fresh.json', exported);
    const dry = ok(await cli(b, ['apply', '-f', p, '--dry-run']), 'dry run');
    assert.match(dry.stdout, /^\+ service Shop$/m);
    assert.match(dry.stdout, /^\+ client Shop\/web \(confidential\)$/m);
    assert.match(dry.stdout, /^\+ client Shop\/worker \(m2m\)\n {4}~ status: "active" → "inactive"$/m);
    assert.match(dry.stdout, /^Plan: 6 to create, 0 to change, 0 to delete\.$/m);
    assert.equal((await b.listAll('/admin/v1/services')).length, 1, '--dry-run created nothing');

    const r = ok(await cli(b, ['apply', '-f', p]), 'apply');
    assert.match(r.stderr, /Store this secret now/);
    const secrets = [...r.stdout.matchAll(/^created client (\S+): (\S+)\n {4}client_secret: (clv_\S+)$/gm)]
      .map((m) => ({ name: m[1], client_id: m[2], secret: m[3] }));
    assert.deepEqual(secrets.map((x) => x.name).sort(), ['Billing/invoicer', 'Shop/web', 'Shop/worker']);
    assert.match(r.stdout, /^Done: 6 of 6 changes made\.$/m);
    assert.equal(new Set(secrets.map((x) => x.secret)).size, 3);

    // the same file again: nothing to do, and no secret shown again
    const again = ok(await cli(b, ['apply', '-f', p]), 'apply again');
    assert.match(again.stdout, /No changes/);
    assert.doesNotMatch(again.stdout + again.stderr, /clv_/);

    // the new server exports the same file (ids and secrets are not in it)
    assert.equal(ok(await cli(b, ['export'])).stdout, exported);

    // the secrets work: web's at /introspect (a confidential client may introspect), the
    // worker's at /token once it is active (the file has it inactive)
    const web = secrets.find((x) => x.name === 'Shop/web');
    const worker = secrets.find((x) => x.name === 'Shop/worker');
    assert.equal((await b.token(worker.client_id, worker.secret)).status, 401, 'inactive as in the file');
    assert.equal((await b.api('POST', `/admin/v1/clients/${worker.client_id}/activate`)).status, 200);
    const wcfg = await client.discovery(new URL(b.url), worker.client_id, undefined,
      client.ClientSecretPost(worker.secret), { execute: [client.allowInsecureRequests] });
    const tok = await client.clientCredentialsGrant(wcfg, { scope: 'jobs.run' });
    assert.ok(tok.access_token);
    const introspected = await b.introspect(tok.access_token, { clientId: web.client_id, clientSecret: web.secret });
    assert.equal(introspected.status, 200, introspected.text);
    assert.equal(introspected.body.active, true);
    assert.deepEqual([introspected.body.aud].flat(), ['https://jobs.example.com']);
  });

  test('a changed field is planned as ~ and applied; --dry-run changes nothing', async () => {
    const doc = JSON.parse(exported);
    const shop = doc.services.find((s) => s.name === 'Shop');
    shop.description = 'The online shop';
    shop.clients.find((c) => c.name === 'spa').access_token_lifetime = 900;
    shop.clients.find((c) => c.name === 'web').scopes = ['openid'];
    const p = await file('changed.json', doc);
    const before_ = await snapshot(a);
    const audit = (await a.listAll('/admin/v1/audit')).length;

    const dry = ok(await cli(a, ['apply', '-f', p, '--dry-run']), 'dry run');
    assert.match(dry.stdout, /^~ service Shop\n {4}~ description: "Online shop" → "The online shop"$/m);
    assert.match(dry.stdout, /^~ client Shop\/spa\n {4}~ access_token_lifetime: 3600 → 900$/m);
    assert.match(dry.stdout, /^~ client Shop\/web\n {4}~ scopes: \["openid","profile"\] → \["openid"\]$/m);
    assert.match(dry.stdout, /^Plan: 0 to create, 3 to change, 0 to delete\.$/m);
    assert.deepEqual(await snapshot(a), before_, '--dry-run changed nothing');
    assert.equal((await a.listAll('/admin/v1/audit')).length, audit, 'and wrote no audit event');

    const r = ok(await cli(a, ['apply', '-f', p]), 'apply');
    assert.match(r.stdout, /^updated client Shop\/spa$/m);
    const spa = (await a.listAll('/admin/v1/clients?q=spa')).find((c) => c.name === 'spa');
    assert.equal(spa.access_token_lifetime, 900);
    assert.equal(spa.version, 2, 'one PATCH');
    assert.match(ok(await cli(a, ['apply', '-f', p])).stdout, /No changes/);
    // put it back as it was
    ok(await cli(a, ['apply', '-f', await file('back.json', exported)]));
  });

  test('--prune deletes softly what the file no longer names, never the protected client', async () => {
    const doc = JSON.parse(exported);
    doc.services = doc.services.filter((s) => s.name === 'Shop'); // neither Billing nor the init service
    doc.services[0].clients = doc.services[0].clients.filter((c) => c.name !== 'spa');
    const p = await file('pruned.json', doc);
    const spa = (await a.listAll('/admin/v1/clients?q=spa')).find((c) => c.name === 'spa');
    const billing = (await a.listAll('/admin/v1/services')).find((s) => s.name === 'Billing');

    const without = ok(await cli(a, ['apply', '-f', p]), 'without --prune');
    assert.match(without.stdout, /No changes/);

    const dry = ok(await cli(a, ['apply', '-f', p, '--prune', '--dry-run']));
    assert.match(dry.stdout, /^- client Shop\/spa$/m);
    assert.match(dry.stdout, /^- service Billing \(and its 1 clients\)$/m);
    assert.match(dry.stdout, /client Clavis administration\/clavis-init is protected: never pruned/);
    assert.match(dry.stdout, /^Plan: 0 to create, 0 to change, 2 to delete\.$/m);

    ok(await cli(a, ['apply', '-f', p, '--prune']), 'apply --prune');
    const gone = (await a.api('GET', `/admin/v1/clients/${spa.client_id}`)).body;
    assert.equal(gone.status, 'deleted', 'softly: still there, restorable');
    assert.ok(gone.purge_at);
    assert.equal((await a.api('GET', `/admin/v1/services/${billing.id}`)).body.status, 'deleted');
    const init = (await a.api('GET', `/admin/v1/clients/${a.init.client_id}`)).body;
    assert.equal(init.status, 'active');
    assert.equal((await a.token(a.init.client_id, a.init.client_secret, { scope: 'admin' })).status, 200);

    // the export brings them back (new objects, as deleted ones are not matched by name)
    const back = ok(await cli(a, ['apply', '-f', await file('restore.json', exported)]));
    assert.match(back.stdout, /^\+ client Shop\/spa \(public\)$/m);
    assert.match(back.stdout, /^\+ service Billing$/m);
  });

  test('a malformed file names line:column, exits 2 and changes nothing', async () => {
    const before_ = await snapshot(a);
    const text = '{\n  "version": 1,\n  "services": [\n    {"name": "X",}\n  ]\n}\n';
    let r = await cli(a, ['apply', '-f', await file('bad.json', text)]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /^clavis: .*bad\.json:4:18: /m);
    assert.equal(r.stdout, '');

    // a semantic error: the JSON path
    const doc = JSON.parse(exported);
    doc.services.find((s) => s.name === 'Shop').clients.push({ name: 'new-one', type: 'public',
      redirect_uris: ['https://ok.example.com/cb', 'http://not-loopback.example.com/cb'] });
    doc.services.push({ name: 'Zeta' }); // would be created before, were the file not refused
    r = await cli(a, ['apply', '-f', await file('bad2.json', doc)]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /bad2\.json: services\[2\]\.clients\[3\]\.redirect_uris\[1\]: must use https/);
    assert.match(r.stderr, /nothing was changed/);

    r = await cli(a, ['apply', '-f', await file('bad3.json', { version: 1, services: [{ name: 'Shop', clients: [{ name: 'web', type: 'confidential', client_secret: 'x' }] }] })]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /services\[0\]\.clients\[0\]\.client_secret: secrets are never in the file/);
    r = await cli(a, ['apply', '-f', await file('bad4.json', { version: 1, services: [{ name: 'A' }, { name: 'A' }] })]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /services\[1\]\.name: 'A' is also the name of services\[0\]/);
    r = await cli(a, ['apply', '-f', await file('bad5.json', { version: 1, services: [{ name: 'Shop', clients: [{ name: 'web', type: 'm2m' }] }] })]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /services\[0\]\.clients\[0\]\.type: is confidential on the server/);
    r = await cli(a, ['apply', '-f', path.join(dir, 'missing.json')]);
    assert.equal(r.code, 2);
    r = await cli(a, ['apply']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--file is required/);
    assert.deepEqual(await snapshot(a), before_, 'nothing changed');
  });

  test('names the server holds twice are refused before anything changes', async () => {
    const svc = await b.createService('Twins');
    await b.createClient({ service_id: svc.id, name: 'same' });
    await b.createClient({ service_id: svc.id, name: 'same' });
    await b.createService('Twins');
    const exp = ok(await cli(b, ['export']));
    assert.match(exp.stderr, /warning: services\[\d+\]\.(clients\[\d+\]\.)?name: '(Twins|same)' is also the name/);
    const before_ = await snapshot(b);
    let r = await cli(b, ['apply', '-f', await file('twins.json', { version: 1, services: [{ name: 'Twins', description: 'x' }] })]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /services\[0\]\.name: 2 services on the server are named 'Twins'/);
    await b.api('PATCH', `/admin/v1/services/${svc.id}`, { name: 'Twins 1' });
    r = await cli(b, ['apply', '-f', await file('twins2.json', { version: 1, services: [
      { name: 'Twins 1', clients: [{ name: 'same', type: 'm2m', scopes: ['a'] }] }] })]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /services\[0\]\.clients\[0\]\.name: 2 clients of service 'Twins 1' on the server are named 'same'/);
    const after_ = await snapshot(b);
    assert.deepEqual(after_.clients, before_.clients, 'no client changed');
  });

  test('a refusal midway says what was done', async () => {
    const doc = { version: 1, services: [{ name: 'Midway', clients: [
      { name: 'first', type: 'm2m', scopes: ['a'] },
      { name: 'second', type: 'm2m', access_token_lifetime: 5 }] }] };
    const r = await cli(b, ['apply', '-f', await file('midway.json', doc)]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /400 access_token_lifetime: must be between/);
    assert.match(r.stderr, /apply stopped at a refused change: 2 of 3 changes were made/);
    assert.match(r.stdout, /^created service Midway: svc_/m);
    assert.match(r.stdout, /^created client Midway\/first: /m);
  });

  test('a platform admin exports and applies another tenant with --tenant-id', async () => {
    const t = (await b.api('POST', '/admin/v1/tenants', { name: 'Other tenant' })).body;
    const doc = { version: 1, services: [{ name: 'Theirs', clients: [{ name: 'api', type: 'm2m', scopes: ['x'] }] }] };
    const r = ok(await cli(b, ['apply', '-f', await file('tenant.json', doc), '--tenant-id', t.id]));
    assert.match(r.stdout, /^created service Theirs: /m);
    const svc = (await b.listAll(`/admin/v1/services?tenant_id=${t.id}`)).find((s) => s.name === 'Theirs');
    assert.equal(svc.tenant_id, t.id, 'created in the tenant named, not the caller\'s');
    const theirs = JSON.parse(ok(await cli(b, ['export', '--tenant-id', t.id])).stdout);
    // and the service that holds the tenant's console client (docs/DESIGN.md D13), without it
    assert.deepEqual(theirs.services.map((s) => [s.name, s.clients.length]), [['Clavis console', 0], ['Theirs', 1]]);
    assert.ok(!JSON.parse(ok(await cli(b, ['export'])).stdout).services.some((s) => s.name === 'Theirs'));
    assert.match(ok(await cli(b, ['apply', '-f', path.join(dir, 'tenant.json'), '--tenant-id', t.id])).stdout, /No changes/);
  });

  test('reading the file from stdin, and --json', async () => {
    const r = ok(await cli(a, ['apply', '-f', '-', '--json'], exported));
    assert.deepEqual(JSON.parse(r.stdout), { plan: [], done: 0, created: [] });
    const help = ok(await cli(a, ['apply', '--help'])).stdout;
    assert.match(help, /--dry-run/);
    assert.match(help, /--prune/);
  });

  test('the file follows docs/apply.schema.json, which names every field an export has', async () => {
    const schema = JSON.parse(await readFile(SCHEMA, 'utf8'));
    const validate = new Ajv2020({ allErrors: true }).compile(schema);
    const doc = JSON.parse(exported);
    assert.ok(validate(doc), JSON.stringify(validate.errors));
    assert.ok(validate(JSON.parse(ok(await cli(b, ['export'])).stdout)), JSON.stringify(validate.errors));
    // the schema's client fields are exactly those of an exported client (core's writable list)
    const client = doc.services.find((s) => s.name === 'Shop').clients[0];
    assert.deepEqual(Object.keys(schema.$defs.client.properties).sort(), Object.keys(client).sort());
    assert.deepEqual(Object.keys(schema.$defs.service.properties).sort(), Object.keys(doc.services[0]).sort());
    // what apply refuses, the schema refuses too
    const bad = [
      { version: 2, services: [] },
      { version: 1 },
      { version: 1, services: [{ name: 'A', approval: 'live' }] },
      { version: 1, services: [{ name: 'A', clients: [{ name: 'c' }] }] },
      { version: 1, services: [{ name: 'A', clients: [{ name: 'c', type: 'm2m', client_secret: 'x' }] }] },
      { version: 1, services: [{ name: 'A', status: 'deleted' }] },
    ];
    for (const d of bad) {
      assert.equal(validate(d), false, JSON.stringify(d));
      const r = await cli(a, ['apply', '-f', await file('schema-bad.json', d), '--dry-run']);
      assert.equal(r.code, 2, `${JSON.stringify(d)}: ${r.stderr}`);
    }
  });

  test('the servers shut down cleanly', async () => {
    await assertCleanShutdown(a, b);
  });
});
