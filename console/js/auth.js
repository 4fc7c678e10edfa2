// Sign-in for the console: it is an OAuth client of the server that serves it — each
// tenant has its own, "clavis-console" for the init tenant and "clavis-console-TENANT_ID"
// for every other (docs/DESIGN.md D13) — authorization code with PKCE S256 (RFC 7636)
// through /authorize, tokens kept in this tab's sessionStorage, renewed by refresh token,
// RP-initiated logout.

export const ROOT = document.querySelector('meta[name="clavis-root"]').content; // /…/console
export const ISSUER = location.origin + ROOT.slice(0, -'/console'.length);
// Reached by another name than the issuer's (127.0.0.1 for localhost, a proxy's inner
// name): go to the issuer's, where the redirect URI matches and the cookies live.
const named = new URL(document.querySelector('meta[name="clavis-issuer"]').content);
export const ELSEWHERE = named.origin !== location.origin;
if (ELSEWHERE) location.replace(named.origin + location.pathname + location.search);
export const CALLBACK = `${ISSUER}/console/callback`;
const INIT_TENANT = document.querySelector('meta[name="clavis-init-tenant"]')?.content ?? '';
const TENANT = 'clavis.tenant'; // localStorage: the tenant chosen last, '' or absent = the init one
const TENANT_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** The console client of a tenant ('' = the init tenant). */
export function clientIdFor(tenant) {
  return !tenant || tenant === INIT_TENANT ? 'clavis-console' : `clavis-console-${tenant}`;
}

/** The tenant whose console to sign in to: the one chosen last on this browser, or ''. */
export function chosenTenant() {
  return localStorage.getItem(TENANT) ?? '';
}

/** Remembers the tenant to sign in to ('' = the init tenant); false if it is no tenant id. */
export function chooseTenant(tenant) {
  const t = (tenant ?? '').trim();
  if (t && !TENANT_ID.test(t)) return false;
  if (t && t !== INIT_TENANT) localStorage.setItem(TENANT, t); else localStorage.removeItem(TENANT);
  return true;
}

// /console?tenant=ID (the link a platform admin hands out) chooses and remembers it
const asked = new URLSearchParams(location.search).get('tenant');
if (asked !== null) chooseTenant(asked);
/** The tenant such a link names (null: no ?tenant=), and its name as the server read it
 * ('' when no tenant has that id): the page says whose console the link leads to before
 * anyone signs in, so a link from someone else cannot slip an operator into another
 * tenant's console (docs/DESIGN.md D13). */
export const LINKED = asked;
export const LINKED_NAME = document.querySelector('meta[name="clavis-tenant-name"]')?.content ?? '';

const KEY = 'clavis.tokens';
const PENDING = 'clavis.pending';

const b64url = (bytes) => btoa(String.fromCharCode(...new Uint8Array(bytes)))
  .replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
const random = (n) => b64url(crypto.getRandomValues(new Uint8Array(n)));

/** The JSON of a JWT's part (0 header, 1 payload), or null. */
export function jwtPart(token, i) {
  try {
    const s = token.split('.')[i].replace(/-/g, '+').replace(/_/g, '/');
    const bin = atob(s + '='.repeat((4 - (s.length % 4)) % 4));
    return JSON.parse(new TextDecoder().decode(Uint8Array.from(bin, (c) => c.charCodeAt(0))));
  } catch {
    return null;
  }
}

let tokens = JSON.parse(sessionStorage.getItem(KEY) || 'null');
// a session of another tenant's console than the one ?tenant= asks for ends here (sign in
// anew); without ?tenant= this tab keeps its session, whatever another tab chose since
if (tokens && asked !== null && (tokens.client ?? 'clavis-console') !== clientIdFor(chosenTenant())) {
  tokens = null;
  sessionStorage.removeItem(KEY);
}

function keep(t) {
  tokens = {
    access: t.access_token,
    refresh: t.refresh_token ?? tokens?.refresh ?? null,
    id: t.id_token ?? tokens?.id ?? null,
    expires: Date.now() + (t.expires_in ?? 300) * 1000,
    name: tokens?.name ?? null,
    client: t.client ?? tokens?.client ?? 'clavis-console',
  };
  sessionStorage.setItem(KEY, JSON.stringify(tokens));
}

export function signedIn() {
  return tokens !== null;
}

