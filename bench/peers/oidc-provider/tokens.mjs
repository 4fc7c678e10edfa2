// The first refresh tokens of bench-rt (server.mjs) for the refresh case of bench/compare.sh:
// N authorization-code flows (RFC 6749 §4.1) through the real endpoints — /auth, the
// interaction that server.mjs answers at once, back to /auth, the code, then /token — each
// giving one refresh token. Writes them one a line to OUT (for bench/refresh.lua).
//   node tokens.mjs URL CLIENT_ID CLIENT_SECRET N OUT
import { writeFileSync } from 'node:fs';

const [url, clientId, secret, n, out] = process.argv.slice(2);
if (!out) {
  console.error('usage: node tokens.mjs URL CLIENT_ID CLIENT_SECRET N OUT');
  process.exit(2);
}
const redirect = 'https://rp.example/cb';
const basic = `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}`;

// Follows the redirects of one flow by hand, carrying its cookies, up to the redirect_uri.
async function code() {
  const jar = new Map();
  let next = `${url}/auth?${new URLSearchParams({
    response_type: 'code', client_id: clientId, redirect_uri: redirect, scope: 'openid read', state: 's',
  })}`;
  for (let hop = 0; hop < 10; hop += 1) {
    const res = await fetch(next, {
      redirect: 'manual',
      headers: { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') },
    });
    for (const c of res.headers.getSetCookie()) {
      const [kv] = c.split(';');
      const i = kv.indexOf('=');
      jar.set(kv.slice(0, i), kv.slice(i + 1));
    }
    const location = res.headers.get('location');
    if (!location) throw new Error(`tokens.mjs: ${next}: ${res.status} ${(await res.text()).slice(0, 300)}`);
    if (location.startsWith(redirect)) {
      const c = new URL(location).searchParams.get('code');
      if (!c) throw new Error(`tokens.mjs: no code: ${location}`);
      return c;
    }
    next = new URL(location, next).href;
  }
  throw new Error('tokens.mjs: too many redirects');
}

const tokens = [];
for (let i = 0; i < Number(n); i += 1) {
  const res = await fetch(`${url}/token`, {
    method: 'POST',
    headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'authorization_code', code: await code(), redirect_uri: redirect }),
  });
  const body = await res.json();
  if (res.status !== 200 || !body.refresh_token || !body.access_token || !body.id_token) {
    throw new Error(`tokens.mjs: code grant: ${res.status} ${JSON.stringify(body)}`);
  }
  tokens.push(body.refresh_token);
}
writeFileSync(out, `${tokens.join('\n')}\n`);
