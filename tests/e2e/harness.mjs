// Test harness for the Clavis end-to-end suite: starts a real `clavis serve` on a free
// loopback port with a fresh SQLite database, and offers small helpers for the admin API,
// the token endpoint and the command line.
//
// CLAVIS_BIN names the binary; by default ../../build-test/clavis (the ASan/UBSan build),
// else ../../build/clavis, relative to this file.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import assert from 'node:assert/strict';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

export const CLAVIS_BIN = (() => {
  if (process.env.CLAVIS_BIN) return path.resolve(process.env.CLAVIS_BIN);
  const test = path.resolve(here, '../../build-test/clavis');
  if (existsSync(test)) return test;
  return path.resolve(here, '../../build/clavis');
})();

// What a sanitizer prints when it finds something (ASan, LSan, UBSan).
const SANITIZER_PATTERNS = [
  'ERROR: AddressSanitizer',
  'ERROR: LeakSanitizer',
  'runtime error:',
];

export function sanitizerReport(text) {
  return SANITIZER_PATTERNS.find((p) => text.includes(p)) ?? null;
}

// A PostgreSQL database has no file beside it for its key-encryption key: every server and
// CLI run of a test process shares one CLAVIS_KEK (docs/OPERATIONS.md "Keys").
if (/^postgres(ql)?:\/\//.test(process.env.CLAVIS_TEST_STORE_URL ?? '') && !process.env.CLAVIS_KEK) {
  const { randomBytes } = await import('node:crypto');
  process.env.CLAVIS_KEK = randomBytes(32).toString('base64url');
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Polls fn until it returns a truthy value (returned) or timeoutMs passes (throws). */
export async function waitFor(fn, { timeoutMs = 5000, intervalMs = 50, what = 'condition' } = {}) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      last = await fn();
      if (last) return last;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${
        last instanceof Error ? last.message : JSON.stringify(last)})`);
    }
    await sleep(intervalMs);
  }
}

/** A free TCP port on 127.0.0.1 (listen on port 0, read it, close). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** Runs the clavis binary with args; resolves {code, signal, stdout, stderr}. */
export function runCli(args, { env, input, timeoutMs = 30000 } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(CLAVIS_BIN, args, {
      env: { ...process.env, ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d) => { stdout += d; });
    child.stderr.setEncoding('utf8').on('data', (d) => { stderr += d; });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (e) => { clearTimeout(timer); reject(e); });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const report = sanitizerReport(stderr);
      if (report) {
        reject(new Error(`clavis ${args[0]} printed a sanitizer report (${report}):\n${stderr}`));
        return;
      }
      resolve({ code, signal, stdout, stderr });
    });
    child.stdin.on('error', () => {}); // a command that exits before reading its input
    child.stdin.end(input ?? '');
  });
}

/** Sends a request; resolves {status, headers, text, body (parsed JSON or null)}. */
export async function request(url, { method = 'GET', headers = {}, body } = {}) {
  const res = await fetch(url, { method, headers, body, redirect: 'manual' });
  const text = await res.text();
  let json = null;
  try {
    json = text.length ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  return { status: res.status, headers: res.headers, text, body: json };
}

export function basicAuth(id, secret) {
  // RFC 6749 §2.3.1: both halves are form-urlencoded before base64.
  const enc = (s) => encodeURIComponent(s).replace(/%20/g, '+');
  return 'Basic ' + Buffer.from(`${enc(id)}:${enc(secret)}`).toString('base64');
}

/**
 * POSTs a form to a protocol endpoint (default /token) of base.
 * auth: 'basic' (default when a secret is given), 'post' (in the body) or 'none'.
 */
export async function protocolPost(base, endpoint, { clientId, clientSecret, auth, params = {}, headers = {} } = {}) {
  const form = new URLSearchParams(params);
  const h = { 'Content-Type': 'application/x-www-form-urlencoded', ...headers };
  const how = auth ?? (clientSecret !== undefined ? 'basic' : 'none');
  if (how === 'basic') {
    h.Authorization = basicAuth(clientId, clientSecret);
  } else if (how === 'post') {
    form.set('client_id', clientId);
    form.set('client_secret', clientSecret);
  } else if (clientId !== undefined) {
    form.set('client_id', clientId);
  }
  return request(base + endpoint, { method: 'POST', headers: h, body: form.toString() });
}

/**
 * Starts a server. opts.args: extra `serve` arguments (e.g. ['--retention', '2s']);
 * opts.env: extra environment; opts.issuer: (port) => the issuer to serve under (default
 * the server's own http URL; it still listens on plain http).
 */
/**
 * The database of a new server: an SQLite file in dir, or — when CLAVIS_TEST_STORE_URL names
 * a PostgreSQL cluster (make e2e-pg, scripts/pg.sh) — a new database in it, named at random.
 */
async function newDatabase(dir) {
  const base = process.env.CLAVIS_TEST_STORE_URL;
  if (!base || !/^postgres(ql)?:\/\//.test(base)) return path.join(dir, 'clavis.db');
  const name = `e2e_${Math.random().toString(36).slice(2, 12)}`;
  const r = await new Promise((resolve) => {
    const p = spawn('psql', [base, '-qAt', '-c', `CREATE DATABASE ${name}`], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    p.stderr.on('data', (d) => { err += d; });
    p.on('exit', (code) => resolve({ code, err }));
  });
  if (r.code !== 0) throw new Error(`CREATE DATABASE ${name}: ${r.err}`);
  return base.replace(/\/[^/?]*(\?.*)?$/, `/${name}$1`);
}

export async function start(opts = {}) {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'clavis-e2e-'));
  const db = await newDatabase(dir);
  const initRun = await runCli(['init', '--db', db, '--json']);
  if (initRun.code !== 0) {
    throw new Error(`clavis init failed (${initRun.code}): ${initRun.stderr}`);
  }
  const init = JSON.parse(initRun.stdout);

  let port;
  let child;
  let stderr = '';
  let stdout = '';
  let exited = null; // {code, signal} once the process ends
  let exitPromise;
  // A port found free can be taken by another file's server before ours binds it:
  // try a few times.
  for (let attempt = 0; attempt < 5; attempt++) {
    port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    stderr = '';
    stdout = '';
    exited = null;
    child = spawn(CLAVIS_BIN, ['serve', '--listen', `127.0.0.1:${port}`, '--issuer', opts.issuer?.(port) ?? url,
      '--db', db, ...(opts.args ?? [])], {
      env: { ...process.env, ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.setEncoding('utf8').on('data', (d) => { stdout += d; });
    child.stderr.setEncoding('utf8').on('data', (d) => { stderr += d; });
    exitPromise = new Promise((resolve) => {
      child.on('exit', (code, signal) => { exited = { code, signal }; resolve(exited); });
      child.on('error', (e) => { exited = { code: -1, signal: null, error: e }; resolve(exited); });
    });
    const deadline = Date.now() + 10000;
    let up = false;
    while (!exited && Date.now() < deadline) {
      try {
        const r = await fetch(url + '/healthz');
        await r.arrayBuffer();
        if (r.status === 200) { up = true; break; }
      } catch { /* not listening yet */ }
      await sleep(50);
    }
    if (up) break;
    if (!exited) {
      child.kill('SIGKILL');
      await exitPromise;
      throw new Error(`clavis serve did not answer /healthz within 10 s:\n${stderr}`);
    }
    if (!/cannot listen/.test(stderr) || attempt === 4) {
      throw new Error(`clavis serve exited (${JSON.stringify(exited)}):\n${stderr}`);
    }
  }

  const url = `http://127.0.0.1:${port}`;
  let cachedAdmin = null;

  let stopPromise = null;
  async function doStop() {
    if (!exited) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15000);
      await exitPromise;
      clearTimeout(timer);
    }
    const report = sanitizerReport(stderr);
    await rm(dir, { recursive: true, force: true }).catch(() => {});
    if (report) {
      throw new Error(`clavis serve printed a sanitizer report (${report}):\n${stderr}`);
    }
    if (exited.code !== 0) {
      throw new Error(`clavis serve exited with ${JSON.stringify(exited)}:\n${stderr.slice(-4000)}`);
    }
  }

  const srv = {
    url,
    port,
    dir,
    db,
    init,
    get stderr() { return stderr; },
    get stdout() { return stdout; },
    get exited() { return exited; },

    /** true once stop() has been called. */
    get stopped() { return stopPromise !== null; },

    /**
     * SIGTERM, await exit; rejects on a non-zero exit or a sanitizer report. Calling it
     * again returns the same promise.
     */
    stop() {
      stopPromise ??= doStop();
      return stopPromise;
    },

    /** A token with scope admin for the init (platform_admin) client; cached. */
    async adminToken({ fresh = false } = {}) {
      if (cachedAdmin && !fresh) return cachedAdmin;
      const r = await srv.token(init.client_id, init.client_secret, { scope: 'admin' });
      if (r.status !== 200) {
        throw new Error(`admin token: ${r.status} ${r.text}`);
      }
      cachedAdmin = r.body.access_token;
      return cachedAdmin;
    },

    /**
     * Calls the admin API. body: an object (sent as JSON) or, with raw: true, a
     * string/Buffer sent as is. token: a bearer token (default the admin token;
     * null for none). Resolves {status, headers, text, body}.
     */
    async api(method, p, body, { token, headers = {}, raw = false } = {}) {
      const h = { ...headers };
      const tok = token === undefined ? await srv.adminToken() : token;
      if (tok !== null) h.Authorization = `Bearer ${tok}`;
      let payload;
      if (body !== undefined) {
        if (raw) {
          payload = body;
        } else {
          payload = JSON.stringify(body);
          if (!Object.keys(h).some((k) => k.toLowerCase() === 'content-type')) {
            h['Content-Type'] = 'application/json';
          }
        }
      }
      return request(url + p, { method, headers: h, body: payload });
    },

    /** client_credentials at /token; opts.scope, opts.auth ('basic' | 'post'). */
    async token(clientId, clientSecret, { scope, auth, params = {} } = {}) {
      const p = { grant_type: 'client_credentials', ...params };
      if (scope !== undefined) p.scope = scope;
      return protocolPost(url, '/token', { clientId, clientSecret, auth, params: p });
    },

    /** RFC 7662 introspection by caller (default the init client). */
    async introspect(token, caller = { clientId: init.client_id, clientSecret: init.client_secret }) {
      return protocolPost(url, '/introspect', { ...caller, params: { token } });
    },

    async revoke(token, caller = { clientId: init.client_id, clientSecret: init.client_secret }) {
      return protocolPost(url, '/revoke', { ...caller, params: { token } });
    },

    /** Every item of a paginated admin list (follows next_cursor; limit 100). */
    async listAll(p, opts = {}) {
      const items = [];
      let cursor = null;
      for (let page = 0; page < 1000; page++) {
        const sep = p.includes('?') ? '&' : '?';
        const q = `${p}${sep}limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
        const r = await srv.api('GET', q, undefined, opts);
        if (r.status !== 200) throw new Error(`GET ${q}: ${r.status} ${r.text}`);
        items.push(...r.body.items);
        cursor = r.body.next_cursor;
        if (cursor === null || cursor === undefined) return items;
      }
      throw new Error(`GET ${p}: more than 1000 pages`);
    },

    /** Creates a service in the init tenant (or body.tenant_id); returns its JSON. */
    async createService(name = `svc-${Math.random().toString(36).slice(2, 8)}`, extra = {}, opts = {}) {
      const r = await srv.api('POST', '/admin/v1/services', { name, ...extra }, opts);
      if (r.status !== 201) throw new Error(`create service: ${r.status} ${r.text}`);
      return r.body;
    },

    /** Creates a client (type m2m by default); returns its JSON (with client_secret). */
    async createClient(body, opts = {}) {
      const full = { type: 'm2m', name: `client-${Math.random().toString(36).slice(2, 8)}`, ...body };
      const r = await srv.api('POST', '/admin/v1/clients', full, opts);
      if (r.status !== 201) throw new Error(`create client: ${r.status} ${r.text}`);
      return r.body;
    },
  };
  return srv;
}

/**
 * For after() hooks: stops the servers that a test has not stopped already (each file
 * ends with a test that stops its servers, so that an unclean exit counts as a failed
 * test; this hook cleans up when that test did not run).
 */
export async function stopUnstopped(...servers) {
  const results = await Promise.allSettled(servers.filter((s) => s && !s.stopped).map((s) => s.stop()));
  const failed = results.find((r) => r.status === 'rejected');
  if (failed) throw failed.reason;
}

/** The last test of a file: the servers exit 0 on SIGTERM with no sanitizer report. */
export async function assertCleanShutdown(...servers) {
  const results = await Promise.allSettled(servers.filter(Boolean).map((s) => s.stop()));
  const failed = results.filter((r) => r.status === 'rejected').map((r) => r.reason.message);
  if (failed.length) throw new Error(failed.join('\n\n'));
}

/**
 * Another `clavis serve` on the database of a server from start(): a second node of the
 * same deployment (docs/DESIGN.md I5); issuer: the deployment's one issuer (default: its own
 * URL). Returns {url, stopped, stop()}; stop() rejects on a
 * non-zero exit or a sanitizer report.
 */
export async function startSecondNode(db, args = [], { issuer } = {}) {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(CLAVIS_BIN, ['serve', '--listen', `127.0.0.1:${port}`, '--issuer', issuer ?? url,
    '--db', db, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d) => { stderr += d; });
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  await waitFor(async () => (await fetch(`${url}/healthz`)).status === 200, { timeoutMs: 10000, what: 'node 2' });
  let stopping = null;
  return {
    url,
    get stopped() { return stopping !== null; },
    /** Kills the node at once (SIGKILL), as a crash would; resolves when it is gone. */
    crash() {
      stopping ??= (async () => {
        child.kill('SIGKILL');
        await exited;
      })();
      return stopping;
    },
    stop() {
      stopping ??= (async () => {
        child.kill('SIGTERM');
        const res = await exited;
        const report = sanitizerReport(stderr);
        if (report) throw new Error(`node 2 printed a sanitizer report (${report}):\n${stderr}`);
        if (res.code !== 0) throw new Error(`node 2 exited with ${JSON.stringify(res)}:\n${stderr}`);
      })();
      return stopping;
    },
  };
}

/** Runs SQL on the database of a server from start() (SQLite file or PostgreSQL URL): the
 * first column of each row, a line each. */
export function sql(db, text) {
  const pg = /^postgres(ql)?:\/\//.test(db);
  const r = spawnSync(pg ? 'psql' : 'sqlite3', pg ? [db, '-qAt', '-c', text] : [db, text], { encoding: 'utf8' });
  assert.equal(r.status, 0, `${pg ? 'psql' : 'sqlite3'}: ${r.stderr}`);
  return r.stdout.trim();
}
