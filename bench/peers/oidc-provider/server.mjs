// node-oidc-provider as a peer of Clavis in bench/compare.sh — loopback only.
//
// Environment: PORT (required), ISSUER (default http://127.0.0.1:PORT), RSA_KEY and EC_KEY
// (PEM files: an RSA-2048 and a P-256 private key), CLIENT_SECRET (shared by every client).
//
// Clients (static, client_secret_basic, grant client_credentials, scope "read"):
//   bench-RS256   JWT access tokens signed RS256
//   bench-ES256   JWT access tokens signed ES256
//   bench-opaque  opaque access tokens: the default in-memory adapter stores nothing for
//                 JWT access tokens, so introspection is measured with these.
// and one for refresh-token rotation (client_secret_basic, grants authorization_code and
// refresh_token, scope "openid read", redirect https://rp.example/cb):
//   bench-rt      ES256 JWT access tokens and ES256 ID tokens; every refresh rotates the
//                 refresh token (rotateRefreshToken: true) and a consumed one presented
//                 again revokes the whole grant (the provider's reuse detection).
// Its refresh tokens come from real code flows (tokens.mjs): the interaction URL
// /interaction/:uid signs in the account "bench-user" and grants "openid read" at once,
// with no page — a bench-only shortcut for the login and consent screens.
// Storage: MapAdapter below, in memory like the provider's default adapter but without its
// 1,000-entry LRU bound, which would evict the grants of the refresh case's first tokens
// (hundreds of code flows) before they are used. Nothing is durable either way.
// JWT access tokens come through features.resourceIndicators (a default resource for
// every request), as the provider does not issue JWT access tokens otherwise.
import { readFileSync } from 'node:fs';
import { createPrivateKey } from 'node:crypto';
import Provider from 'oidc-provider';

const port = Number(process.env.PORT);
if (!port) {
  console.error('server.mjs: PORT is required');
  process.exit(2);
}
const issuer = process.env.ISSUER || `http://127.0.0.1:${port}`;
const secret = process.env.CLIENT_SECRET || 'bench-secret-bench-secret-bench-secret';
const jwk = (file, alg) => ({
  ...createPrivateKey(readFileSync(file)).export({ format: 'jwk' }),
  alg,
  use: 'sig',
});

const resource = 'urn:clavis:bench';
const algOf = { 'bench-RS256': 'RS256', 'bench-ES256': 'ES256', 'bench-rt': 'ES256' };
const client = (id) => ({
  client_id: id,
  client_secret: secret,
  grant_types: ['client_credentials'],
  response_types: [],
  redirect_uris: [],
  token_endpoint_auth_method: 'client_secret_basic',
  scope: 'read',
});

const rtClient = {
  ...client('bench-rt'),
  grant_types: ['authorization_code', 'refresh_token'],
  response_types: ['code'],
  redirect_uris: ['https://rp.example/cb'],
  scope: 'openid read',
  id_token_signed_response_alg: 'ES256',
};

// The adapter interface of oidc-provider (lib/adapters/memory_adapter.js) on one Map; the
// members of a grant are kept so that revokeByGrantId (reuse detection) removes them all.
const store = new Map();
class MapAdapter {
  constructor(model) {
    this.model = model;
  }

  key(id) {
    return `${this.model}:${id}`;
  }

  async upsert(id, payload) {
    const key = this.key(id);
    store.set(key, payload);
    if (payload.grantId) {
      const members = store.get(`grant:${payload.grantId}`) ?? new Set();
      members.add(key);
      store.set(`grant:${payload.grantId}`, members);
    }
    if (payload.uid) store.set(`sessionUid:${payload.uid}`, id);
    if (payload.userCode) store.set(`userCode:${payload.userCode}`, id);
  }

  async find(id) {
    return store.get(this.key(id));
  }

  async findByUid(uid) {
    return this.find(store.get(`sessionUid:${uid}`));
  }

  async findByUserCode(userCode) {
    return this.find(store.get(`userCode:${userCode}`));
  }

  async consume(id) {
    const payload = store.get(this.key(id));
    if (payload) payload.consumed = Math.floor(Date.now() / 1000);
  }

  async destroy(id) {
    store.delete(this.key(id));
  }

  async revokeByGrantId(grantId) {
    for (const key of store.get(`grant:${grantId}`) ?? []) store.delete(key);
    store.delete(`grant:${grantId}`);
  }
}

const provider = new Provider(issuer, {
  adapter: MapAdapter,
  clients: [client('bench-RS256'), client('bench-ES256'), client('bench-opaque'), rtClient],
  jwks: { keys: [jwk(process.env.RSA_KEY, 'RS256'), jwk(process.env.EC_KEY, 'ES256')] },
  scopes: ['openid', 'read'],
  cookies: { keys: ['bench-cookie-key-not-a-secret'] },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  // A refresh token for every code of a client allowed the grant (not only with
  // offline_access), not tied to the sign-in session, rotated on every use.
  issueRefreshToken: async (ctx, c) => c.grantTypeAllowed('refresh_token'),
  expiresWithSession: async () => false,
  rotateRefreshToken: true,
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    introspection: { enabled: true },
    revocation: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => resource,
      useGrantedResource: () => true,
      getResourceServerInfo: (ctx, indicator, c) => {
        const alg = algOf[c.clientId];
        return {
          scope: 'read',
          audience: indicator,
          accessTokenTTL: 3600,
          ...(alg ? { accessTokenFormat: 'jwt', jwt: { sign: { alg } } } : { accessTokenFormat: 'opaque' }),
        };
      },
    },
  },
});
// The login and consent screens of bench-rt's code flows, answered at once (see above).
provider.use(async (ctx, next) => {
  if (!ctx.path.startsWith('/interaction/')) return next();
  const details = await provider.interactionDetails(ctx.req, ctx.res);
  const grant = new provider.Grant({ accountId: 'bench-user', clientId: details.params.client_id });
  grant.addOIDCScope('openid read');
  grant.addResourceScope(resource, 'read');
  const grantId = await grant.save();
  ctx.respond = false;
  await provider.interactionFinished(ctx.req, ctx.res, {
    login: { accountId: 'bench-user' },
    consent: { grantId },
  }, { mergeWithLastSubmission: false });
});
provider.on('server_error', (ctx, err) => console.error('server_error', err));
provider.listen(port, '127.0.0.1');