/** Who is signed in: {name, roles, tenant, platform, tenantAdmin}. */
export function who() {
  const at = tokens ? jwtPart(tokens.access, 1) ?? {} : {};
  const idt = tokens?.id ? jwtPart(tokens.id, 1) ?? {} : {};
  const roles = at.roles ?? [];
  return {
    name: tokens?.name ?? idt.preferred_username ?? at.sub ?? '',
    roles,
    tenant: at.tenant ?? '',
    platform: roles.includes('platform_admin'),
    tenantAdmin: roles.includes('tenant_admin'),
  };
}

/** Goes to /authorize; back at /console/callback the app calls finishSignIn. */
export async function signIn(back = location.pathname + location.search) {
  const verifier = random(32);
  const challenge = b64url(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier)));
  const state = random(16);
  const client = clientIdFor(chosenTenant());
  sessionStorage.setItem(PENDING, JSON.stringify({ verifier, state, back, client }));
  const q = new URLSearchParams({
    response_type: 'code', client_id: client, redirect_uri: CALLBACK,
    scope: 'openid profile admin', state, nonce: random(16),
    code_challenge: challenge, code_challenge_method: 'S256',
  });
  location.assign(`${ISSUER}/authorize?${q}`);
}

async function tokenRequest(client, params) {
  const res = await fetch(`${ISSUER}/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ client_id: client, ...params }),
  });
  const body = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(body.error_description || body.error || `token endpoint: ${res.status}`);
  return body;
}

/** Handles /console/callback; returns the path to show next. Throws with a message. */
export async function finishSignIn() {
  const q = new URLSearchParams(location.search);
  const pending = JSON.parse(sessionStorage.getItem(PENDING) || 'null');
  sessionStorage.removeItem(PENDING);
  if (q.get('error') === 'access_denied' && /admin/.test(q.get('error_description') ?? '')) {
    throw new Error('your account has no administrator role. The console needs tenant_admin (for your tenant) or platform_admin; ask an administrator to give you one.');
  }
  if (q.get('error')) throw new Error(`${q.get('error')}: ${q.get('error_description') ?? ''}`);
  if (!pending || q.get('state') !== pending.state) throw new Error('this sign-in was not started here (state mismatch); sign in again');
  tokens = null; // a new session, of pending.client's tenant
  keep({
    ...await tokenRequest(pending.client ?? 'clavis-console', {
      grant_type: 'authorization_code', code: q.get('code') ?? '',
      redirect_uri: CALLBACK, code_verifier: pending.verifier,
    }),
    client: pending.client ?? 'clavis-console',
  });
  // the name to show (OIDC Core §5.3); the session works without it
  const info = await fetch(`${ISSUER}/userinfo`, { headers: { Authorization: `Bearer ${tokens.access}` } })
    .then((r) => (r.ok ? r.json() : {})).catch(() => ({}));
  tokens.name = info.preferred_username ?? null;
  sessionStorage.setItem(KEY, JSON.stringify(tokens));
  return pending.back && !pending.back.startsWith(`${ROOT}/callback`) ? pending.back : `${ROOT}/`;
}

let renewing = null;

/** Renews the access token by the refresh token; false if that is no longer possible. */
export function renew() {
  if (!tokens?.refresh) return Promise.resolve(false);
  renewing ??= tokenRequest(tokens.client, { grant_type: 'refresh_token', refresh_token: tokens.refresh })
    .then((t) => { keep(t); return true; })
    .catch(() => false)
    .finally(() => { renewing = null; });
  return renewing;
}

/** The access token, renewed first when it expires within 30 s; null when signed out. */
export async function accessToken() {
  if (!tokens) return null;
  if (Date.now() > tokens.expires - 30000) await renew();
  return tokens?.access ?? null;
}

export function forget() {
  tokens = null;
  sessionStorage.removeItem(KEY);
}

/** Revokes the refresh token, then RP-initiated logout at /logout (OIDC RP-Initiated Logout §2). */
export async function signOut() {
  const t = tokens;
  forget();
  if (t?.refresh) {
    await fetch(`${ISSUER}/revoke`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ client_id: t.client, token: t.refresh, token_type_hint: 'refresh_token' }),
    }).catch(() => {});
  }
  const q = new URLSearchParams({ client_id: t?.client ?? clientIdFor(chosenTenant()), post_logout_redirect_uri: `${ISSUER}/console/`, state: 'signed-out' });
  if (t?.id) q.set('id_token_hint', t.id);
  location.assign(`${ISSUER}/logout?${q}`);
}
