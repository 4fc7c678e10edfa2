// A second, independent client library (docs/DESIGN.md I1: "what every OAuth client library
// speaks"): authlib_test.py runs the code flow with PKCE against the real binary with
// Debian's python3-authlib (scripts/deps.sh test installs it), and must agree with us.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { start } from './harness.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
// Debian's interpreter, where python3-authlib lives (not a pyenv or venv one).
const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';

function run(env) {
  return new Promise((resolve, reject) => {
    const child = spawn(PYTHON, [path.join(here, 'authlib_test.py')], { env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    const timer = setTimeout(() => child.kill('SIGKILL'), 60000);
    child.on('error', reject);
    child.on('close', (code) => { clearTimeout(timer); resolve({ code, stdout, stderr }); });
  });
}

describe('python3-authlib', () => {
  let s;
  before(async () => { s = await start(); });
  after(async () => { await s?.stop(); });

  test('authorization code + PKCE, ID token with at_hash, UserInfo, refresh rotation', async () => {
    const svc = await s.createService('authlib');
    const redirect = 'http://127.0.0.1:9/authlib/cb';
    const c = await s.createClient({ service_id: svc.id, type: 'public', redirect_uris: [redirect],
      scopes: ['openid', 'profile', 'email'], allow_refresh_token: true });
    const u = await s.api('POST', '/admin/v1/users', { username: 'ada', password: 'ada-password-1', email: 'ada@example.com' });
    assert.equal(u.status, 201, u.text);
    const r = await run({ ISSUER: s.url, CLIENT_ID: c.client_id, REDIRECT_URI: redirect, USERNAME: 'ada', PASSWORD: 'ada-password-1' });
    assert.equal(r.code, 0, `authlib_test.py failed:\n${r.stderr}\n${r.stdout}`);
    const out = JSON.parse(r.stdout.trim().split('\n').pop());
    assert.equal(out.sub, u.body.id);
    assert.deepEqual(out.userinfo, { sub: u.body.id, preferred_username: 'ada', email: 'ada@example.com' });
    assert.equal(out.scope, 'openid profile email');
  });
});
