// A small MCP server protected by Clavis (docs/AGENTS.md): it publishes its RFC 9728
// protected-resource metadata naming Clavis as its authorization server, accepts only
// access tokens Clavis issued for it (signature from Clavis's /jwks, iss, aud = this
// server's URL — the RFC 8707 resource —, typ at+jwt, scope mcp:tools), and answers one
// tool, `whoami`, with what the token says.
//
//   node server.mjs --issuer http://127.0.0.1:8080 [--port 3000]
//
// The tests (tests/e2e/mcp.test.mjs) start it the same way and drive it with the MCP
// TypeScript SDK's client.
import http from 'node:http';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import * as jose from 'jose';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';

export const SCOPE = 'mcp:tools';

/** The MCP server for one request (stateless: no session survives the request). */
function mcpServer() {
  const server = new McpServer({ name: 'clavis-example', version: '1.0.0' });
  server.registerTool('whoami', { description: 'Who the access token says is calling' },
    async (extra) => {
      const c = extra.authInfo?.extra ?? {};
      return { content: [{ type: 'text', text: JSON.stringify({ sub: c.sub, client_id: extra.authInfo?.clientId, aud: c.aud, scope: extra.authInfo?.scopes }) }] };
    });
  return server;
}

/**
 * Starts the server; resolves { url (the MCP endpoint, which is also the resource),
 * close() }.
 */
export async function startMcpServer({ issuer, port = 0, host = '127.0.0.1' }) {
  const jwks = jose.createRemoteJWKSet(new URL(`${issuer}/jwks`));
  let base;
  const resource = () => `${base}/mcp`;
  const prmUrl = () => `${base}/.well-known/oauth-protected-resource/mcp`;

  function unauthorized(res, error, description) {
    // RFC 6750 §3 and RFC 9728 §5.1: where a client learns how to get a token
    const params = [`resource_metadata="${prmUrl()}"`, `scope="${SCOPE}"`];
    if (error) params.push(`error="${error}"`, `error_description="${description}"`);
    res.writeHead(401, { 'WWW-Authenticate': `Bearer ${params.join(', ')}`, 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ error: error ?? 'unauthorized' }));
  }

  async function verify(req) {
    const m = /^Bearer (.+)$/.exec(req.headers.authorization ?? '');
    if (!m) return null;
    const { payload } = await jose.jwtVerify(m[1], jwks, { issuer, audience: resource(), typ: 'at+jwt' });
    const scopes = String(payload.scope ?? '').split(' ').filter(Boolean);
    if (!scopes.includes(SCOPE)) throw new Error(`the token lacks scope ${SCOPE}`);
    return { token: m[1], clientId: payload.client_id, scopes, expiresAt: payload.exp, extra: { sub: payload.sub, aud: payload.aud } };
  }

  const srv = http.createServer(async (req, res) => {
    const path = new URL(req.url, 'http://x').pathname;
    if (req.method === 'GET' && (path === '/.well-known/oauth-protected-resource/mcp' ||
        path === '/.well-known/oauth-protected-resource')) {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ resource: resource(), authorization_servers: [issuer],
        scopes_supported: [SCOPE], bearer_methods_supported: ['header'], resource_name: 'Clavis example MCP server' }));
      return;
    }
    if (path !== '/mcp') { res.writeHead(404).end(); return; }
    try {
      req.auth = await verify(req);
    } catch (e) {
      unauthorized(res, 'invalid_token', String(e.message).replace(/"/g, "'"));
      return;
    }
    if (!req.auth) { unauthorized(res); return; }
    const server = mcpServer();
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    res.on('close', () => { transport.close(); server.close(); });
    await server.connect(transport);
    await transport.handleRequest(req, res);
  });
  await new Promise((resolve) => srv.listen(port, host, resolve));
  base = `http://${host}:${srv.address().port}`;
  return { url: resource(), close: () => new Promise((resolve) => srv.close(resolve)) };
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({ options: { issuer: { type: 'string' }, port: { type: 'string', default: '3000' } } });
  if (!values.issuer) {
    console.error('usage: node server.mjs --issuer ISSUER_URL [--port PORT]');
    process.exit(2);
  }
  const s = await startMcpServer({ issuer: values.issuer.replace(/\/$/, ''), port: Number(values.port) });
  console.log(`MCP server at ${s.url} (resource ${s.url}), authorization server ${values.issuer}`);
}
