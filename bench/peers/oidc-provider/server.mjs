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
const algOf = { 'bench-RS256': 'RS256', 'bench-ES256': 'ES256' };
const client = (id) => ({
  client_id: id,
  client_secret: secret,
  grant_types: ['client_credentials'],
  response_types: [],
  redirect_uris: [],
  token_endpoint_auth_method: 'client_secret_basic',
  scope: 'read',
});

const provider = new Provider(issuer, {
  clients: [client('bench-RS256'), client('bench-ES256'), client('bench-opaque')],
  jwks: { keys: [jwk(process.env.RSA_KEY, 'RS256'), jwk(process.env.EC_KEY, 'ES256')] },
  scopes: ['openid', 'read'],
  cookies: { keys: ['bench-cookie-key-not-a-secret'] },
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
provider.on('server_error', (ctx, err) => console.error('server_error', err));
provider.listen(port, '127.0.0.1');
